from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare


class HmrDiscount(models.Model):
    """Named discounts a quote may carry (C11), each with its ceiling and the roles
    allowed to apply it, optionally limited to some treatments."""

    _name = "hmr.discount"
    _inherit = ["hmr.catalog.mixin"]
    _description = "Discount"
    _order = "sequence, max_percent, id"

    def _default_group_ids(self):
        return self.env.ref("hmr_crm_addon.group_hmr_manager", raise_if_not_found=False)

    def _domain_group_ids(self):
        privilege = self.env.ref(
            "hmr_crm_addon.res_groups_privilege_hmr_crm", raise_if_not_found=False
        )
        return [("privilege_id", "=", privilege.id if privilege else False)]

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    max_percent = fields.Float(
        string="Maximum (%)",
        required=True,
        default=5.0,
        digits="Discount",
        help="The highest discount, in percent of the price, this discount allows.",
    )
    group_ids = fields.Many2many(
        "res.groups",
        "hmr_discount_res_groups_rel",
        "discount_id",
        "group_id",
        string="Who May Apply It",
        default=_default_group_ids,
        domain=lambda self: self._domain_group_ids(),
        help="The clinic roles allowed to apply this discount to a quote.",
    )
    treatment_ids = fields.Many2many(
        "hmr.treatment",
        string="Treatments",
        help="Leave empty when the discount applies to every treatment.",
    )

    _max_percent_range = models.Constraint(
        "CHECK(max_percent > 0 AND max_percent <= 100)",
        "The maximum of a discount must be more than 0% and at most 100%.",
    )

    @api.constrains("group_ids")
    def _check_group_ids(self):
        for discount in self:
            if not discount.group_ids:
                raise ValidationError(
                    self.env._(
                        "Choose who may apply the discount “%(discount)s”.",
                        discount=discount.name,
                    )
                )

    def _get_usage_fields(self):
        # quotes will point to their discount: the quote step adds itself here
        return []

    def _check_can_apply(self, percent, user=None, treatments=None):
        """Refuse, with a message the user understands, to apply ``percent`` % of this
        discount when it exceeds its maximum, when ``user`` (default: the current user)
        holds none of its roles, or when ``treatments`` are not all among its treatments.
        """
        self.ensure_one()
        user = user or self.env.user
        if float_compare(percent, 0.0, precision_digits=2) <= 0:
            raise UserError(self.env._("A discount must be more than 0%."))
        if float_compare(percent, self.max_percent, precision_digits=2) > 0:
            raise UserError(
                self.env._(
                    "The discount “%(discount)s” allows at most %(max)s%%, not %(percent)s%%.",
                    discount=self.name,
                    max=f"{self.max_percent:g}",
                    percent=f"{percent:g}",
                )
            )
        if not self.group_ids & user.sudo().all_group_ids:
            raise UserError(
                self.env._(
                    "%(user)s may not apply the discount “%(discount)s”: "
                    "it is reserved to %(roles)s.",
                    user=user.name,
                    discount=self.name,
                    roles=", ".join(self.group_ids.mapped("name")),
                )
            )
        others = (treatments or self.env["hmr.treatment"]) - self.treatment_ids
        if self.treatment_ids and others:
            raise UserError(
                self.env._(
                    "The discount “%(discount)s” does not apply to %(treatments)s.",
                    discount=self.name,
                    treatments=", ".join(others.mapped("name")),
                )
            )
        return True

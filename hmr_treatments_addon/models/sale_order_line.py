from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    hmr_discount_id = fields.Many2one(
        "hmr.discount", string="Clinic Discount", index="btree_not_null", ondelete="restrict"
    )

    @api.onchange("hmr_discount_id")
    def _onchange_hmr_discount_id(self):
        if self.hmr_discount_id:
            self.discount = self.hmr_discount_id.max_percent

    @api.constrains("discount", "hmr_discount_id")
    def _check_hmr_discount(self):
        """C11: on the quotes of a case, a discount is one of the clinic's named discounts,
        within its limit and applied by someone allowed to."""
        for line in self.filtered(lambda sol: sol.order_id.hmr_case_id and sol.discount):
            if not line.hmr_discount_id:
                raise ValidationError(
                    self.env._(
                        "Choose one of the clinic's discounts to give %(percent)s%% off.",
                        percent=line.discount,
                    )
                )
            line.hmr_discount_id._check_can_apply(
                line.discount, treatments=line.order_id.hmr_case_id.treatment_id
            )

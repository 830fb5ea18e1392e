from odoo import fields, models


class HmrTreatment(models.Model):
    """What the clinic offers (C5): the process it follows with each prospect, the
    products its quotes are made of and the questionnaire the prospect answers."""

    _name = "hmr.treatment"
    _inherit = ["hmr.catalog.mixin"]
    _description = "Treatment"
    _order = "sequence, id"
    _check_company_auto = True

    def _default_process_id(self):
        return self.env["hmr.process"].search([], limit=1)

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    section_id = fields.Many2one(
        "hmr.section", string="Clinic Section", index="btree_not_null", check_company=True
    )
    process_id = fields.Many2one(
        "hmr.process",
        required=True,
        ondelete="restrict",
        index=True,
        default=_default_process_id,
        help="The steps each prospect given this treatment goes through.",
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        domain=[("sale_ok", "=", True)],
        check_company=True,
        help="What the quotes of this treatment are made of.",
    )
    survey_id = fields.Many2one(
        "survey.survey",
        string="Questionnaire",
        ondelete="restrict",
        index="btree_not_null",
        help="What the prospect answers before the assessment, e.g. the medical history.",
    )

    def _get_usage_fields(self):
        return [("hmr.treatment.case", "treatment_id"), ("hmr.discount", "treatment_ids")]

from odoo import fields, models


class HmrSection(models.Model):
    _name = "hmr.section"
    _inherit = ["hmr.catalog.mixin"]
    _description = "Clinic Section"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    user_ids = fields.One2many("res.users", "hmr_section_id", string="Staff")

    _name_company_uniq = models.Constraint(
        "unique(name, company_id)", "A section with this name already exists."
    )

    def _get_usage_fields(self):
        return [("crm.lead", "section_id"), ("res.users", "hmr_section_id")]

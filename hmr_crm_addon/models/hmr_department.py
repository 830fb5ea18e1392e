from odoo import fields, models


class HmrDepartment(models.Model):
    """Clinic departments. Odoo's hr.department would drag in the Employees app
    and hangs off hr.employee rather than res.users: the CRM only needs a label."""

    _name = "hmr.department"
    _inherit = ["hmr.catalog.mixin"]
    _description = "Clinic Department"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    manager_id = fields.Many2one("res.users", string="Head")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    user_ids = fields.One2many("res.users", "hmr_department_id", string="Staff")

    _name_company_uniq = models.Constraint(
        "unique(name, company_id)", "A department with this name already exists."
    )

    def _get_usage_fields(self):
        return [("res.users", "hmr_department_id")]

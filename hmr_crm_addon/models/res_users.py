from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    hmr_section_id = fields.Many2one("hmr.section", string="Clinic Section", index="btree_not_null")
    hmr_department_id = fields.Many2one(
        "hmr.department", string="Clinic Department", index="btree_not_null"
    )
    hmr_role = fields.Selection(
        [("executive", "Sales Executive"), ("doctor", "Diagnosis Doctor"), ("manager", "Manager")],
        string="Clinic Role",
        compute="_compute_hmr_role",
        help="Set through the HMR CRM access rights.",
    )

    @api.depends("all_group_ids")
    def _compute_hmr_role(self):
        roles = [
            ("manager", self.env.ref("hmr_crm_addon.group_hmr_manager")),
            ("doctor", self.env.ref("hmr_crm_addon.group_hmr_doctor")),
            ("executive", self.env.ref("hmr_crm_addon.group_hmr_executive")),
        ]
        for user in self:
            user.hmr_role = next(
                (role for role, group in roles if group in user.all_group_ids), False
            )

    def _hmr_get_non_executives(self):
        """The users of ``self`` who may not hold prospects: without the Sales Executive
        role (OdooBot, which runs the automations, excepted)."""
        return self.filtered(
            lambda user: (
                not user._is_superuser() and not user.has_group("hmr_crm_addon.group_hmr_executive")
            )
        )

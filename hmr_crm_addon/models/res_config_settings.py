from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    group_hmr_see_unassigned = fields.Boolean(
        string="Executives see unassigned prospects",
        help="Sales executives see and edit the prospects nobody is assigned to, "
        "besides their own.",
        implied_group="hmr_crm_addon.group_hmr_see_unassigned",
        group="hmr_crm_addon.group_hmr_executive",
    )

    # a company has no timezone of its own: Odoo reads the company's contact's
    hmr_clinic_tz = fields.Selection(
        related="company_id.partner_id.tz",
        readonly=False,
        string="Clinic Timezone",
        help="The clinic's day: quotes are valid until midnight of their last day in this "
        "timezone, and quotes, acceptances and invoices are dated in it.",
    )

    def _compute_display_name(self):
        # Odoo titles the settings after their window action, which only its administrators
        # may read: the clinic's managers open the clinic's settings too
        action = (
            self.env["ir.actions.act_window"]
            .sudo()
            .search([("res_model", "=", self._name)], limit=1)
        )
        self.display_name = action.name or self._name

    def _hmr_get_clinic_fields(self):
        """What the clinic's managers, who are no Odoo administrators, may change."""
        return ["group_hmr_see_unassigned", "hmr_clinic_tz"]

    def execute(self):
        """A clinic manager saves the clinic's settings only: Odoo's own settings read
        fields reserved to its administrators, and stay theirs."""
        if self.env.is_system() or not self.env.user.has_group("hmr_crm_addon.group_hmr_manager"):
            return super().execute()
        clinic_values = {name: self[name] for name in self._hmr_get_clinic_fields()}
        return super(ResConfigSettings, self.sudo().create(clinic_values)).execute()

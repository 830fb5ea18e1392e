from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    treatment_case_ids = fields.One2many("hmr.treatment.case", "lead_id", string="Treatments")
    treatment_case_count = fields.Integer(
        compute="_compute_treatment_case_count", string="Treatment Count"
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("treatment_case_ids")
    def _compute_treatment_case_count(self):
        counts = dict(
            self.env["hmr.treatment.case"]._read_group(
                self._get_treatment_case_domain(), ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.treatment_case_count = counts.get(lead._origin, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_treatment_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "hmr_treatments_addon.hmr_treatment_case_action"
        )
        action["domain"] = self._get_treatment_case_domain()
        action["context"] = {"default_lead_id": self.id}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_treatment_case_domain(self):
        return [("lead_id", "in", self._origin.ids)]

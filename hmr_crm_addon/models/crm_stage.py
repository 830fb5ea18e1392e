from odoo import api, fields, models

# Odoo's default stages and the step of the panel each one was
ODOO_STAGES = {
    "crm.stage_lead1": "lead",
    "crm.stage_lead2": "contact",
    "crm.stage_lead3": "deal",
    "crm.stage_lead4": "client",
}


class CrmStage(models.Model):
    """The stages of the pipeline are DriCloud's statuses (Lead, Contact, Deal, Client,
    Patient): a tag tells the code and the panel's tabs which stage is which, whatever a
    manager renames it to."""

    _inherit = "crm.stage"

    hmr_status = fields.Selection(
        [
            ("patient", "Patient"),
            ("lead", "New Lead"),
            ("contact", "Contact"),
            ("deal", "Deal"),
            ("client", "Client"),
        ],
        string="Panel Status",
        index="btree_not_null",
        copy=False,
        help="The tab of the CRM panel that lists the prospects in this stage.",
    )

    @api.model
    def _hmr_replace_odoo_stages(self):
        """Odoo's four default stages make way for the panel's: their prospects move to
        the stage of the same step, then they go (one pipeline, no twin columns)."""
        for xmlid, status in ODOO_STAGES.items():
            stage = self.env.ref(xmlid, raise_if_not_found=False)
            new_stage = self.search([("hmr_status", "=", status)], limit=1)
            if not stage or not new_stage or stage.hmr_status:
                continue
            leads = (
                self.env["crm.lead"]
                .with_context(active_test=False, tracking_disable=True)
                .search([("stage_id", "=", stage.id)])
            )
            leads.write({"stage_id": new_stage.id})
            stage.unlink()

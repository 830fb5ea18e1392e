from odoo import models
from odoo.tools import SQL


class HmrCrmMessage(models.Model):
    """The emails of a prospect's treatment cases (the photo reminders, the web
    acknowledgment) are the prospect's messages too."""

    _inherit = "hmr.crm.message"

    def _get_document_queries(self):
        return [
            *super()._get_document_queries(),
            (
                "hmr.treatment.case",
                SQL(
                    "SELECT id AS res_id, lead_id FROM hmr_treatment_case WHERE lead_id IS NOT NULL"
                ),
            ),
        ]

from odoo import fields, models

from .crm_lead import CRM_STATUSES


class HmrCrmStatusHistory(models.Model):
    """One period a prospect spent in a CRM status: the funnel (B5) measures the time
    spent in each step from these. Written by the prospects themselves (never by
    hand); the chatter keeps the readable trail of the same changes (B7)."""

    _name = "hmr.crm.status.history"
    _description = "Prospect CRM Status Period"
    _order = "lead_id, date_start, id"
    _rec_name = "crm_status"

    lead_id = fields.Many2one(
        "crm.lead", string="Prospect", required=True, ondelete="cascade", index=True
    )
    crm_status = fields.Selection(CRM_STATUSES, string="CRM Status", required=True)
    date_start = fields.Datetime(string="From", required=True)
    date_end = fields.Datetime(string="To")
    company_id = fields.Many2one(related="lead_id.company_id")

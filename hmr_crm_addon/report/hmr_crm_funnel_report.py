from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.crm_lead import CRM_STATUSES, DEAL_STATUSES


class HmrCrmFunnelReport(models.Model):
    """B5: the prospects' funnel, one line per prospect. Averaged by source,
    executive, section or month of capture, the rates give the conversion at each step
    (contact, deal, client) and the days the time spent in each CRM status (from
    the periods the prospects logged, the current one counted until now)."""

    _name = "hmr.crm.funnel.report"
    _description = "Prospect Funnel Analysis"
    _auto = False
    _order = "capture_date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", string="Prospect", readonly=True)
    capture_date = fields.Date(readonly=True)
    source_id = fields.Many2one("utm.source", string="Contact Source", readonly=True)
    contact_method_id = fields.Many2one("hmr.contact.method", readonly=True)
    section_id = fields.Many2one("hmr.section", string="Clinic Section", readonly=True)
    user_id = fields.Many2one("res.users", string="Sales Executive", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    crm_status = fields.Selection(CRM_STATUSES, string="CRM Status", readonly=True)
    deal_status = fields.Selection(DEAL_STATUSES, readonly=True)
    contact_rate = fields.Float(
        string="Reached Contact (%)", aggregator="avg", readonly=True, digits=(16, 1)
    )
    deal_rate = fields.Float(
        string="Reached Deal (%)", aggregator="avg", readonly=True, digits=(16, 1)
    )
    client_rate = fields.Float(
        string="Became Client (%)", aggregator="avg", readonly=True, digits=(16, 1)
    )
    not_interested_rate = fields.Float(
        string="Not Interested (%)", aggregator="avg", readonly=True, digits=(16, 1)
    )
    lead_days = fields.Float(string="Days as Lead", aggregator="avg", readonly=True, digits=(16, 1))
    contact_days = fields.Float(
        string="Days as Contact", aggregator="avg", readonly=True, digits=(16, 1)
    )
    deal_days = fields.Float(string="Days as Deal", aggregator="avg", readonly=True, digits=(16, 1))
    days_to_client = fields.Float(
        string="Days to Client", aggregator="avg", readonly=True, digits=(16, 1)
    )

    def _get_view_query(self):
        now = SQL("(NOW() AT TIME ZONE 'UTC')")
        days = SQL("EXTRACT(EPOCH FROM (COALESCE(h.date_end, %s) - h.date_start)) / 86400.0", now)
        return SQL(
            """
            SELECT lead.id AS id,
                   lead.id AS lead_id,
                   lead.capture_date,
                   lead.source_id,
                   lead.contact_method_id,
                   lead.section_id,
                   lead.user_id,
                   lead.team_id,
                   lead.company_id,
                   lead.stage_id,
                   lead.crm_status,
                   lead.deal_status,
                   -- the current status counts too (prospects older than their periods)
                   CASE WHEN bool_or(h.crm_status IN ('contact', 'deal', 'client'))
                             OR lead.crm_status IN ('contact', 'deal', 'client')
                        THEN 100.0 ELSE 0.0 END AS contact_rate,
                   CASE WHEN bool_or(h.crm_status IN ('deal', 'client'))
                             OR lead.crm_status IN ('deal', 'client')
                        THEN 100.0 ELSE 0.0 END AS deal_rate,
                   CASE WHEN bool_or(h.crm_status = 'client') OR lead.crm_status = 'client'
                        THEN 100.0 ELSE 0.0 END AS client_rate,
                   CASE WHEN lead.crm_status = 'not_interested' THEN 100.0 ELSE 0.0 END
                        AS not_interested_rate,
                   SUM(%(days)s) FILTER (WHERE h.crm_status = 'lead') AS lead_days,
                   SUM(%(days)s) FILTER (WHERE h.crm_status = 'contact') AS contact_days,
                   SUM(%(days)s) FILTER (WHERE h.crm_status = 'deal') AS deal_days,
                   EXTRACT(EPOCH FROM (
                       MIN(h.date_start) FILTER (WHERE h.crm_status = 'client')
                       - MIN(h.date_start))) / 86400.0 AS days_to_client
              FROM crm_lead lead
         LEFT JOIN hmr_crm_status_history h ON h.lead_id = lead.id
             WHERE lead.type = 'opportunity'
          GROUP BY lead.id
            """,
            days=days,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._get_view_query(),
            )
        )

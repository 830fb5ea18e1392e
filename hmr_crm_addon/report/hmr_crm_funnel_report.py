from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_lead import DEAL_STATUSES


class HmrCrmFunnelReport(models.Model):
    """B5: the prospects' funnel, one line per prospect. Averaged by source,
    executive, section or month of capture, the rates give the conversion at each step
    (contact, deal, client) and the days the time spent in each stage, read from the
    stage changes Odoo tracks in the chatter (the current stage counted until now, or
    until the prospect was won or lost)."""

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

    @property
    def _table_query(self):
        return self._get_funnel_query()

    def _get_stage_periods_query(self):
        """The periods each prospect spent in each stage, as Odoo's duration tracking
        counts them: every tracked stage change closes the period of the former stage,
        opened by the change before (or the creation); the current stage runs until
        now, or until the prospect was won or lost."""
        now = SQL("(NOW() AT TIME ZONE 'UTC')")
        return SQL(
            """
            SELECT changes.lead_id,
                   changes.stage_id,
                   COALESCE(LAG(changes.date) OVER (PARTITION BY changes.lead_id
                                                    ORDER BY changes.sequence NULLS LAST),
                            lead.create_date) AS date_start,
                   changes.date AS date_end
              FROM (SELECT m.res_id AS lead_id, v.id AS sequence,
                           v.old_value_integer AS stage_id, v.create_date AS date
                      FROM mail_tracking_value v
                      JOIN mail_message m ON m.id = v.mail_message_id AND m.model = 'crm.lead'
                     WHERE v.field_id = (SELECT id FROM ir_model_fields
                                          WHERE model = 'crm.lead' AND name = 'stage_id')
                     UNION ALL
                    SELECT id, NULL, stage_id,
                           CASE WHEN won_status = 'pending' THEN %(now)s
                                ELSE COALESCE(date_closed, %(now)s) END
                      FROM crm_lead) changes
              JOIN crm_lead lead ON lead.id = changes.lead_id
            """,
            now=now,
        )

    def _get_funnel_query(self):
        days = SQL("GREATEST(EXTRACT(EPOCH FROM (p.date_end - p.date_start)), 0) / 86400.0")
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
                   lead.deal_status,
                   CASE WHEN bool_or(stage.hmr_status IN ('contact', 'deal', 'client'))
                        THEN 100.0 ELSE 0.0 END AS contact_rate,
                   CASE WHEN bool_or(stage.hmr_status IN ('deal', 'client'))
                        THEN 100.0 ELSE 0.0 END AS deal_rate,
                   CASE WHEN bool_or(stage.hmr_status = 'client')
                        THEN 100.0 ELSE 0.0 END AS client_rate,
                   CASE WHEN lead.won_status = 'lost' THEN 100.0 ELSE 0.0 END
                        AS not_interested_rate,
                   SUM(%(days)s) FILTER (WHERE stage.hmr_status = 'lead') AS lead_days,
                   SUM(%(days)s) FILTER (WHERE stage.hmr_status = 'contact') AS contact_days,
                   SUM(%(days)s) FILTER (WHERE stage.hmr_status = 'deal') AS deal_days,
                   EXTRACT(EPOCH FROM (
                       MIN(p.date_start) FILTER (WHERE stage.hmr_status = 'client')
                       - lead.create_date)) / 86400.0 AS days_to_client
              FROM crm_lead lead
         LEFT JOIN (%(periods)s) p ON p.lead_id = lead.id
         LEFT JOIN crm_stage stage ON stage.id = p.stage_id
             WHERE lead.type = 'opportunity'
          GROUP BY lead.id
            """,
            days=days,
            periods=self._get_stage_periods_query(),
        )

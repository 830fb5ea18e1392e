from odoo import fields, models
from odoo.tools import SQL


class HmrStepTimeReport(models.Model):
    """How long the cases stay in each step of each process: the median and the 90th
    percentile of the days between entering a step and leaving it for the next one (or
    closing the case done after its last step), read from the step changes Odoo tracks in
    the cases' chatter. One line per step: a median does not add up, so it is computed
    here, in SQL (percentile_cont), never aggregated afterwards from other lines."""

    _name = "hmr.step.time.report"
    _description = "Time per Process Step"
    _auto = False
    _order = "process_id, sequence, id"
    _rec_name = "step_id"

    process_id = fields.Many2one("hmr.process", readonly=True)
    step_id = fields.Many2one("hmr.process.step", readonly=True)
    sequence = fields.Integer(readonly=True)
    step_kind = fields.Selection(related="step_id.kind", string="Kind of Step")
    case_count = fields.Integer(
        string="Cases Through", readonly=True, help="Cases that went through the step."
    )
    open_count = fields.Integer(
        string="Cases There Now", readonly=True, help="Open cases in this step now."
    )
    median_days = fields.Float(
        aggregator="avg",
        readonly=True,
        digits=(16, 1),
        help="Half of the cases went through the step in fewer days.",
    )
    p90_days = fields.Float(
        string="90th Percentile (Days)",
        aggregator="avg",
        readonly=True,
        digits=(16, 1),
        help="Nine cases in ten went through the step in fewer days.",
    )
    avg_days = fields.Float(string="Average Days", aggregator="avg", readonly=True, digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT step.id AS id,
                   step.id AS step_id,
                   step.process_id,
                   step.sequence,
                   COUNT(periods.case_id) AS case_count,
                   (SELECT COUNT(*) FROM hmr_treatment_case c
                     WHERE c.step_id = step.id AND c.state = 'open' AND c.active) AS open_count,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY periods.days) AS median_days,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY periods.days) AS p90_days,
                   AVG(periods.days) AS avg_days
              FROM hmr_process_step step
         LEFT JOIN (%(periods)s) periods ON periods.step_id = step.id
          GROUP BY step.id
            """,
            periods=self._get_step_periods_query(),
        )

    def _get_step_periods_query(self):
        """The periods the cases spent in their steps: each tracked step change closes
        the period of the step it leaves, opened by the change before it or, for the
        first step (set when the case is created, which Odoo does not track), by the
        case's creation; closing a case done closes its last step's period."""
        return SQL(
            """
            SELECT changes.case_id,
                   changes.step_id,
                   GREATEST(EXTRACT(EPOCH FROM (changes.date_end - changes.date_start)), 0)
                       / 86400.0 AS days
              FROM (
                    SELECT moves.case_id,
                           moves.old_step AS step_id,
                           moves.date AS date_end,
                           COALESCE(LAG(moves.date) OVER (PARTITION BY moves.case_id
                                                          ORDER BY moves.date, moves.sequence),
                                    c.create_date) AS date_start
                      FROM hmr_treatment_case c
                      JOIN (
                            SELECT m.res_id AS case_id, v.id AS sequence, v.create_date AS date,
                                   v.old_value_integer AS old_step
                              FROM mail_tracking_value v
                              JOIN mail_message m
                                ON m.id = v.mail_message_id AND m.model = 'hmr.treatment.case'
                             WHERE v.field_id = %(step_field)s
                             UNION ALL
                            -- a case done: its last state change closed it (tracked
                            -- states are stored as their label: the case's own state says)
                            SELECT * FROM (
                                SELECT DISTINCT ON (m.res_id) m.res_id, v.id, v.create_date,
                                       closed.step_id
                                  FROM mail_tracking_value v
                                  JOIN mail_message m
                                    ON m.id = v.mail_message_id
                                   AND m.model = 'hmr.treatment.case'
                                  JOIN hmr_treatment_case closed
                                    ON closed.id = m.res_id AND closed.state = 'done'
                                 WHERE v.field_id = %(state_field)s
                              ORDER BY m.res_id, v.id DESC
                            ) closings
                           ) moves ON moves.case_id = c.id
                   ) changes
             WHERE changes.step_id > 0 AND changes.date_start IS NOT NULL
            """,
            step_field=self.env["ir.model.fields"]._get("hmr.treatment.case", "step_id").id,
            state_field=self.env["ir.model.fields"]._get("hmr.treatment.case", "state").id,
        )

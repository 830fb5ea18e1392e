from odoo import fields, models
from odoo.tools import SQL


class HmrDoctorWorkloadReport(models.Model):
    """Each diagnosis doctor's workload and turnaround, counted in assessments (a
    prospect with two treatments is two assessments): the open and done ones, and the
    days from the assignment to the assessment, as a median and a 90th percentile. An
    assessment handed over to another doctor counts from its handover (the last change
    of its doctor, tracked in its chatter), else from its creation."""

    _name = "hmr.doctor.workload.report"
    _description = "Doctor Workload"
    _auto = False
    _order = "open_count desc, doctor_id"
    _rec_name = "doctor_id"

    doctor_id = fields.Many2one("res.users", string="Diagnosis Doctor", readonly=True)
    assessment_count = fields.Integer(string="Assessments", readonly=True)
    open_count = fields.Integer(string="Assessments to Do", readonly=True)
    done_count = fields.Integer(string="Assessments Done", readonly=True)
    oldest_open_days = fields.Float(
        string="Oldest Waiting (Days)",
        aggregator="max",
        readonly=True,
        digits=(16, 1),
        help="Days the oldest assessment still to do has waited.",
    )
    median_days = fields.Float(
        string="Median Days to Assess",
        aggregator="avg",
        readonly=True,
        digits=(16, 1),
        help="Half of the doctor's assessments were done in fewer days after assignment.",
    )
    p90_days = fields.Float(
        string="90th Percentile (Days)",
        aggregator="avg",
        readonly=True,
        digits=(16, 1),
        help="Nine of the doctor's assessments in ten were done in fewer days.",
    )
    avg_days = fields.Float(string="Average Days", aggregator="avg", readonly=True, digits=(16, 1))

    @property
    def _table_query(self):
        days = SQL("EXTRACT(EPOCH FROM (a.date_done - a.assigned_at)) / 86400.0")
        return SQL(
            """
            SELECT a.doctor_id AS id,
                   a.doctor_id,
                   COUNT(*) AS assessment_count,
                   COUNT(*) FILTER (WHERE a.state = 'open') AS open_count,
                   COUNT(*) FILTER (WHERE a.state = 'done') AS done_count,
                   MAX(EXTRACT(EPOCH FROM ((NOW() AT TIME ZONE 'UTC') - a.assigned_at)) / 86400.0)
                       FILTER (WHERE a.state = 'open') AS oldest_open_days,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY %(days)s)
                       FILTER (WHERE a.state = 'done') AS median_days,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY %(days)s)
                       FILTER (WHERE a.state = 'done') AS p90_days,
                   AVG(%(days)s) FILTER (WHERE a.state = 'done') AS avg_days
              FROM (%(assessments)s) a
          GROUP BY a.doctor_id
            """,
            days=days,
            assessments=self._get_assignments_query(),
        )

    def _get_assignments_query(self):
        """The assessments not cancelled, with when their doctor got them."""
        return SQL(
            """
            SELECT a.id, a.doctor_id, a.state, a.date_done,
                   COALESCE(handover.date, a.create_date) AS assigned_at
              FROM hmr_assessment a
         LEFT JOIN LATERAL (
                    SELECT MAX(v.create_date) AS date
                      FROM mail_tracking_value v
                      JOIN mail_message m ON m.id = v.mail_message_id
                     WHERE m.model = 'hmr.assessment' AND m.res_id = a.id
                       AND v.field_id = %(doctor_field)s
                       -- the creation's tracking (no doctor before) is no handover
                       AND v.old_value_integer > 0
                   ) handover ON TRUE
             WHERE a.state != 'cancelled'
            """,
            doctor_field=self.env["ir.model.fields"]._get("hmr.assessment", "doctor_id").id,
        )

from odoo import fields, models, tools
from odoo.tools import SQL


class HmrCrmDoctorReport(models.Model):
    """B5: the diagnosis doctors' workload, one line per prospect a doctor was given
    to assess, with where the prospect stands. (The assessments themselves and the
    steps of the treatment cases are analysed in HMR Treatments.)"""

    _name = "hmr.crm.doctor.report"
    _description = "Diagnosis Doctor Workload"
    _auto = False
    _order = "doctor_id, lead_id"
    _rec_name = "lead_id"

    doctor_id = fields.Many2one("res.users", string="Diagnosis Doctor", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Prospect", readonly=True)
    user_id = fields.Many2one("res.users", string="Sales Executive", readonly=True)
    source_id = fields.Many2one("utm.source", string="Contact Source", readonly=True)
    section_id = fields.Many2one("hmr.section", string="Clinic Section", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    capture_date = fields.Date(readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    is_open = fields.Boolean(string="Still Open", readonly=True)

    def _get_view_query(self):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY rel.user_id, rel.lead_id) AS id,
                   rel.user_id AS doctor_id,
                   lead.id AS lead_id,
                   lead.user_id,
                   lead.source_id,
                   lead.section_id,
                   lead.company_id,
                   lead.capture_date,
                   lead.stage_id,
                   lead.won_status = 'pending' AS is_open
              FROM crm_lead_hmr_doctor_rel rel
              JOIN crm_lead lead ON lead.id = rel.lead_id
            """
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

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

HAIR_LOSS_SCALE = [(str(grade), f"Norwood {grade}") for grade in range(1, 8)]


class HmrAssessment(models.Model):
    """The diagnosis doctor's assessment of a prospect's case (S2.3)."""

    _name = "hmr.assessment"
    _inherit = ["mail.thread"]
    _description = "Assessment"
    _order = "id desc"
    _mail_post_access = "read"

    name = fields.Char(related="case_id.name")
    case_id = fields.Many2one(
        "hmr.treatment.case", required=True, ondelete="cascade", index=True, readonly=True
    )
    lead_id = fields.Many2one(related="case_id.lead_id", string="Prospect")
    doctor_id = fields.Many2one(
        "res.users", string="Diagnosis Doctor", required=True, index=True, tracking=True
    )
    state = fields.Selection(
        [("open", "To Assess"), ("done", "Assessed"), ("cancelled", "Cancelled")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    date_done = fields.Datetime(string="Assessed On", readonly=True)
    days_to_assess = fields.Float(
        string="Days to Assess",
        compute="_compute_days_to_assess",
        store=True,
        aggregator="avg",
        help="Days from the assignment to the doctor's assessment.",
    )
    hair_loss_scale = fields.Selection(HAIR_LOSS_SCALE)
    donor_area = fields.Selection(
        [("poor", "Poor"), ("fair", "Fair"), ("good", "Good"), ("excellent", "Excellent")],
    )
    graft_estimate = fields.Integer(string="Estimated Grafts")
    findings = fields.Html()
    recommendation = fields.Text()
    notes = fields.Text(string="Internal Notes")

    _graft_estimate_positive = models.Constraint(
        "CHECK(graft_estimate >= 0)", "The estimated grafts cannot be negative."
    )

    @api.depends("date_done")
    def _compute_days_to_assess(self):
        for assessment in self:
            delta = assessment.date_done and assessment.date_done - assessment.create_date
            assessment.days_to_assess = delta and delta.total_seconds() / 86400

    def action_done(self):
        """The doctor has assessed: the case moves on to its quote (S2.3)."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "open":
            raise UserError(self.env._("This assessment is already closed."))
        if not self.hair_loss_scale or not self.graft_estimate:
            raise UserError(
                self.env._("Record the hair loss scale and the estimated grafts first.")
            )
        self.write({"state": "done", "date_done": fields.Datetime.now()})
        # the process moves on whoever may edit the case: doctors only read it
        case = self.case_id.sudo()
        case.activity_feedback(
            ["hmr_treatments_addon.mail_activity_type_hmr_assessment"],
            feedback=self.env._("Assessed"),
        )
        case._advance("assessment")
        return self.case_id.action_create_quote()

    @api.model
    def _take_least_loaded_doctor(self):
        """The diagnosis doctor with the fewest open assessments (ties: the lowest id).
        The candidates' rows are locked while their assessments are counted, and the
        chosen one's row is written: a concurrent pick waits for the lock, and if it
        counted on a snapshot older than this pick it fails on that row (serialization
        failure) and is retried, then counts the new assessment."""
        Users = self.env["res.users"].sudo()
        query = Users._search(Users._hmr_get_diagnosis_doctor_domain(), order="id")
        doctor_ids = [
            row[0] for row in self.env.execute_query(SQL("%s FOR NO KEY UPDATE", query.select()))
        ]
        if not doctor_ids:
            return Users
        open_counts = self.sudo()._read_group(
            [("doctor_id", "in", doctor_ids), ("state", "=", "open")], ["doctor_id"], ["__count"]
        )
        loads = {doctor.id: count for doctor, count in open_counts}
        doctor_id = min(doctor_ids, key=lambda id_: (loads.get(id_, 0), id_))
        self.env.cr.execute(
            SQL("UPDATE res_users SET write_date = write_date WHERE id = %s", doctor_id)
        )
        return Users.browse(doctor_id)

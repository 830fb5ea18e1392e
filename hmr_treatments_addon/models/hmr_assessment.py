from odoo import api, fields, models
from odoo.exceptions import UserError

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

    def write(self, vals):
        closing = self.browse()
        if vals.get("state") in ("done", "cancelled"):
            closing = self.filtered(lambda a: a.state == "open")
        res = super().write(vals)
        for doctor, assessments in closing.grouped("doctor_id").items():
            doctor._hmr_release_assessments(len(assessments))
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_release_doctor(self):
        for doctor, assessments in (
            self.filtered(lambda a: a.state == "open").grouped("doctor_id").items()
        ):
            doctor._hmr_release_assessments(len(assessments))

    def action_done(self):
        """The doctor has assessed: the case moves on to its quote (S2.3)."""
        self.ensure_one()
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

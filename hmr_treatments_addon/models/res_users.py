from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL


class ResUsers(models.Model):
    _inherit = "res.users"

    hmr_open_assessment_count = fields.Integer(
        string="Open Assessments",
        readonly=True,
        copy=False,
        help="Assessments waiting for this diagnosis doctor: the next one goes to the doctor "
        "with the fewest.",
    )
    hmr_incomplete_case_ids = fields.Many2many(
        "hmr.treatment.case",
        compute="_compute_hmr_incomplete_case_ids",
        string="Incomplete Profiles",
        help="Prospects of this executive whose photos are still missing.",
    )

    def _compute_hmr_incomplete_case_ids(self):
        Case = self.env["hmr.treatment.case"].sudo()
        cases = Case.search(
            Case._get_incomplete_profile_domain() & Domain("user_id", "in", self.ids),
            order="lead_id, id",
        )
        by_user = cases.grouped("user_id")
        for user in self:
            user.hmr_incomplete_case_ids = by_user.get(user, Case)

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._hmr_assign_waiting_cases_if_doctor()
        return users

    def write(self, vals):
        res = super().write(vals)
        if "group_ids" in vals or vals.get("active"):
            self._hmr_assign_waiting_cases_if_doctor()
        if "active" in vals and not vals["active"]:
            self._hmr_reassign_open_assessments()
        return res

    def _hmr_reassign_open_assessments(self):
        """S2.2, reliability: doctors archived while holding open assessments: each goes
        to the least-loaded remaining doctor, or waits for one (none is lost)."""
        assessments = (
            self.env["hmr.assessment"]
            .sudo()
            .search([("doctor_id", "in", self.ids), ("state", "=", "open")], order="id")
        )
        assessments.case_id._hmr_reassign_open_assessments()

    def _hmr_assign_waiting_cases_if_doctor(self):
        """A doctor appeared: the cases that waited for one are assigned (S2.2)."""
        doctor_group = self.env.ref("hmr_crm_addon.group_hmr_doctor")
        if any(doctor_group in user.group_ids for user in self):
            self.env["hmr.treatment.case"].sudo()._assign_waiting_cases()

    @api.model
    def _hmr_get_diagnosis_doctors(self):
        """The users given the Diagnosis Doctor role (managers only when also given it)."""
        doctor_group = self.env.ref("hmr_crm_addon.group_hmr_doctor")
        return self.sudo().search([("group_ids", "in", doctor_group.id), ("share", "=", False)])

    @api.model
    def _hmr_take_least_loaded_doctor(self):
        """Pick the diagnosis doctor with the fewest open assessments (ties: the lowest id)
        and count the new assessment on their row in the same statement. Writing the
        doctor's row is what makes it race-free: a concurrent transaction that picked the
        same doctor fails on that row and is retried, then sees the new count."""
        doctor_group = self.env.ref("hmr_crm_addon.group_hmr_doctor")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_users
                   SET hmr_open_assessment_count = COALESCE(hmr_open_assessment_count, 0) + 1
                 WHERE id = (
                        SELECT u.id
                          FROM res_users u
                          JOIN res_groups_users_rel rel ON rel.uid = u.id AND rel.gid = %s
                         WHERE u.active AND NOT u.share
                      ORDER BY COALESCE(u.hmr_open_assessment_count, 0), u.id
                         LIMIT 1
                           FOR UPDATE OF u
                       )
             RETURNING id
                """,
                doctor_group.id,
            )
        )
        row = self.env.cr.fetchone()
        doctor = self.browse(row[0] if row else ())
        doctor.invalidate_recordset(["hmr_open_assessment_count"])
        return doctor

    def _hmr_release_assessments(self, count=1):
        """``count`` open assessments of these doctors were closed."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_users
                   SET hmr_open_assessment_count = GREATEST(
                       COALESCE(hmr_open_assessment_count, 0) - %s, 0)
                 WHERE id IN %s
                """,
                count,
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["hmr_open_assessment_count"])

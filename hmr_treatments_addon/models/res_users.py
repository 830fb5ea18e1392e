from odoo import api, fields, models
from odoo.fields import Domain


class ResUsers(models.Model):
    _inherit = "res.users"

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
    def _hmr_get_diagnosis_doctor_domain(self):
        """The users given the Diagnosis Doctor role (managers only when also given it)."""
        # the cached id: no query for the group's existence in each pick
        doctor_group_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "hmr_crm_addon.group_hmr_doctor"
        )
        return Domain("group_ids", "in", doctor_group_id) & Domain("share", "=", False)

    @api.model
    def _hmr_get_diagnosis_doctors(self):
        return self.sudo().search(self._hmr_get_diagnosis_doctor_domain())

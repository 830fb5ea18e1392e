from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_treatments")
class TestHmrTreatmentCase(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Case = cls.env["hmr.treatment.case"]
        cls.case_exec_2 = Case.create(
            {"lead_id": cls.lead_exec_2.id, "treatment_id": cls.treatment_fue.id}
        )
        cls.case_unassigned = Case.create(
            {"lead_id": cls.lead_unassigned.id, "treatment_id": cls.treatment_fue.id}
        )

    def _assign(self, lead, *treatments):
        lead.write(
            {
                "treatment_case_ids": [
                    Command.create({"treatment_id": treatment.id}) for treatment in treatments
                ]
            }
        )
        return lead.treatment_case_ids

    @users("hmr_exec")
    def test_executive_assigns_two_treatments(self):
        """P2: an executive assigns two treatments to their prospect; each case follows
        the process of its treatment and belongs to the prospect's executive."""
        lead = self.lead_exec.with_user(self.env.user)
        cases = self._assign(lead, self.treatment_fue, self.treatment_prp)
        self.assertRecordValues(
            cases,
            [
                {
                    "treatment_id": self.treatment_fue.id,
                    "process_id": self.process.id,
                    "user_id": self.user_executive.id,
                    "partner_id": self.lead_exec.partner_id.id,
                    "name": "Test FUE \N{EN DASH} Ana López Pérez",
                },
                {
                    "treatment_id": self.treatment_prp.id,
                    "process_id": self.process.id,
                    "user_id": self.user_executive.id,
                    "partner_id": self.lead_exec.partner_id.id,
                    "name": "Test PRP \N{EN DASH} Ana López Pérez",
                },
            ],
        )
        self.assertEqual(lead.treatment_case_count, 2)
        cases[0].message_post(body="Prospect asked about the recovery time.")
        self.assertEqual(cases[0].message_ids[0].author_id, self.env.user.partner_id)

    @users("hmr_exec")
    def test_assign_from_the_prospect_form(self):
        """P2, P5: the prospect form assigns treatments in its Treatments page."""
        with Form(self.lead_exec.with_user(self.env.user)) as lead_form:
            with lead_form.treatment_case_ids.new() as case_line:
                case_line.treatment_id = self.treatment_prp
        self.assertEqual(self.lead_exec.treatment_case_ids.treatment_id, self.treatment_prp)

    def test_same_treatment_twice_refused(self):
        """P2: the same treatment cannot be assigned twice to one prospect, even when
        the first assignment is archived; another prospect may get it."""
        case = self._assign(self.lead_exec, self.treatment_fue)
        case.action_archive()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as error:
            self._assign(self.lead_exec, self.treatment_fue)
        self.assertIn(
            "already assigned to this prospect",
            self.env["hmr.treatment.case"]._sql_error_to_message(error.exception),
        )

    @users("hmr_exec")
    def test_executive_sees_own_prospects_cases_only(self):
        """P2: an executive sees and works the cases of their own prospects, neither
        another executive's nor (by default) the unassigned prospects'."""
        own = self._assign(self.lead_exec.with_user(self.env.user), self.treatment_fue)
        Case = self.env["hmr.treatment.case"]
        self.assertEqual(Case.search([]), own)
        own.write({"active": False})
        for case in (self.case_exec_2, self.case_unassigned):
            with self.assertRaises(AccessError):
                case.with_user(self.env.user).read(["name"])
            with self.assertRaises(AccessError):
                case.with_user(self.env.user).write({"active": False})
        with self.assertRaises(AccessError):
            Case.create({"lead_id": self.lead_exec_2.id, "treatment_id": self.treatment_prp.id})
        with self.assertRaises(AccessError):
            own.unlink()

    def test_executive_sees_unassigned_when_manager_allows(self):
        """P2: when managers let executives work unassigned prospects, their cases too."""
        self.user_executive.group_ids += self.env.ref("hmr_crm_addon.group_hmr_see_unassigned")
        cases = self.env["hmr.treatment.case"].with_user(self.user_executive).search([])
        self.assertEqual(cases, self.case_unassigned)

    def test_doctor_reads_unassigned_prospect_they_assess(self):
        """C2, S2.3: a doctor reads an unassigned prospect and its quote only while they
        assess its case (Odoo's salesman rules alone would show them every one)."""
        partner = self.env["res.partner"].create({"name": "Carla Méndez"})
        order = self.env["sale.order"].create(
            {**self.case_unassigned._prepare_quote_values(), "partner_id": partner.id}
        )
        self.assertTrue(order.order_line)
        as_doctor = self.env(user=self.user_doctor)
        visible = [
            (as_doctor["crm.lead"], self.lead_unassigned),
            (as_doctor["sale.order"], order),
            (as_doctor["sale.order.line"], order.order_line),
        ]
        for model, records in visible:
            self.assertFalse(model.search([("id", "in", records.ids)]))
        self.case_unassigned.doctor_id = self.user_doctor
        self.lead_unassigned.doctor_ids = self.user_doctor
        for model, records in visible:
            self.assertEqual(model.search([("id", "in", records.ids)]), records)

    def test_reassigned_prospect_moves_its_cases(self):
        """P2: reassigning a prospect to another executive moves its cases with it."""
        self.lead_exec_2.user_id = self.user_executive
        self.assertEqual(self.case_exec_2.user_id, self.user_executive)
        cases = self.env["hmr.treatment.case"].with_user(self.user_executive).search([])
        self.assertEqual(cases, self.case_exec_2)

    @users("hmr_doctor")
    def test_doctor_reads_cases_of_assessed_prospects(self):
        """P2: a doctor reads, and may comment on, only the cases of the prospects they
        assess, and may not change or create them."""
        own_case = self._assign(self.lead_exec, self.treatment_prp)  # as superuser
        Case = self.env["hmr.treatment.case"]
        self.assertEqual(Case.search([]), own_case)
        case = own_case.with_user(self.env.user)
        self.assertEqual(case.treatment_id, self.treatment_prp)
        case.message_post(body="Good donor area.", message_type="comment")
        with self.assertRaises(AccessError):
            case.write({"active": False})
        with self.assertRaises(AccessError):
            Case.create({"lead_id": self.lead_exec.id, "treatment_id": self.treatment_fue.id})
        with self.assertRaises(AccessError):
            self.case_exec_2.with_user(self.env.user).read(["name"])

    @users("hmr_manager")
    def test_manager_sees_and_deletes_every_case(self):
        """P2: a manager sees every case and may delete one assigned by mistake."""
        Case = self.env["hmr.treatment.case"]
        self.assertEqual(Case.search([]), self.case_exec_2 | self.case_unassigned)
        self.case_unassigned.with_user(self.env.user).unlink()
        self.assertFalse(self.case_unassigned.exists())

    @users("hmr_exec2")
    def test_smart_button_opens_the_prospect_cases(self):
        """P2, P5: the Treatments button of a prospect opens its cases, and a case
        created from there belongs to the prospect."""
        lead = self.lead_exec_2.with_user(self.env.user)
        self.assertEqual(lead.treatment_case_count, 1)
        action = lead.action_view_treatment_cases()
        self.assertEqual(action["res_model"], "hmr.treatment.case")
        self.assertEqual(self.env["hmr.treatment.case"].search(action["domain"]), self.case_exec_2)
        new_case = (
            self.env["hmr.treatment.case"]
            .with_context(**action["context"])
            .create({"treatment_id": self.treatment_prp.id})
        )
        self.assertEqual(new_case.lead_id, self.lead_exec_2)
        lead.invalidate_recordset(["treatment_case_count"])
        self.assertEqual(lead.treatment_case_count, 2)

    def test_case_count_in_one_query(self):
        """P2: the number of treatments of many prospects is counted in one query."""
        leads = self.lead_exec | self.lead_exec_2 | self.lead_unassigned
        leads.invalidate_recordset()
        with self.assertQueryCount(1):
            counts = leads.mapped("treatment_case_count")
        self.assertEqual(counts, [0, 1, 1])

    def test_deleting_prospect_deletes_its_cases(self):
        """P2: a case lives and dies with its prospect."""
        self.lead_exec_2.unlink()
        self.assertFalse(self.case_exec_2.exists())

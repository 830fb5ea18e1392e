from datetime import timedelta

from psycopg2 import errors

from odoo import api
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_doctors")
class TestDoctorAssignment(HmrTreatmentsCommon):
    def test_photos_complete_notifies_all_doctors_once(self):
        """S2.1: when the photos are complete, every diagnosis doctor gets one and the same
        message about the new prospect to assess."""
        case = self._new_case()
        with self.mock_mail_gateway():
            self._send_all_photos(case)
        self.assertEqual(case.step_kind, "assessment")
        notifications = self.env["mail.message"].search(
            [
                ("model", "=", "hmr.treatment.case"),
                ("res_id", "=", case.id),
                ("message_type", "=", "user_notification"),
                ("subject", "like", "New prospect to assess"),
            ]
        )
        self.assertEqual(len(notifications), 1, "one message to all the doctors")
        doctors = self.env["res.users"]._hmr_get_diagnosis_doctors()
        self.assertEqual(notifications.partner_ids, doctors.partner_id)

    def test_least_loaded_doctor_gets_the_assessment(self):
        """S2.2: the assessment goes to the doctor with the fewest open assessments;
        ties go to the same doctor every time (lowest id); the doctor gets an activity
        and read access to the prospect."""
        first, second = self.user_doctor, self.user_doctor_2
        cases = [self._new_case(f"Prospect{index} Test") for index in range(3)]
        for case in cases:
            self._send_all_photos(case)
        self.assertEqual([case.doctor_id for case in cases], [first, second, first])
        self.assertEqual(self._open_loads(first | second), [2, 1])
        self.assertIn(first, cases[0].lead_id.doctor_ids)
        activity = cases[0].activity_ids.filtered(lambda a: a.user_id == first)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("hmr_treatments_addon.mail_activity_type_hmr_assessment"),
        )
        # the doctor reads what they must assess, and not the others
        lead = cases[0].lead_id.with_user(first)
        self.assertEqual(lead.contact_name, "Prospect0 Test")
        visible = self.env["hmr.treatment.case"].with_user(second).search([])
        self.assertEqual(visible, cases[1])

    def test_doctor_reads_only_prospects_to_assess(self):
        """C2, S2.2: a diagnosis doctor reads the prospects given to them to assess, and
        only those; they cannot edit them nor create prospects."""
        mine, other = self._new_case("Bruno Test").lead_id, self._new_case("Carla Test").lead_id
        Lead = self.env["crm.lead"].with_user(self.user_doctor)
        self.assertFalse(Lead.search([("id", "in", (mine | other).ids)]))
        mine.doctor_ids = self.user_doctor
        self.assertEqual(Lead.search([("id", "in", (mine | other).ids)]), mine)
        self.assertEqual(mine.with_user(self.user_doctor).first_name, "Bruno")
        with self.assertRaises(AccessError):
            mine.with_user(self.user_doctor).write({"first_name": "Changed"})
        with self.assertRaises(ValidationError):
            Lead.create({"name": "Doctor's own prospect"})
        with self.assertRaises(AccessError):
            other.with_user(self.user_doctor).read(["name"])

    def test_closing_the_assessment_frees_the_doctor(self):
        """S2.2: an assessed case no longer counts in the doctor's load."""
        case = self._new_case()
        self._send_all_photos(case)
        doctor = case.doctor_id
        self.assertEqual(self._open_loads(doctor), [1])
        assessment = case.assessment_ids.with_user(doctor)
        assessment.write({"hair_loss_scale": "4", "graft_estimate": 2200})
        assessment.action_done()
        self.assertEqual(self._open_loads(doctor), [0])
        self.assertEqual(case.step_kind, "quote")
        self.assertEqual(self.env["hmr.assessment"]._take_least_loaded_doctor(), doctor)

    def test_no_doctor_waits_and_is_assigned_when_one_appears(self):
        """S2.2: with no doctor available the case waits, a manager is told, and the
        assessment is assigned as soon as a doctor exists."""
        doctor_group = self.env.ref("hmr_crm_addon.group_hmr_doctor")
        (self.user_doctor | self.user_doctor_2).action_archive()
        self.assertFalse(self.env["res.users"]._hmr_get_diagnosis_doctors())
        case = self._new_case()
        self._send_all_photos(case)
        self.assertTrue(case.awaiting_doctor)
        self.assertFalse(case.doctor_id)
        managers = case.activity_ids.user_id
        self.assertTrue(
            managers and all(u.has_group("hmr_crm_addon.group_hmr_manager") for u in managers)
        )
        newcomer = mail_new_test_user(
            self.env, login="new_doctor", groups="hmr_crm_addon.group_hmr_doctor"
        )
        self.assertIn(doctor_group, newcomer.group_ids)
        self.assertEqual(case.doctor_id, newcomer)
        self.assertFalse(case.awaiting_doctor)


@tagged("post_install", "-at_install", "hmr_doctors")
class TestDoctorWorkload(HmrTreatmentsCommon):
    def test_workload_open_done_and_days_to_assess(self):
        """B5, S2.2: the managers' doctor workload analyses the assessments: each
        doctor's open and done ones, and the days the done ones took."""
        first, second = self.user_doctor, self.user_doctor_2
        cases = [self._new_case(f"Load{index} Test") for index in range(3)]
        for case in cases:
            self._send_all_photos(case)
        assessment = cases[0].assessment_ids.with_user(first)
        assessment.write({"hair_loss_scale": "4", "graft_estimate": 2200})
        assessment.action_done()
        assessment.sudo().date_done = assessment.create_date + timedelta(days=2, hours=12)
        Assessment = self.env["hmr.assessment"].with_user(self.user_manager)
        groups = Assessment._read_group(
            [("case_id", "in", [case.id for case in cases])],
            ["doctor_id", "state"],
            ["__count", "days_to_assess:avg"],
        )
        self.assertCountEqual(
            groups,
            [(first, "open", 1, 0.0), (first, "done", 1, 2.5), (second, "open", 1, 0.0)],
        )
        menu = self.env.ref("hmr_treatments_addon.hmr_menu_reporting_doctors")
        Menus = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menus.with_user(self.user_manager)._visible_menu_ids())
        self.assertNotIn(menu.id, Menus.with_user(self.user_executive)._visible_menu_ids())


@tagged("post_install", "-at_install", "hmr_doctors", "hmr_performance")
class TestDoctorAssignmentQueries(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the doctors read their notifications in Odoo, as the 18 added below do
        (cls.user_doctor | cls.user_doctor_2).notification_type = "inbox"

    def _count(self, func):
        self.env.flush_all()
        before = self.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_q4_pick_is_constant(self):
        """Q4, S2.2: picking the least-loaded doctor costs at most 3 queries, the same
        with 2 doctors and no open assessment as with 30 doctors and 1,000 open."""
        Assessment = self.env["hmr.assessment"]
        Assessment._take_least_loaded_doctor()  # warm the caches
        small = self._count(Assessment._take_least_loaded_doctor)
        doctors = [
            mail_new_test_user(
                self.env, login=f"q4_doc{i}", groups="hmr_crm_addon.group_hmr_doctor"
            )
            for i in range(28)
        ]
        case = self._new_case()
        Assessment.with_context(tracking_disable=True).create(
            [
                {"case_id": case.id, "doctor_id": doctor.id}
                for i, doctor in enumerate(doctors)
                for _load in range(36 + (i % 5))
            ]
        )
        self.assertGreaterEqual(Assessment.search_count([("state", "=", "open")]), 1000)
        large = self._count(Assessment._take_least_loaded_doctor)
        self.assertLessEqual(small, 3)
        self.assertEqual(small, large)

    def test_q5_notify_all_doctors_is_one_message(self):
        """Q5, S2.1: notifying 20 doctors costs the same as notifying 2 (± 2 queries)."""
        case_2 = self._new_case("Two Doctors")
        self._count(case_2._notify_doctors_new_assessment)  # warm the caches
        count_2 = self._count(case_2._notify_doctors_new_assessment)
        for i in range(18):
            mail_new_test_user(
                self.env,
                login=f"q5_doc{i}",
                groups="hmr_crm_addon.group_hmr_doctor",
                notification_type="inbox",
            )
        case_20 = self._new_case("Twenty Doctors")
        self._count(case_20._notify_doctors_new_assessment)  # warm the new doctors' caches
        count_20 = self._count(case_20._notify_doctors_new_assessment)
        self.assertLessEqual(abs(count_20 - count_2), 2, f"2 doctors: {count_2}, 20: {count_20}")


@tagged("post_install", "-at_install", "hmr_doctors")
class TestDoctorAssignmentRace(TransactionCase):
    """Two transactions picking a doctor at the same time, on two real cursors (the way
    odoo/addons/base/tests/test_ir_sequence.py tests concurrency): committed fixtures,
    created while this test's own transaction holds no lock."""

    def _committed_doctors(self):
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '30s'")  # fail, never hang, on a stray lock
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            group = env.ref("hmr_crm_addon.group_hmr_doctor")
            # the race is between these two doctors only: take the others out of the pool
            self._other_doctor_ids = group.user_ids.filtered("active").ids
            env["res.users"].browse(self._other_doctor_ids).write({"active": False})
            doctors = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    [
                        {
                            "name": f"Race Doctor {i}",
                            "login": f"race_doctor_{i}",
                            "group_ids": [(6, 0, group.ids)],
                        }
                        for i in range(2)
                    ]
                )
            )
            return doctors.ids

    def _cleanup(self, doctor_ids):
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '30s'")  # fail, never hang, on a stray lock
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            leads = env["crm.lead"].browse(self._lead_ids)
            leads.treatment_case_ids.unlink()
            leads.unlink()
            doctors = env["res.users"].browse(doctor_ids)
            partners = doctors.partner_id
            doctors.unlink()
            partners.unlink()
            env["res.users"].browse(self._other_doctor_ids).write({"active": True})

    def _committed_case(self, env):
        lead = env["crm.lead"].create(
            {"name": "Race Prospect", "contact_name": "Race Prospect", "user_id": False}
        )
        self._lead_ids.append(lead.id)
        treatment = env.ref("hmr_treatments_addon.hmr_treatment_fue")
        return env["hmr.treatment.case"].create({"lead_id": lead.id, "treatment_id": treatment.id})

    def _pick_and_open(self, env):
        """A pick and the assessment it opens, as one transaction does them."""
        doctor = env["hmr.assessment"]._take_least_loaded_doctor()
        env["hmr.assessment"].create(
            {"case_id": self._committed_case(env).id, "doctor_id": doctor.id}
        )
        env.flush_all()
        return doctor

    def test_concurrent_picks_never_share_a_doctor(self):
        """S2.2, Q4: two cases becoming ready at the same time never both go to the same
        doctor while another is less loaded: the second transaction, which saw the same
        loads, fails on the chosen doctor's row and, retried, takes the other doctor."""
        doctor_ids = self._committed_doctors()
        self._lead_ids = []
        try:
            with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
                env1 = api.Environment(cr1, api.SUPERUSER_ID, {})
                env2 = api.Environment(cr2, api.SUPERUSER_ID, {})
                cr2.execute(
                    "SELECT count(*) FROM hmr_assessment WHERE doctor_id IN %s",
                    [tuple(doctor_ids)],
                )  # cr2's snapshot: both doctors at 0
                first = self._pick_and_open(env1)
                cr1.commit()
                with self.assertRaises(errors.SerializationFailure):
                    self._pick_and_open(env2)
                cr2.rollback()
                env2.invalidate_all()
                second = self._pick_and_open(env2)
                cr2.commit()
                self.assertEqual(sorted([first.id, second.id]), sorted(doctor_ids))
        finally:
            self._cleanup(doctor_ids)

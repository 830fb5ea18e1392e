from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install")
class TestHmrLostProspect(HmrTreatmentsCommon):
    """A prospect lost (not interested, any lost reason) closes its cases in progress; the
    prospect restored takes them up where they were (issue 11)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        cls.not_interested = cls.env.ref("hmr_crm_addon.crm_lost_reason_not_interested")
        cls.assessment_type = cls.env.ref("hmr_treatments_addon.mail_activity_type_hmr_assessment")

    def _lose(self, case):
        case.lead_id.with_user(self.user_executive).action_set_lost(
            lost_reason_id=self.not_interested.id
        )
        self.assertEqual(case.lead_id.won_status, "lost")

    def _restore(self, case):
        case.lead_id.with_user(self.user_executive).action_restore()
        self.assertEqual(case.lead_id.won_status, "pending")

    def test_lost_at_the_photos_gets_no_reminder_restored_back_at_the_photos(self):
        """D1, S1.3, S1.4 (issue 11): a prospect waiting for their photos is marked not
        interested: the case is closed, the reminder cron mails them nothing, the digest
        leaves them out; restored, the case is back in progress at the photos step."""
        case = self._new_case("Fabiola Lost")
        step = case.step_id
        case.next_photo_reminder_at = fields.Datetime.now() - timedelta(hours=1)
        self._lose(case)
        self.assertRecordValues(
            case,
            [{"state": "lost", "closed_with_prospect": True, "next_photo_reminder_at": False}],
        )
        with self.mock_mail_gateway():
            self._run_cron("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
        self.assertFalse(self._mails_to(case.partner_id), "no reminder to a lost prospect")
        self.assertNotIn(case, self.user_executive.hmr_incomplete_case_ids)

        self._restore(case)
        self.assertRecordValues(
            case, [{"state": "open", "step_id": step.id, "closed_with_prospect": False}]
        )
        self.assertTrue(case.next_photo_reminder_at, "the reminders start again")

    def test_lost_with_an_open_assessment_releases_the_doctor(self):
        """D1, S2.2 (issue 11): a prospect waiting for the doctor's assessment is marked
        not interested: the assessment is cancelled, the doctor no longer holds the case
        nor its activity, their workload is freed; restored, the least-loaded doctor
        assesses it (a new assessment and activity)."""
        case = self._new_case("Gloria Assessed")
        self._send_all_photos(case)
        doctor = case.doctor_id
        self.assertEqual(case.step_kind, "assessment")
        self.assertTrue(doctor)
        doctors = self.user_doctor | self.user_doctor_2
        loads = self._open_loads(doctors)

        self._lose(case)
        self.assertRecordValues(case, [{"state": "lost", "doctor_id": False}])
        self.assertEqual(case.assessment_ids.mapped("state"), ["cancelled"])
        self.assertFalse(
            case.activity_ids.filtered(lambda a: a.activity_type_id == self.assessment_type)
        )
        self.assertEqual(sum(self._open_loads(doctors)), sum(loads) - 1)

        self._restore(case)
        self.assertEqual((case.state, case.step_kind), ("open", "assessment"))
        self.assertIn(case.doctor_id, doctors)
        open_assessment = case.assessment_ids.filtered(lambda a: a.state == "open")
        self.assertEqual(open_assessment.doctor_id, case.doctor_id)
        activity = case.activity_ids.filtered(lambda a: a.activity_type_id == self.assessment_type)
        self.assertEqual(activity.user_id, case.doctor_id)

    def test_lost_at_the_quote_to_prepare_removes_its_activity(self):
        """D1, S2.3 (issue 11): a prospect whose quote is still to prepare is lost: the
        "prepare the quote" activity goes; restored, it is scheduled again."""
        case = self._new_case("Helena Quote", treatment=self.treatment_fue)
        quote_type = self.env.ref("hmr_treatments_addon.mail_activity_type_hmr_quote")
        self.assertEqual(case.activity_ids.activity_type_id, quote_type)
        self._lose(case)
        self.assertFalse(case.activity_ids)
        self._restore(case)
        self.assertEqual((case.state, case.activity_ids.activity_type_id), ("open", quote_type))

    def test_lost_with_a_quote_out_keeps_the_case_to_sign(self):
        """D1, D5, S3.1 (issue 10, 11): a prospect whose quote awaits their answer is marked
        not interested: the case stays open, so that they may still sign (and become a
        client)."""
        order = self._new_sent_quote(self._new_lead("Irene Quote"))
        self._lose(order.hmr_case_id)
        self.assertEqual(order.hmr_case_id.state, "open")
        self.assertFalse(order._hmr_get_answer_refusal())

    def test_restoring_leaves_cases_closed_for_another_reason(self):
        """D1 (issue 11): a case lost on its own (marked lost) before its prospect was lost
        stays lost when the prospect is restored."""
        case = self._new_case("Julia Closed")
        case.with_user(self.user_executive).action_mark_lost()
        self._lose(case)
        self._restore(case)
        self.assertRecordValues(case, [{"state": "lost", "closed_with_prospect": False}])


@tagged("post_install", "-at_install")
class TestHmrHandOverCases(HmrTreatmentsCommon):
    """P4 (issue 11): a prospect handed over to another executive takes along its cases'
    activities, its accepted quote still to follow up and its digest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()

    def _hand_over(self, lead):
        lead.with_user(self.user_manager).user_id = self.user_executive_2

    def test_quote_to_prepare_goes_to_the_new_executive(self):
        """P4, S2.3 (issue 11): the case's "prepare the quote" activity of the old executive
        is the new one's; the doctor's assessment stays the doctor's."""
        case = self._new_case("Karla Quote", treatment=self.treatment_fue)
        prepare = case.activity_ids
        self.assertEqual(prepare.user_id, self.user_executive)
        self._hand_over(case.lead_id)
        self.assertEqual(prepare.user_id, self.user_executive_2)
        self.assertEqual(case.user_id, self.user_executive_2)
        self.assertNotIn(self.user_executive.partner_id, case.message_partner_ids)

    def test_assessment_stays_with_the_doctor(self):
        """P4, S2.2 (issue 11): the doctor's assessment and activity do not move."""
        case = self._new_case("Laura Assessed")
        self._send_all_photos(case)
        doctor, activity = case.doctor_id, case.activity_ids
        self._hand_over(case.lead_id)
        self.assertEqual((case.doctor_id, activity.user_id), (doctor, doctor))

    def test_accepted_quote_to_follow_up_and_its_alert_go_to_the_new_executive(self):
        """P4, S3.4 (issue 11): a quote accepted and confirmed, whose follow-up is still to
        do, is handed over with its follow-up activity: the 24-hour alert goes to the new
        executive."""
        order = self._new_sent_quote(self._new_lead("Mara Accepted"))
        self._answer(order, "accepted")
        order.action_confirm()
        self.assertEqual((order.state, order.hmr_case_id.step_kind), ("sale", "follow_up"))
        follow_up = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type_follow_up
        )
        self.assertEqual(follow_up.user_id, self.user_executive)
        self._hand_over(order.opportunity_id)
        self.assertEqual((order.user_id, follow_up.user_id), (self.user_executive_2,) * 2)
        order.hmr_answered_at = fields.Datetime.now() - timedelta(hours=25)
        mails = self._run_quote_cron()
        alerts = mails.filtered(lambda m: order.name in (m.subject or ""))
        self.assertEqual(alerts.recipient_ids, self.user_executive_2.partner_id)

    def test_digest_lists_the_prospect_for_the_new_executive(self):
        """P4, S1.4 (issue 11): the daily digest of incomplete profiles lists the prospect
        for its new executive only."""
        case = self._new_case("Nora Photos")
        self._hand_over(case.lead_id)
        self.assertIn(case, self.user_executive_2.hmr_incomplete_case_ids)
        self.assertNotIn(case, self.user_executive.hmr_incomplete_case_ids)

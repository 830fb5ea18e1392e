import logging
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import RecordCapturer, freeze_time, tagged
from odoo.tools import SQL

from .common import HmrTreatmentsCommon

_logger = logging.getLogger(__name__)

T0 = datetime(2026, 3, 2, 9, 0, 0)


@tagged("hmr_quote", "post_install", "-at_install")
class TestHmrQuoteAnswer(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()

    # ------------------------------------------------------------
    # S3.1, S3.2: the three answers, each notifying prospect and executive
    # ------------------------------------------------------------

    def test_quote_sent_enters_answer_step(self):
        """S2.4: sending the case's quote starts the answer step and its clock."""
        with freeze_time(T0):
            order = self._new_sent_quote(self.lead_ana)
            self.assertEqual(order.hmr_sent_at, T0)
            self.assertEqual(order.hmr_case_id.step_id, self.step_answer)
            self.assertFalse(order._hmr_get_answer_refusal())

    def test_accept_notifies_prospect_and_executive(self):
        """S3.1, S3.2: accepting moves the case to its follow-up and triggers the quote
        cron, which gives the executive a follow-up activity, mailed to them; a second run
        tells nobody again. (The prospect's acknowledgment is Odoo's confirmation of the
        signed quote: see test_hmr_prospect_emails.)"""
        order = self._new_sent_quote(self.lead_ana)
        cron = self.env.ref("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
        triggers = RecordCapturer(self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", cron.id)])
        with self.mock_mail_gateway(), triggers:
            order._hmr_record_answer("accepted")
        self.assertFalse(self._new_mails, "the request itself sends nothing")
        self.assertEqual(len(triggers.records), 1)
        self.assertEqual(order.hmr_answer, "accepted")
        self.assertTrue(order.hmr_answered_at)
        self.assertEqual(order.hmr_case_id.step_id, self.step_follow_up)

        mails = self._run_quote_cron()
        self.assertFalse(self._mails_to(self.partner_ana))
        activity = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type_follow_up
        )
        self.assertEqual(activity.user_id, self.user_executive)
        self.assertEqual(len(self._mails_to(self.user_executive.partner_id)), 1)
        self.assertEqual(len(mails), 1)
        self.assertFalse(order.hmr_answer_to_notify_at)
        self.assertFalse(self._run_quote_cron(), "each answer is told once")
        self.assertEqual(len(order.activity_ids), 1)

    def test_notified_at_once_without_cron(self):
        """S3.2: with the quote cron archived, the answer is told right away."""
        self.env.ref("hmr_treatments_addon.ir_cron_hmr_quote_alerts").active = False
        order = self._new_sent_quote(self.lead_ana)
        with self.mock_mail_gateway():
            order._hmr_record_answer("talk", "Call me")
        self.assertEqual(len(self._mails_to(self.partner_ana, "will contact you")), 1)
        self.assertEqual(len(self._mails_to(self.user_executive.partner_id)), 1)
        self.assertFalse(order.hmr_answer_to_notify_at)

    def test_reject_with_reason_notifies_and_closes_case(self):
        """S3.1, S3.2: rejecting closes the case as lost, mails the prospect, and gives the
        executive an activity with the reason, escaped (the prospect typed it)."""
        order = self._new_sent_quote(self.lead_ana)
        reason = "Too expensive <b>really</b>"
        self._answer(order, "rejected", reason)
        self.assertEqual(order.hmr_answer, "rejected")
        self.assertEqual(order.hmr_answer_message, reason)
        self.assertEqual(order.hmr_case_id.state, "lost")
        self.assertEqual(len(self._mails_to(self.partner_ana, "We received your answer")), 1)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.user_executive)
        self.assertIn("&lt;b&gt;really&lt;/b&gt;", str(activity.note))
        self.assertEqual(len(self._mails_to(self.user_executive.partner_id)), 1)

    def test_talk_twice_then_accept(self):
        """S3.1, S3.2: asking to talk is not final: it may be repeated, each time
        notifying both sides, and the prospect may accept afterwards."""
        order = self._new_sent_quote(self.lead_ana)
        for message in ("Can we lower the price?", "Call me after 6pm"):
            self._answer(order, "talk", message)
            self.assertEqual(order.hmr_answer, "talk")
            self.assertEqual(order.hmr_answer_message, message)
            self.assertEqual(order.hmr_case_id.step_id, self.step_answer)
            self.assertEqual(len(self._mails_to(self.partner_ana, "will contact you")), 1)
            self.assertEqual(len(self._mails_to(self.user_executive.partner_id)), 1)
        calls = order.activity_ids.filtered(lambda a: a.activity_type_id.category == "phonecall")
        self.assertEqual(len(calls), 2)
        self.assertIn("Call me after 6pm", str(calls.mapped("note")))
        self._answer(order, "accepted")
        self.assertEqual(order.hmr_case_id.step_id, self.step_follow_up)

    def test_answer_tracked_in_chatter(self):
        """B7: the decision appears in the quote's chatter (tracking of the answer)."""
        order = self._new_sent_quote(self.lead_ana)
        self.env.cr.flush()  # a new transaction: the quote was created and sent earlier
        order._hmr_record_answer("talk", "Questions")
        self.env.cr.flush()
        order._hmr_record_answer("accepted")
        self.env.cr.flush()
        order.invalidate_recordset(["message_ids"])
        tracked = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "hmr_answer"
        )
        self.assertEqual(sorted(tracked.mapped("new_value_char")), ["Accepted", "Asked to talk"])

    # ------------------------------------------------------------
    # repeated, out-of-order and late answers (security and bad input)
    # ------------------------------------------------------------

    def _assert_refused(self, order, message):
        before = self._answer_state(order)
        with self.assertRaisesRegex(UserError, message):
            order._hmr_check_can_answer()
        self.assertEqual(self._answer_state(order), before)

    def test_accept_twice_refused(self):
        """S3.1: a second acceptance is refused with a clear message, nothing changes."""
        order = self._new_sent_quote(self.lead_ana)
        self._answer(order, "accepted")
        self._assert_refused(order, "already accepted")

    def test_reject_after_accept_refused(self):
        """S3.1: rejecting an accepted quote is refused."""
        order = self._new_sent_quote(self.lead_ana)
        self._answer(order, "accepted")
        self._assert_refused(order, "already accepted")

    def test_talk_after_reject_refused(self):
        """S3.1: asking to talk about a rejected quote is refused."""
        order = self._new_sent_quote(self.lead_ana)
        self._answer(order, "rejected", "No")
        self._assert_refused(order, "already rejected")

    def test_expired_quote_refused(self):
        """S3.1: a quote past its validity date cannot be answered."""
        order = self._new_sent_quote(self.lead_ana)
        order.validity_date = fields.Date.today() - timedelta(days=1)
        self._assert_refused(order, "expired")

    def test_unsent_or_cancelled_quote_refused(self):
        """S3.1: a draft quote (not sent yet) or a cancelled one cannot be answered."""
        case = self.env["hmr.treatment.case"].create(
            {"lead_id": self.lead_ana.id, "treatment_id": self.treatment_fue.id}
        )
        order = self.env["sale.order"].browse(case.action_create_quote()["res_id"])
        self._assert_refused(order, "not ready yet")
        order.action_quotation_sent()
        order._action_cancel()
        self._assert_refused(order, "can no longer be answered")

    # ------------------------------------------------------------
    # S3.3, S3.4: the 24-hour alerts, once each
    # ------------------------------------------------------------

    def _alerts(self, mails, executive, subject):
        alerts = mails.filtered(lambda m: subject in m.subject)
        # an internal alert: to the executive, never to the prospect (the alert
        # templates must not use the quote's default recipients: use_default_to=False)
        self.assertEqual(
            alerts.recipient_ids, executive.partner_id, "the alert must go to the executive"
        )
        self.assertFalse(alerts.email_to)
        return alerts

    def test_no_answer_alert_once_after_24h(self):
        """S3.3: no answer 23 hours after sending: nothing; 25 hours: one alert to the
        executive and its marker; the next run sends nothing more (exactly-once)."""
        with freeze_time(T0):
            order = self._new_sent_quote(self.lead_ana)
        with freeze_time(T0 + timedelta(hours=23)):
            self.assertFalse(self._run_quote_cron())
        with freeze_time(T0 + timedelta(hours=25)):
            mails = self._run_quote_cron()
            self.assertEqual(len(mails), 1)
            self.assertEqual(len(self._alerts(mails, self.user_executive, "No answer yet")), 1)
            self.assertEqual(order.hmr_no_answer_alerted_at, T0 + timedelta(hours=25))
        with freeze_time(T0 + timedelta(hours=30)):
            self.assertFalse(self._run_quote_cron())

    def test_answer_before_24h_no_alert(self):
        """S3.3: an answer within the limit (asking to talk, rejecting) means no
        "no answer" alert."""
        with freeze_time(T0):
            orders = [self._new_sent_quote(self.lead_ana), self._new_sent_quote(self.lead_bruno)]
        with freeze_time(T0 + timedelta(hours=3)):
            self._answer(orders[0], "talk", "Call me")
            self._answer(orders[1], "rejected")
        with freeze_time(T0 + timedelta(hours=25)):
            self.assertFalse(self._run_quote_cron())

    def test_follow_up_done_no_alert(self):
        """S3.4: accepted, and the executive marks the follow-up activity done within the
        limit: no alert, the case is done."""
        with freeze_time(T0):
            order = self._new_sent_quote(self.lead_ana)
        with freeze_time(T0 + timedelta(hours=2)):
            self._answer(order, "accepted")
        with freeze_time(T0 + timedelta(hours=10)):
            activity = order.activity_ids.filtered(
                lambda a: a.activity_type_id == self.activity_type_follow_up
            )
            activity.with_user(self.user_executive).action_feedback(feedback="Called her")
            self.assertEqual(order.hmr_followed_up_at, T0 + timedelta(hours=10))
            self.assertEqual(order.hmr_case_id.state, "done")
        with freeze_time(T0 + timedelta(hours=40)):
            self.assertFalse(self._run_quote_cron())

    def test_no_follow_up_alert_once_after_24h(self):
        """S3.4: accepted and nobody followed up 24 hours later: one alert to the
        executive, once."""
        with freeze_time(T0):
            order = self._new_sent_quote(self.lead_ana)
        with freeze_time(T0 + timedelta(hours=2)):
            self._answer(order, "accepted")
        with freeze_time(T0 + timedelta(hours=25)):
            self.assertFalse(self._run_quote_cron())
        with freeze_time(T0 + timedelta(hours=27)):
            mails = self._run_quote_cron()
            self.assertEqual(len(mails), 1)
            self.assertEqual(
                len(self._alerts(mails, self.user_executive, "Accepted quote waiting")), 1
            )
            self.assertEqual(order.hmr_follow_up_alerted_at, T0 + timedelta(hours=27))
        with freeze_time(T0 + timedelta(hours=50)):
            self.assertFalse(self._run_quote_cron())

    def test_limits_come_from_the_steps(self):
        """S3.3, S3.4, B4: managers tune the limits on the process steps: with 48 hours,
        nothing at 25 hours, the alerts at 49 hours."""
        self.step_answer.deadline_hours = 48
        self.step_follow_up.deadline_hours = 48
        with freeze_time(T0):
            unanswered = self._new_sent_quote(self.lead_ana)
            accepted = self._new_sent_quote(self.lead_bruno)
            self._answer(accepted, "accepted")
        with freeze_time(T0 + timedelta(hours=25)):
            self.assertFalse(self._run_quote_cron())
        with freeze_time(T0 + timedelta(hours=49)):
            mails = self._run_quote_cron()
        self.assertEqual(len(self._alerts(mails, self.user_executive, "No answer yet")), 1)
        self.assertEqual(
            len(self._alerts(mails, self.user_executive_2, "Accepted quote waiting")), 1
        )
        self.assertTrue(unanswered.hmr_no_answer_alerted_at)
        self.assertTrue(accepted.hmr_follow_up_alerted_at)

    def test_alert_searches_use_their_index(self):
        """Q6: the hourly alert cron finds the quotes waiting for an alert through an
        index of those quotes alone, not by reading every quote."""
        SaleOrder = self.env["sale.order"]
        self.env.cr.execute("SET LOCAL enable_seqscan = off")  # tiny test tables
        self.addCleanup(self.env.cr.execute, "SET LOCAL enable_seqscan = on")
        for domain, index in (
            (SaleOrder._hmr_get_unanswered_domain(self.step_answer), "no_answer_alert_idx"),
            (SaleOrder._hmr_get_no_follow_up_domain(self.step_follow_up), "follow_up_alert_idx"),
        ):
            query = SaleOrder._search(domain, limit=50, order="id").select()
            self.env.cr.execute(SQL("EXPLAIN %s", query))
            plan = "\n".join(line for (line,) in self.env.cr.fetchall())
            self.assertIn(f"sale_order_hmr_{index}", plan)

    def test_alert_cron_queries_constant(self):
        """Q6: the alert cron's queries do not grow with the size of its batches:
        count(batch of 10 + 10 due) = count(batch of 100 + 100 due) ± 3. A batch is a
        chunk of mails (``mail.batch_size``): raised here so that 100 quotes fit in one."""
        self.env["ir.config_parameter"].set_param("mail.batch_size", 100)
        case = self.env["hmr.treatment.case"].create(
            {"lead_id": self.lead_ana.id, "treatment_id": self.treatment_fue.id}
        )
        executives = self.user_executive | self.user_executive_2

        def make_due_orders(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Due {i}", "email": f"due.{i}@example.mx"} for i in range(count * 2)]
            )
            orders = self.env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "user_id": executives[i % 2].id,
                        "hmr_case_id": case.id,
                        "state": "sent",
                        "hmr_sent_at": T0,
                    }
                    for i, partner in enumerate(partners)
                ]
            )
            orders[count:].write({"hmr_answer": "accepted", "hmr_answered_at": T0})
            self.env.flush_all()
            self.env.invalidate_all()
            return orders

        def count_queries():
            count0 = self.env.cr.sql_log_count
            mails = self._run_quote_cron()
            self.env.flush_all()
            return self.env.cr.sql_log_count - count0, len(mails)

        with freeze_time(T0 + timedelta(hours=30)):
            make_due_orders(2)
            count_queries()  # warm-up: caches of templates, views, fields
            make_due_orders(10)
            count_10, mails_10 = count_queries()
            make_due_orders(100)
            count_100, mails_100 = count_queries()
        self.assertEqual((mails_10, mails_100), (20, 200))
        _logger.info("Q6 alert cron queries: 10+10 due %s, 100+100 due %s", count_10, count_100)
        self.assertLessEqual(
            abs(count_100 - count_10),
            3,
            f"alert cron: {count_10} queries for 10+10 quotes, {count_100} for 100+100",
        )

import json
from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged, users

from odoo.addons.bus.models.bus import json_dump

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestCalls(HmrCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mexico City is UTC-6 all year
        (cls.user_executive | cls.user_executive_2 | cls.user_manager).tz = "America/Mexico_City"

    def _new_call(self, lead, call_at, **values):
        return self.env["hmr.call"].create(
            {"lead_id": lead.id, "user_id": lead.user_id.id, "call_at": call_at, **values}
        )

    @users("hmr_exec")
    @freeze_time("2026-06-15 15:00:00")  # 09:00 in Mexico City
    def test_schedule_a_call_at_a_time(self):
        """D2, D6: from a prospect, the executive schedules a call at a day and time;
        the prospect shows its next call; the call is named after the prospect and
        the time, in the reader's time zone."""
        lead = self.lead_exec.with_user(self.env.user)
        action = lead.action_hmr_schedule_call()
        form = Form(self.env["hmr.call"].with_context(**action["context"]), action["views"][0][0])
        form.call_at = datetime(2026, 6, 15, 17, 30)  # 11:30 in Mexico City
        form.notes = "Explain the FUE technique"
        call = form.save()
        self.assertRecordValues(
            call,
            [
                {
                    "lead_id": lead.id,
                    "user_id": self.user_executive.id,
                    "state": "planned",
                    "called_at": False,
                    "phone": lead.phone,
                }
            ],
        )
        self.assertEqual(lead.hmr_next_call_at, datetime(2026, 6, 15, 17, 30))
        self.assertEqual(lead.hmr_call_count, 1)
        self.assertIn("15/06/2026 11:30", call.display_name, "shown in the user's time")
        self.assertIn("15/06/2026 17:30", call.with_context(tz="UTC").display_name)
        lead.contact_name = "Ana María López"
        self.assertEqual(call.display_name, "Ana María López - 15/06/2026 11:30")

    @users("hmr_exec")
    @freeze_time("2026-06-15 15:00:00")  # Monday 09:00 in Mexico City
    def test_today_future_and_overdue_calls(self):
        """D6: the calls of today (in the executive's time zone), the future ones and
        the overdue ones (planned, time passed)."""
        lead = self.lead_exec
        with freeze_time("2026-06-14 12:00:00"):  # planned on Sunday morning, not made since
            overdue = self._new_call(lead, datetime(2026, 6, 15, 14, 0))  # 08:00 today
            yesterday = self._new_call(lead, datetime(2026, 6, 14, 20, 0))  # Sunday 14:00
        today = self._new_call(lead, datetime(2026, 6, 16, 5, 0))  # 23:00 today (UTC tomorrow)
        tomorrow = self._new_call(lead, datetime(2026, 6, 16, 6, 30))  # 00:30 tomorrow
        made = self._new_call(
            lead, datetime(2026, 6, 15, 16, 0), state="done", outcome="interested"
        )
        Call = self.env["hmr.call"]
        calls = overdue | yesterday | today | tomorrow | made
        self.assertEqual(Call.search([("period", "=", "today"), ("id", "in", calls.ids)]), today)
        self.assertEqual(
            Call.search([("period", "=", "future"), ("id", "in", calls.ids)]), tomorrow
        )
        self.assertEqual(
            Call.search([("period", "=", "overdue"), ("id", "in", calls.ids)]), overdue | yesterday
        )
        self.assertEqual(
            calls.mapped("period"), ["overdue", "overdue", "today", "future", "closed"]
        )
        self.assertEqual(lead.hmr_next_call_at, datetime(2026, 6, 14, 20, 0))

    @users("hmr_exec")
    def test_mark_made_with_outcome(self):
        """D6, B7: a call is marked made with its outcome and notes: when it was made is
        recorded, the prospect's chatter tells it, and an interested lead becomes a
        contact."""
        lead = self.lead_exec.with_user(self.env.user)
        with freeze_time("2026-06-15 15:00:00"):
            call = self._new_call(lead, datetime(2026, 6, 15, 17, 0))
        call.write({"outcome": "interested", "notes": "Wants a quote for 2,000 grafts"})
        with freeze_time("2026-06-15 17:05:00"):
            call.action_mark_done()
        self.assertRecordValues(
            call, [{"state": "done", "called_at": datetime(2026, 6, 15, 17, 5)}]
        )
        self.assertEqual(lead.hmr_status, "contact")
        self.assertFalse(lead.hmr_next_call_at)
        note = lead.message_ids[0]
        self.assertIn("Interested", note.body)
        self.assertIn("2,000 grafts", note.body)

    def test_reminded_at_the_time_once(self):
        """D6: the executive is reminded at the call's time (the cron is triggered for
        that time), once, in their inbox/email and as a notification in the web client;
        a call moved to another time is reminded again."""
        with freeze_time("2026-06-15 15:00:00"):
            call = self._new_call(
                self.lead_exec, datetime(2026, 6, 15, 17, 30), notes="Ask about the date"
            )
        cron = self.env.ref("hmr_crm_addon.ir_cron_hmr_call_reminders")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertIn(datetime(2026, 6, 15, 17, 30), triggers.mapped("call_at"))
        with freeze_time("2026-06-15 17:29:00"), self.mock_mail_gateway():
            self._run_cron("hmr_crm_addon.ir_cron_hmr_call_reminders")
        self.assertFalse(call.reminded_at, "not before its time")
        with (
            freeze_time("2026-06-15 17:30:00"),
            self.mock_mail_gateway(),
            self.mock_bus(),
        ):
            self._run_cron("hmr_crm_addon.ir_cron_hmr_call_reminders")
            self._run_cron("hmr_crm_addon.ir_cron_hmr_call_reminders")
        self.assertEqual(call.reminded_at, datetime(2026, 6, 15, 17, 30))
        reminders = self.env["mail.message"].search(
            [
                ("model", "=", "hmr.call"),
                ("res_id", "=", call.id),
                ("message_type", "=", "user_notification"),
                ("subject", "ilike", "now"),
            ]
        )
        self.assertEqual(len(reminders), 1, "reminded once")
        self.assertEqual(reminders.partner_ids, self.user_executive.partner_id)
        self.assertIn("Ask about the date", reminders.body)
        # queued for the mail queue, as Odoo's scheduled actions queue their mails
        self.assertMailMail(
            self.user_executive.partner_id, "outgoing", author=self.env.user.partner_id
        )
        # and a sticky notification in the web client
        self.env.cr.precommit.run()
        channel = json_dump([self.cr.dbname, "res.partner", self.user_executive.partner_id.id])
        toasts = [
            json.loads(bus.message)["payload"]
            for bus in self.env["bus.bus"].sudo().search([("channel", "=", channel)])
            if json.loads(bus.message)["type"] == "simple_notification"
        ]
        self.assertEqual(
            toasts,
            [
                {
                    "type": "warning",
                    "sticky": True,
                    "title": f"Call {self.lead_exec.display_name} now",
                    "message": f"It is time to call {self.lead_exec.display_name} "
                    f"({self.lead_exec.phone}).\nAsk about the date",
                }
            ],
        )
        with freeze_time("2026-06-15 17:40:00"):
            call.call_at = datetime(2026, 6, 15, 18, 0)
        self.assertFalse(call.reminded_at, "moved: to remind again")

    @users("hmr_exec2")
    @freeze_time("2026-06-15 15:00:00")
    def test_calls_follow_the_prospect_rights(self):
        """C2, D6: an executive reads and makes only the calls of their prospects;
        managers see all of them; doctors have no calls; a call's executive must have
        the role."""
        call = (
            self.env["hmr.call"]
            .sudo()
            .create(
                {
                    "lead_id": self.lead_exec.id,
                    "user_id": self.user_executive.id,
                    "call_at": datetime(2026, 6, 15, 17, 0),
                }
            )
        )
        with self.assertRaises(AccessError):
            call.with_user(self.env.user).read(["call_at"])
        with self.assertRaises(AccessError):
            self.env["hmr.call"].create(
                {"lead_id": self.lead_exec.id, "call_at": datetime(2026, 6, 15, 17, 0)}
            )
        self.assertTrue(call.with_user(self.user_manager).read(["call_at"]))
        with self.assertRaises(AccessError):
            call.with_user(self.user_doctor).read(["call_at"])
        with self.assertRaises(ValidationError):
            call.user_id = self.user_doctor

    @users("hmr_exec")
    @freeze_time("2026-06-15 15:00:00")
    def test_made_without_outcome_asks_for_it(self):
        """D6 (issue 11): "Made" on a call without outcome (the list's button) opens the
        call in a dialog where the outcome is required, instead of an error; its button
        marks the call made; several calls without outcome are refused together."""
        lead = self.lead_exec.with_user(self.env.user)
        call = self._new_call(lead, datetime(2026, 6, 15, 17, 0))
        action = call.action_mark_done()
        dialog = self.env.ref("hmr_crm_addon.hmr_call_view_form_done")
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"], action["views"]),
            ("hmr.call", call.id, "new", [(dialog.id, "form")]),
        )
        self.assertEqual(call.state, "planned", "asked, not made")
        form = Form(call, view=dialog)
        self.assertTrue(form._get_modifier("outcome", "required"))
        form.outcome = "call_back"
        form.save()
        call.action_mark_done()
        self.assertRecordValues(call, [{"state": "done", "outcome": "call_back"}])
        others = self._new_call(lead, datetime(2026, 6, 16, 17, 0)) | self._new_call(
            lead, datetime(2026, 6, 17, 17, 0)
        )
        with self.assertRaises(UserError):
            others.action_mark_done()

    @users("hmr_exec")
    def test_calls_sorted_to_make_first(self):
        """D6 (issue 11): calls are listed by when to make them, the overdue ones first,
        the made and cancelled ones after the calls to make."""
        lead = self.lead_exec
        with freeze_time("2026-06-15 12:00:00"):
            overdue = self._new_call(lead, datetime(2026, 6, 15, 14, 0))
        with freeze_time("2026-06-15 15:00:00"):
            later = self._new_call(lead, datetime(2026, 6, 20, 17, 0))
            soon = self._new_call(lead, datetime(2026, 6, 15, 18, 0))
            made = self._new_call(
                lead, datetime(2026, 6, 25, 16, 0), state="done", outcome="interested"
            )
            cancelled = self._new_call(lead, datetime(2026, 6, 16, 16, 0), state="cancelled")
            calls = overdue | later | soon | made | cancelled
            found = self.env["hmr.call"].search([("id", "in", calls.ids)])
        self.assertEqual(list(found), [overdue, soon, later, made, cancelled])

    @users("hmr_exec")
    @freeze_time("2026-06-15 15:00:00")
    def test_call_in_the_past_refused(self):
        """D6 (issue 11): a call to make cannot be planned in the past (a few minutes'
        grace for filling the form in), nor moved there; a call made is recorded with its
        past time; an overdue call made by mistake can be set to do again."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.assertRaisesRegex(ValidationError, "cannot be planned in the past"):
            self._new_call(lead, datetime(2026, 6, 15, 12, 0))
        just_now = self._new_call(lead, datetime(2026, 6, 15, 14, 57))
        self.assertEqual(just_now.period, "overdue")
        call = self._new_call(lead, datetime(2026, 6, 16, 17, 0))
        with self.assertRaises(ValidationError):
            call.call_at = datetime(2026, 6, 14, 17, 0)
        made = self._new_call(lead, datetime(2026, 6, 15, 12, 0), state="done", outcome="no_answer")
        self.assertEqual(made.state, "done")
        made.action_reset_to_planned()
        self.assertEqual((made.state, made.period), ("planned", "overdue"))

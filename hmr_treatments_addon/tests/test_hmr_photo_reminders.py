from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import SLOT_NAMES, HmrTreatmentsCommon

T0 = datetime(2021, 3, 2, 9, 0, 0)
# anything that would let the prospect reach their photos from the mail (B3)
PHOTO_LINK_MARKERS = ("/web/image", "/web/content", "hmr.case.photo", "ir.attachment", "<img")


@tagged("post_install", "-at_install", "hmr_photos")
class TestHmrPhotoReminders(HmrTreatmentsCommon):
    """S1.2, S1.3: the prospect is told what is missing right away, then reminded at
    the cadence of the photos step until the photos are complete; after the last
    reminder the sales executive takes over. S1.4: each executive gets one digest.

    The cases of this class are created at T0 (in 2021): the ones the common creates at
    the real date are not due when the crons run at T0 and after."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_photo_case()
        cls.user_executive.email = "eva.exec@example.com"
        cls.user_executive_2.email = "ernesto.exec2@example.com"
        with freeze_time(T0):
            cls.leads = cls._create_leads(
                [
                    ("Diana Ruiz", cls.user_executive),
                    ("Elena Soto", cls.user_executive),
                    ("Fabián Torres", cls.user_executive_2),
                ]
            )
            cls.cases = cls._create_cases(cls.leads)
        cls.case_diana, cls.case_elena, cls.case_fabian = cls.cases

    @classmethod
    def _create_leads(cls, names_and_executives):
        return (
            cls.env["crm.lead"]
            .with_context(mail_create_nolog=True)
            .create(
                [
                    {
                        "name": name,
                        "contact_name": name,
                        "email_from": f"{name.split()[0].lower()}.{index}@example.com",
                        "type": "opportunity",
                        "user_id": executive.id,
                    }
                    for index, (name, executive) in enumerate(names_and_executives)
                ]
            )
        )

    @classmethod
    def _create_cases(cls, leads):
        return cls.env["hmr.treatment.case"].create(
            [{"lead_id": lead.id, "treatment_id": cls.photo_treatment.id} for lead in leads]
        )

    def _run_cron(self, xmlid, when=T0):
        """Run the scheduled action as Odoo's scheduler does, in a transaction of its own
        (the test's, in test mode) that commits each batch: return the mails it queued."""
        with freeze_time(when), self.mock_mail_gateway():
            super()._run_cron(xmlid)
        return self._new_mails

    def _run_reminder_cron(self, when):
        return self._run_cron("hmr_treatments_addon.ir_cron_hmr_photo_reminders", when)

    def _mails_to(self, mails, partner):
        return mails.filtered(lambda mail: partner in mail.recipient_ids)

    def _activities(self, case):
        return self.env["mail.activity"].search(
            [("res_model", "=", "hmr.treatment.case"), ("res_id", "=", case.id)]
        )

    # ------------------------------------------------------------
    # S1.2, S1.3
    # ------------------------------------------------------------

    def test_first_reminder_right_away_lists_missing_photos(self):
        """S1.3, B3: a new case is reminded at the first run of the cron; the mail names
        exactly the missing photos and contains no link to the photos."""
        case = self.case_diana
        self.assertEqual(case.next_photo_reminder_at, T0)
        self.env["hmr.case.photo"].create(
            [self.photo_values(slot, case=case) for slot in self.slots[:2]]
        )

        mails = self._run_reminder_cron(T0)

        mail = self._mails_to(mails, case.partner_id)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.model, "hmr.treatment.case")
        self.assertEqual(mail.res_id, case.id)
        body = str(mail.body_html)
        for name in SLOT_NAMES[2:]:
            self.assertIn(name, body)
        for name in SLOT_NAMES[:2]:
            self.assertNotIn(name, body, "a photo already received is not asked again")
        for marker in PHOTO_LINK_MARKERS:
            self.assertNotIn(marker, body)
        self.assertFalse(mail.attachment_ids, "B3: the photos are never attached")
        self.assertRecordValues(
            case,
            [{"photo_reminder_count": 1, "next_photo_reminder_at": T0 + timedelta(hours=24)}],
        )

    def test_cron_twice_sends_once(self):
        """Reliability: the marker is written with the queued mail: running the cron
        again within the hour sends nothing more."""
        first = self._run_reminder_cron(T0)
        self.assertEqual(len(self._mails_to(first, self.case_diana.partner_id)), 1)
        self.assertEqual(len(first), 3, "one mail for each of the three new cases")
        self.assertFalse(self._run_reminder_cron(T0))
        self.assertFalse(self._run_reminder_cron(T0 + timedelta(minutes=59)))
        self.assertEqual(self.cases.mapped("photo_reminder_count"), [1, 1, 1])

    def test_cadence_then_executive_activity(self):
        """S1.2, B4: another reminder every reminder_interval_hours, at most
        reminder_max_count; then no more mail, and the executive gets an activity."""
        case = self.case_diana
        self.photo_step.reminder_interval_hours = 24
        self.photo_step.reminder_max_count = 3
        expected = [
            (T0, 1),
            (T0 + timedelta(hours=23), 0),
            (T0 + timedelta(hours=24), 1),
            (T0 + timedelta(hours=48), 1),
            (T0 + timedelta(hours=72), 0),
            (T0 + timedelta(hours=200), 0),
        ]
        for when, mail_count in expected:
            with self.subTest(when=when):
                mails = self._run_reminder_cron(when)
                self.assertEqual(len(self._mails_to(mails, case.partner_id)), mail_count)
        self.assertEqual(case.photo_reminder_count, 3)
        self.assertFalse(case.next_photo_reminder_at)
        activity = self._activities(case)
        self.assertEqual(len(activity), 1, "the executive is told once")
        self.assertEqual(activity.user_id, self.user_executive)

    def test_no_reminder_when_complete_or_closed(self):
        """S1.2: a case whose photos are complete, or which was closed, gets no
        reminder; a case completed after a reminder gets no more."""
        self.env["hmr.case.photo"].create(
            [self.photo_values(slot, case=self.case_diana) for slot in self.slots]
        )
        self.case_fabian.action_mark_lost()
        mails = self._run_reminder_cron(T0)
        self.assertEqual(mails.mapped("res_id"), self.case_elena.ids)

        self.env["hmr.case.photo"].create(
            [self.photo_values(slot, case=self.case_elena) for slot in self.slots]
        )
        self.assertFalse(self.case_elena.next_photo_reminder_at)
        self.assertFalse(self._run_reminder_cron(T0 + timedelta(days=3)))

    def test_q6_reminder_queries_constant_per_batch(self):
        """Q6: reminding a batch of 100 due cases costs the same queries as a batch of
        10 (± 3): nothing is queried per case. A batch is what the cron renders and
        commits in one go, ``mail.batch_size`` cases (Odoo's rendering chunk, 50 by
        default); it is set to 100 here so that both batches are one batch each."""
        self.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 100)
        with freeze_time(T0):
            names = [(f"Prospect {index:03d}", self.user_executive) for index in range(115)]
            cases = self._create_cases(self._create_leads(names))
        warmup, batch_10, batch_100 = cases[:5], cases[5:15], cases[15:]
        self.assertEqual((len(batch_10), len(batch_100)), (10, 100))

        def remind(batch):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            with freeze_time(T0):
                batch._send_photo_reminders()
                self.env.flush_all()
            return self.cr.sql_log_count - start

        remind(warmup)
        count_10 = remind(batch_10)
        count_100 = remind(batch_100)
        self.assertEqual(set(batch_100.mapped("photo_reminder_count")), {1})
        self.assertAlmostEqual(
            count_100, count_10, delta=3, msg=f"Q6: 10 cases: {count_10}, 100: {count_100}"
        )

        # the same cases past their last reminder: an activity each for their executive
        cases.photo_reminder_count = self.photo_step.reminder_max_count
        remind(warmup)
        count_10 = remind(batch_10)
        count_100 = remind(batch_100)
        self.assertEqual(len(self._activities(batch_100[-1])), 1)
        self.assertAlmostEqual(
            count_100,
            count_10,
            delta=3,
            msg=f"Q6, last reminder: 10 cases: {count_10}, 100: {count_100}",
        )

    def test_cron_batches_follow_mail_batch_size(self):
        """Q6, reliability: the cron works in batches of ``mail.batch_size`` cases, each
        committed with its markers and its progress. A run dying in its second batch
        keeps the first; Odoo's scheduler runs it again at once, which reminds the rest:
        each case once."""
        self.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 2)
        Case = type(self.env["hmr.treatment.case"])
        send = Case._send_photo_reminders
        batches = []

        def send_dying_once(cases):
            batches.append(cases.ids)
            send(cases)
            if len(batches) == 2:
                raise MemoryError("the worker dies")

        cron = self.env.ref("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
        with (
            patch.object(Case, "_send_photo_reminders", send_dying_once),
            mute_logger("odoo.addons.base.models.ir_cron"),
        ):
            mails = self._run_reminder_cron(T0)
        self.assertEqual(batches, [self.cases[:2].ids, self.cases[2:].ids, self.cases[2:].ids])
        progress = self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)], order="id")
        self.assertEqual(progress.mapped("done"), [2, 1], "the batch that died is not counted")
        self.assertEqual(self.cases.mapped("photo_reminder_count"), [1, 1, 1])
        self.assertEqual(sorted(mails.exists().mapped("res_id")), sorted(self.cases.ids))

    # ------------------------------------------------------------
    # S1.4
    # ------------------------------------------------------------

    def test_digest_one_mail_per_executive(self):
        """S1.4: each executive gets exactly one digest listing all of their incomplete
        prospects, and only theirs; complete and closed cases are not listed."""
        Photo = self.env["hmr.case.photo"]
        Photo.create([self.photo_values(slot, case=self.case_diana) for slot in self.slots])
        Photo.create(self.photo_values(self.slots[0], case=self.case_elena))
        lost = self._create_cases(self._create_leads([("Gael Lost", self.user_executive)]))
        lost.action_mark_lost()
        mails = self._run_cron("hmr_treatments_addon.ir_cron_hmr_incomplete_digest")
        to_exec = self._mails_to(mails, self.user_executive.partner_id)
        to_exec_2 = self._mails_to(mails, self.user_executive_2.partner_id)
        self.assertEqual((len(to_exec), len(to_exec_2)), (1, 1))
        self.assertEqual(len(mails), len(mails.recipient_ids), "one recipient per mail")

        body, body_2 = str(to_exec.body_html), str(to_exec_2.body_html)
        for name in ("Ana López", "Elena Soto"):
            self.assertIn(name, body)
            self.assertNotIn(name, body_2)
        self.assertIn("Fabián Torres", body_2)
        for name in ("Fabián Torres", "Diana Ruiz", "Gael Lost"):
            self.assertNotIn(name, body)
        self.assertEqual(to_exec.subject, "Prospects with missing photos: 2")
        self.assertEqual(to_exec_2.subject, "Prospects with missing photos: 1")
        for marker in PHOTO_LINK_MARKERS:
            self.assertNotIn(marker, body)

"""Failure drills (issue 6): what happens when things go wrong in production.

The concurrency drills work as ``test_hmr_doctors.TestDoctorAssignmentRace`` does: their
records are committed by cursors of their own (``SET LOCAL lock_timeout`` so that a stray
lock fails fast instead of hanging) and deleted in ``finally``, whatever happens; the
test's own transaction writes nothing, so that it holds no lock those cursors could wait
for."""

import random
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, api, fields
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HmrTreatmentsCommon


@contextmanager
def _committed_env(registry, lock_timeout="20s"):
    """An environment on a cursor of its own, committed when the block ends."""
    with registry.cursor() as cr:
        cr.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")  # fail, never hang
        yield api.Environment(cr, api.SUPERUSER_ID, {})


class _SimulatedKill(Exception):
    """The worker running the cron died (killed, out of memory, restarted)."""


class HmrCommittedProcessMixin:
    """Committed fixtures: a process photos -> assessment -> quote, its treatment, and
    cases of prospects with an email; everything is removed by ``_delete_committed``."""

    def _create_committed_process(self, env, name):
        process = HmrTreatmentsCommon._new_photo_process(
            env, name, **HmrTreatmentsCommon._photo_reminders(env)
        )
        treatment = env["hmr.treatment"].create({"name": f"{name} FUE", "process_id": process.id})
        self.committed = {"process": process.id, "treatment": treatment.id, "users": []}
        return treatment

    def _create_committed_cases(self, env, treatment, count, prefix):
        leads = (
            env["crm.lead"]
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(
                [
                    {
                        "name": f"{prefix} {index}",
                        "contact_name": f"{prefix} {index}",
                        "email_from": f"{prefix.lower()}.{index}@example.mx",
                        "type": "opportunity",
                        "user_id": False,
                    }
                    for index in range(count)
                ]
            )
        )
        cases = env["hmr.treatment.case"].create(
            [{"lead_id": lead.id, "treatment_id": treatment.id} for lead in leads]
        )
        self.committed.update(leads=leads.ids, partners=leads.partner_id.ids, cases=cases.ids)
        return cases

    def _delete_committed(self):
        committed = getattr(self, "committed", None)
        if not committed:
            return
        with _committed_env(self.registry) as env:
            cases = env["hmr.treatment.case"].browse(committed.get("cases", [])).exists()
            env["mail.mail"].search(
                [("model", "=", "hmr.treatment.case"), ("res_id", "in", cases.ids)]
            ).unlink()
            cases.assessment_ids.unlink()
            cases.unlink()
            env["crm.lead"].browse(committed.get("leads", [])).exists().unlink()
            users = env["res.users"].browse(committed["users"]).exists()
            partners = env["res.partner"].browse(committed.get("partners", [])).exists()
            partners |= users.partner_id
            env["mail.mail"].search([("recipient_ids", "in", partners.ids)]).unlink()
            users.unlink()
            partners.unlink()
            env["hmr.treatment"].browse(committed["treatment"]).exists().unlink()
            env["hmr.process"].browse(committed["process"]).exists().unlink()
            env["res.users"].browse(committed.get("other_doctors", [])).write({"active": True})


@tagged("post_install", "-at_install", "hmr_drills")
class TestDrillReminderCronKilled(HmrCommittedProcessMixin, TransactionCase):
    def test_killed_mid_batch_then_rerun(self):
        """Reliability, Q9, S1.2: the reminder cron is killed in the middle of its second
        batch. The first batch was committed with its markers; the second is rolled back
        with its queued mails. Run again, the cron reminds exactly the cases that were
        not reminded: each prospect got exactly one reminder, none lost, none twice."""
        try:
            with _committed_env(self.registry) as env:
                treatment = self._create_committed_process(env, "Drill Cron Process")
                cases = self._create_committed_cases(env, treatment, 5, "Drill Reminder")
                # due an hour ago: before any other case the database may hold
                cases.write({"next_photo_reminder_at": fields.Datetime.now() - timedelta(days=3)})
            case_ids = self.committed["cases"]
            Case = type(self.env["hmr.treatment.case"])
            send = Case._send_photo_reminders
            batches = []

            def send_then_die(cases):
                send(cases)
                batches.append(cases.ids)
                if len(batches) == 2:
                    cases.env.flush_all()  # the mails and markers are written: then it dies
                    raise _SimulatedKill

            with patch.object(Case, "_send_photo_reminders", send_then_die):
                with self.assertRaises(_SimulatedKill), _committed_env(self.registry) as env:
                    env["hmr.treatment.case"]._cron_send_photo_reminders(batch_size=2)
            self.assertEqual([len(ids) for ids in batches], [2, 2])
            self.assertEqual(batches[0], case_ids[:2], "the most overdue cases come first")

            with _committed_env(self.registry) as env:
                self.assertEqual(
                    self._reminders_by_case(env, case_ids),
                    {case_id: 1 if case_id in batches[0] else 0 for case_id in case_ids},
                    "the first batch is committed, the second rolled back with its mails",
                )
            with _committed_env(self.registry) as env:
                env["hmr.treatment.case"]._cron_send_photo_reminders(batch_size=2)
            with _committed_env(self.registry) as env:
                self.assertEqual(
                    self._reminders_by_case(env, case_ids),
                    dict.fromkeys(case_ids, 1),
                    "after the rerun each prospect got exactly one reminder",
                )
                cases = env["hmr.treatment.case"].browse(case_ids)
                self.assertEqual(cases.mapped("photo_reminder_count"), [1] * 5)
                self.assertTrue(
                    all(at > fields.Datetime.now() for at in cases.mapped("next_photo_reminder_at"))
                )
        finally:
            self._delete_committed()

    @staticmethod
    def _reminders_by_case(env, case_ids):
        """The queued reminder mails of each case (the only mails these cases send)."""
        counts = dict.fromkeys(case_ids, 0)
        for mail in env["mail.mail"].search(
            [("model", "=", "hmr.treatment.case"), ("res_id", "in", case_ids)]
        ):
            counts[mail.res_id] += 1
        return counts


@tagged("post_install", "-at_install", "hmr_drills")
class TestDrillConcurrentAssignment(HmrCommittedProcessMixin, TransactionCase):
    WORKERS = 4
    CASES = 20
    DOCTORS = 3

    def _committed_fixtures(self):
        with _committed_env(self.registry) as env:
            group = env.ref("hmr_crm_addon.group_hmr_doctor")
            treatment = self._create_committed_process(env, "Drill Assignment Process")
            # the drill is between these doctors only: the others leave the pool meanwhile
            others = group.user_ids.filtered(lambda u: u.active and not u.share)
            self.committed["other_doctors"] = others.ids
            others.write({"active": False})
            doctors = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    [
                        {
                            "name": f"Drill Doctor {index}",
                            "login": f"hmr_drill_doctor_{index}",
                            "email": f"drill.doctor.{index}@example.mx",
                            "group_ids": [Command.set(group.ids)],
                        }
                        for index in range(self.DOCTORS)
                    ]
                )
            )
            self.committed["users"] = doctors.ids
            self._create_committed_cases(env, treatment, self.CASES, "Drill Ready")

    def _make_ready(self, case_id, outcome):
        """One case completes its photos in a transaction of its own, retried on a
        concurrency failure the way Odoo's ``retrying`` retries a request."""
        for attempt in range(1, 30):
            try:
                with _committed_env(self.registry) as env:
                    case = env["hmr.treatment.case"].browse(case_id)
                    case._advance("photos")
                    env.flush_all()
                return
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                outcome["retries"] += 1
                time.sleep(random.uniform(0.0, 0.05 * 2 ** min(attempt, 4)))
        outcome["lost"].append(case_id)

    def test_cases_ready_at_once_spread_evenly(self):
        """Reliability, S2.2, Q4: 20 cases complete their photos at the same time on 4
        cursors: every case gets a doctor, and the doctors' open assessments differ by at
        most one (a pick writes the chosen doctor's row: a transaction that saw an old
        load fails on it and, retried, sees the new one)."""
        try:
            self._committed_fixtures()
            case_ids = self.committed["cases"]
            outcome = {"retries": 0, "lost": [], "errors": []}
            barrier = threading.Barrier(self.WORKERS)

            def work(ids):
                try:
                    barrier.wait(timeout=30)
                    for case_id in ids:
                        self._make_ready(case_id, outcome)
                except Exception as error:  # the outcome is what is tested
                    outcome["errors"].append(repr(error))

            threads = [
                threading.Thread(target=work, args=(case_ids[index :: self.WORKERS],))
                for index in range(self.WORKERS)
            ]
            with mute_logger("odoo.sql_db"):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=240)
            self.assertFalse(any(thread.is_alive() for thread in threads), "no worker hangs")
            self.assertEqual((outcome["errors"], outcome["lost"]), ([], []))

            with _committed_env(self.registry) as env:
                cases = env["hmr.treatment.case"].browse(case_ids)
                doctors = env["res.users"].browse(self.committed["users"])
                self.assertEqual(set(cases.mapped("step_kind")), {"assessment"})
                self.assertFalse(cases.filtered(lambda c: not c.doctor_id or c.awaiting_doctor))
                assessments = cases.assessment_ids.filtered(lambda a: a.state == "open")
                self.assertEqual(len(assessments), self.CASES, "one open assessment per case")
                self.assertEqual(assessments.case_id, cases)
                loads = {doctor.id: 0 for doctor in doctors}
                for assessment in assessments:
                    loads[assessment.doctor_id.id] += 1
                self.assertLessEqual(
                    max(loads.values()) - min(loads.values()),
                    1,
                    f"loads {loads} after {outcome['retries']} retries",
                )
        finally:
            self._delete_committed()


@tagged("post_install", "-at_install", "hmr_drills")
class TestDrillDoctorArchived(HmrTreatmentsCommon):
    def _ready_case(self, name):
        case = self._new_case(name)
        self._send_all_photos(case)
        return case

    def _open(self, case):
        return case.assessment_ids.filtered(lambda a: a.state == "open")

    def _assessment_activities(self, case):
        activity_type = self.env.ref("hmr_treatments_addon.mail_activity_type_hmr_assessment")
        return case.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def test_archived_doctor_assessments_reassigned(self):
        """Reliability, S2.2: a doctor archived while holding open assessments: each goes
        to the least-loaded remaining doctor (counts kept right, a new activity for the
        new doctor, the former one's removed); with no doctor left the cases wait and a
        manager is told; the next doctor gets them. No assessment is lost."""
        first, second = self.user_doctor, self.user_doctor_2
        cases = [self._ready_case(f"Drill{index} Archived") for index in range(3)]
        self.assertEqual([case.doctor_id for case in cases], [first, second, first])
        third = mail_new_test_user(
            self.env, login="drill_doc3", groups="hmr_crm_addon.group_hmr_doctor"
        )
        assessments = [self._open(case) for case in cases]

        first.action_archive()

        # the first case goes to the new, idle doctor; the third to the lowest id of the
        # two doctors now tied at one open assessment each
        self.assertEqual([case.doctor_id for case in cases], [third, second, second])
        for case, assessment in zip(cases, assessments, strict=True):
            self.assertEqual(self._open(case), assessment, "the same assessment moved")
            self.assertEqual(assessment.doctor_id, case.doctor_id)
            activity = self._assessment_activities(case)
            self.assertEqual(activity.user_id, case.doctor_id, "the new doctor's to-do only")
            self.assertIn(case.doctor_id, case.lead_id.doctor_ids)
        self.assertEqual(self._open_loads(first | second | third), [0, 2, 1])

        # the last doctors leave: the cases wait, a manager is told
        (second | third).action_archive()
        for case in cases:
            self.assertTrue(case.awaiting_doctor)
            self.assertFalse(case.doctor_id)
            self.assertFalse(self._open(case))
            self.assertFalse(self._assessment_activities(case))
            managers = case.activity_ids.user_id
            self.assertTrue(managers)
            self.assertTrue(all(u.has_group("hmr_crm_addon.group_hmr_manager") for u in managers))
        self.assertEqual(self._open_loads(second | third), [0, 0])

        # a doctor comes back: the waiting cases are assessed again, none lost
        second.action_unarchive()
        for case in cases:
            self.assertEqual(case.doctor_id, second)
            self.assertFalse(case.awaiting_doctor)
            self.assertEqual(len(self._open(case)), 1)
        self.assertEqual(self._open_loads(second), [3])


@tagged("post_install", "-at_install", "hmr_drills")
class TestDrillMailServerDown(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_photo_case()

    def test_smtp_down_mails_fail_visibly_flow_goes_on(self):
        """Reliability, S1.2, S2.2: the mail server is down when the queue is processed:
        the reminder stays as a failed mail with its reason (Settings > Emails), nothing
        crashes, and the case still moves to its assessment when the photos come."""
        case = self.case
        case.partner_id.email = "ana.lopez@example.mx"
        self.assertTrue(case.next_photo_reminder_at)
        case.next_photo_reminder_at = fields.Datetime.now() - timedelta(minutes=5)
        with self.enter_registry_test_mode():
            self.env.ref("hmr_treatments_addon.ir_cron_hmr_photo_reminders").method_direct_trigger()
        reminder = self.env["mail.mail"].search(
            [("model", "=", "hmr.treatment.case"), ("res_id", "=", case.id)]
        )
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.state, "outgoing")
        self.assertEqual(case.photo_reminder_count, 1)

        def smtp_down(*args, **kwargs):
            raise MailDeliveryException("Mail Delivery Failed", "Connection refused (drill)")

        # tests never send mails (``_disable_send``): this one goes as far as the SMTP
        # exchange, which fails as Odoo reports a refused delivery
        mail_server = type(self.env["ir.mail_server"])
        with (
            patch.object(mail_server, "_disable_send", classmethod(lambda cls: False)),
            patch.object(mail_server, "_connect__", lambda *args, **kwargs: None),
            patch.object(mail_server, "send_email", smtp_down),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            self.env["mail.mail"].process_email_queue(email_ids=reminder.ids)
            self.assertRecordValues(reminder, [{"state": "exception"}])
            self.assertIn("Connection refused (drill)", reminder.failure_reason)
            self.assertTrue(reminder.exists(), "a failed mail is kept, to be retried")

            # the prospect sends the photos: the case moves on, mails queue meanwhile
            self.env["hmr.case.photo"].create([self.photo_values(slot) for slot in self.slots])
            self.assertEqual(case.step_kind, "assessment")
            self.assertTrue(case.doctor_id)
            self.assertFalse(case.next_photo_reminder_at)
            # the doctors' mails (some sent at once, the others from the queue) fail too
            later = self.env["mail.mail"].search([("id", ">", reminder.id)])
            self.env["mail.mail"].process_email_queue(email_ids=later.ids)
            self.assertTrue(later, "the doctors were mailed")
            self.assertEqual(set(later.mapped("state")), {"exception"})

        # the server is back: the failed reminder is retried like any queued mail
        reminder.action_retry()
        self.assertEqual(reminder.state, "outgoing")

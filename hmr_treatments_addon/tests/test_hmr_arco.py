import base64
import io
import json
import zipfile
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged, users

from .common import HmrTreatmentsCommon


class HmrArcoCommon(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls.case_bruno.partner_id._hmr_record_privacy_consent("staff")
        # two photos each, of different colours: Bruno's bytes must never be in Ana's archive
        for case, color in ((cls.case, (200, 10, 10)), (cls.case_bruno, (10, 10, 200))):
            for slot in cls.slots[:2]:
                cls.env["hmr.case.photo"].create(
                    cls.photo_values(slot, cls.make_jpeg(color=color), case=case)
                )
        cls.lead_exec.phone = "+52 55 1234 5678"
        # a Monday-to-Friday calendar in Mexico City, with one public holiday
        cls.calendar = cls.env.company.resource_calendar_id
        cls.calendar.tz = "America/Mexico_City"
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Día de la Revolución",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 11, 16, 6, 0),
                "date_to": datetime(2026, 11, 17, 5, 59),
            }
        )

    def new_request(self, request_type="access", lead=None, **values):
        return self.env["hmr.arco.request"].create(
            {
                "lead_id": (lead or self.lead_exec).id,
                "request_type": request_type,
                "description": "Please",
                **values,
            }
        )

    def new_request_sudo(self, request_type="access"):
        return (
            self.env["hmr.arco.request"]
            .sudo()
            .create(
                {
                    "lead_id": self.lead_exec.id,
                    "request_type": request_type,
                    "description": "Please",
                }
            )
        )

    def answer(self, arco, text="Done."):
        arco.answer = text
        arco.action_answer()

    @staticmethod
    def zip_of(arco):
        return zipfile.ZipFile(io.BytesIO(arco.archive_id.raw))


@tagged("hmr_arco", "post_install", "-at_install")
class TestHmrArco(HmrArcoCommon):
    def test_deadline_in_working_days(self):
        """J10: the deadline is the 20th working day after the request, by the company's
        calendar (weekends and its public holidays excluded); managers are warned on the
        15th."""
        # received on Monday 2 November 2026 (local): 20 working days from the 3rd, the
        # 16th being a holiday -> Tuesday 1 December; the 15th working day -> the 24th
        arco = self.new_request(request_date=datetime(2026, 11, 2, 17, 0))
        self.assertEqual(arco.deadline_date, date(2026, 12, 1))
        self.assertEqual(arco.reminder_date, date(2026, 11, 24))
        # received on Friday evening local time (Saturday in UTC): counted from Monday 9th
        arco.request_date = datetime(2026, 11, 7, 1, 0)
        self.assertEqual(arco.deadline_date, date(2026, 12, 7))

    def test_overdue(self):
        """J10: an open request past its deadline is overdue; answered, it is not."""
        arco = self.new_request(request_date=fields.Datetime.now() - timedelta(days=40))
        self.assertTrue(arco.is_overdue)
        self.assertIn(arco, arco.search([("is_overdue", "=", True)]))
        self.answer(arco)
        self.assertFalse(arco.is_overdue)

    def test_manager_warned_once_when_deadline_nears(self):
        """J10: the scheduled action gives each manager one activity on a request whose
        deadline nears, once; answering closes it."""
        activity_type = self.env.ref("hmr_treatments_addon.mail_activity_type_hmr_arco_deadline")
        early = self.new_request()
        late = self.new_request(request_date=fields.Datetime.now() - timedelta(days=25))
        self._run_cron("hmr_treatments_addon.ir_cron_hmr_arco_deadlines")
        self._run_cron("hmr_treatments_addon.ir_cron_hmr_arco_deadlines")
        self.env.invalidate_all()
        activities = late.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertIn(self.user_manager, activities.user_id)
        self.assertFalse(
            activities.user_id - self.env.ref("hmr_crm_addon.group_hmr_manager").all_user_ids
        )
        self.assertEqual(len(activities), len(activities.user_id))
        self.assertEqual(activities[:1].date_deadline, late.deadline_date)
        self.assertFalse(early.activity_ids)
        self.answer(late)
        self.assertFalse(late.activity_ids)

    @users("hmr_exec2")
    def test_executive_sees_requests_of_own_prospects(self):
        """J10: an executive reads the requests of their own prospects only; the manager
        reads them all."""
        mine = self.new_request(lead=self.lead_exec_2).with_user(self.env.user)
        theirs = self.new_request_sudo()
        Request = self.env["hmr.arco.request"]
        self.assertEqual(Request.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.env.user).read(["description"])
        with self.assertRaises(AccessError):
            Request.create(
                {"lead_id": self.lead_exec.id, "request_type": "access", "description": "x"}
            )
        manager = Request.with_user(self.user_manager)
        self.assertEqual(manager.search([("id", "in", (mine | theirs).ids)]), mine | theirs)

    @users("hmr_exec")
    def test_access_archive_holds_own_data_only(self):
        """J10: answering an access request builds a private zip of the prospect's data:
        contact, consents, treatment, original photos, quotes, messages; nothing of
        another prospect, even under the same company."""
        company = self.env["res.partner"].sudo().create({"name": "Familia", "is_company": True})
        (self.partner_ana | self.partner_bruno).sudo().parent_id = company
        arco = self.new_request(case_id=self.case.id)
        with self.assertRaises(UserError):
            arco.action_answer()  # no answer written
        self.answer(arco, "Here is your data.")
        self.assertEqual(arco.state, "answered")
        self.assertEqual(arco.answered_by_id, self.env.user)
        attachment = arco.archive_id.sudo()
        self.assertFalse(attachment.public)
        self.assertEqual((attachment.res_model, attachment.res_id), (arco._name, arco.id))
        archive = self.zip_of(arco)
        names = archive.namelist()
        self.assertIn("contact.json", names)
        self.assertIn("consents.json", names)
        self.assertIn(f"treatments/{self.case.id}/treatment.json", names)
        contact = json.loads(archive.read("contact.json"))
        self.assertEqual(contact["email"], self.lead_exec.email_from)
        consents = json.loads(archive.read("consents.json"))
        self.assertIn(
            ("Privacy notice (data and photos for the assessment)", "Given"),
            {(log["purpose"], log["action"]) for log in consents["history"]},
        )
        photos = sorted(n for n in names if "/photos/" in n)
        self.assertEqual(len(photos), 2)
        stored = {p.sudo().with_context(bin_size=False).image for p in self.case.sudo().photo_ids}
        for name in photos:
            self.assertIn(self.b64(archive.read(name)), stored)
        everything = b"".join(archive.read(name) for name in names)
        bruno = self.case_bruno.sudo()
        self.assertNotIn(f"treatments/{bruno.id}/treatment.json", names)
        for photo in bruno.photo_ids.with_context(bin_size=False):
            self.assertNotIn(base64.b64decode(photo.image), everything)
        for text in (bruno.partner_id.email, bruno.lead_id.email_from, bruno.lead_id.name):
            self.assertNotIn(text.encode(), everything)

    def test_cancellation_blocks_at_once(self):
        """J10: answering a cancellation blocks the prospect's data at once: address and
        phone blacklisted, cases closed (no reminder, no alert), quotes cancelled, calls
        and to-dos dropped, the prospect follows nothing and is lost."""
        self.case.next_photo_reminder_at = fields.Datetime.now()
        order = self.env["sale.order"].create(
            {"partner_id": self.partner_ana.id, "opportunity_id": self.lead_exec.id}
        )
        self.case.message_subscribe(partner_ids=self.partner_ana.ids)
        self.case._send_photo_reminders()  # queued, not sent yet
        queued = self.env["mail.mail"].search(
            [("model", "=", self.case._name), ("res_id", "=", self.case.id)]
        )
        self.assertTrue(queued)
        arco = self.new_request("cancellation")
        self.answer(arco, "Your data is cancelled.")
        self.assertEqual(set(queued.mapped("state")), {"cancel"})
        answer_mail = self.env["mail.mail"].search(
            [("model", "=", arco._name), ("res_id", "=", arco.id)]
        )
        self.assertEqual(answer_mail.state, "outgoing", "the prospect is told of the answer")
        self.assertTrue(arco.blocked_date)
        lead = self.lead_exec.with_context(active_test=False)
        self.assertTrue(lead.hmr_arco_blocked)
        self.assertFalse(lead.active)
        self.assertEqual(self.case.state, "lost")
        self.assertFalse(self.case.next_photo_reminder_at)
        self.assertNotIn(self.case, self.case.search(self.case._get_photo_reminder_due_domain()))
        self.assertEqual(order.state, "cancel")
        self.assertNotIn(self.partner_ana, self.case.message_partner_ids)
        self.assertNotIn(self.partner_ana, lead.message_partner_ids)
        self.assertFalse(self.portal_ana.active)
        blacklisted = self.env["mail.blacklist"].search([("active", "=", True)]).mapped("email")
        self.assertIn(self.lead_exec.email_from, blacklisted)
        self.assertFalse(self.partner_ana.hmr_privacy_consent_date, "no photo is accepted any more")
        for purpose in ("marketing", "photo_publication", "privacy_notice"):
            with self.assertRaises(UserError):
                self.partner_ana._hmr_give_consent(purpose, "portal")
        self.assertIn(self.lead_exec.email_from, blacklisted)
        self.assertTrue(self.env["phone.blacklist"].search([("number", "=", "+525512345678")]))
        # restoring the prospect does not reopen the cases the cancellation closed
        lead.action_unarchive()
        self.assertEqual(self.case.state, "lost")

    def test_anonymised_after_retention(self):
        """J10: after the retention the clinic configures, the cancelled data of a
        prospect who never became a patient is erased: photos, answers, cases, names,
        contact data; the request stays as proof, its archive goes."""
        self.env["ir.config_parameter"].set_param("hmr_treatments_addon.arco_retention_days", 10)
        access = self.new_request()
        self.answer(access)
        arco = self.new_request("cancellation")
        self.answer(arco)
        archive = access.archive_id
        arco.blocked_date = fields.Datetime.now() - timedelta(days=9)
        self._run_cron("hmr_treatments_addon.ir_cron_hmr_arco_anonymize")
        self.env.invalidate_all()
        self.assertFalse(arco.anonymized_date)
        self.assertTrue(self.case.exists())
        arco.blocked_date = fields.Datetime.now() - timedelta(days=11)
        self._run_cron("hmr_treatments_addon.ir_cron_hmr_arco_anonymize")
        self.env.invalidate_all()
        self.assertTrue(arco.anonymized_date)
        lead = self.lead_exec.with_context(active_test=False)
        self.assertFalse(self.case.exists())
        self.assertFalse(lead.email_from or lead.phone or lead.first_name)
        self.assertEqual(lead.partner_id.name, "Anonymised prospect")
        self.assertFalse(lead.partner_id.email)
        self.assertFalse(archive.exists())
        self.assertTrue(arco.exists() and self.case_bruno.photo_ids)

    def test_patient_keeps_clinical_record(self):
        """J10: a patient (a quote accepted) keeps the clinical record and invoices after
        the retention: only the contact and marketing data are erased."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_ana.id,
                "opportunity_id": self.lead_exec.id,
                "order_line": [fields.Command.create({"product_id": self.product_graft.id})],
            }
        )
        order.action_confirm()
        arco = self.new_request("cancellation")
        self.answer(arco)
        arco.blocked_date = fields.Datetime.now() - timedelta(days=400)
        self._run_cron("hmr_treatments_addon.ir_cron_hmr_arco_anonymize")
        self.env.invalidate_all()
        lead = self.lead_exec.with_context(active_test=False)
        self.assertTrue(self.case.exists() and self.case.photo_ids)
        self.assertEqual(order.state, "sale")
        self.assertFalse(lead.email_from or lead.phone)
        self.assertFalse(self.partner_ana.email)
        self.assertTrue(self.partner_ana.name)

    def test_opposition_blacklists_marketing(self):
        """J10: an opposition withdraws the marketing: the address is blacklisted, the
        prospect's processing goes on otherwise."""
        partner = self.lead_exec.partner_id
        partner._hmr_give_consent("marketing", "web_form")
        partner._hmr_give_consent("photo_publication", "web_form")
        arco = self.new_request("opposition")
        self.answer(arco)
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", self.lead_exec.email_from)])
        )
        self.assertEqual(self.case.state, "open")
        self.assertFalse(partner.hmr_marketing_consent)
        self.assertFalse(partner.hmr_photo_publication_consent)
        withdrawn = partner.hmr_consent_log_ids.filtered(lambda log: log.action == "withdrawn")
        self.assertEqual(set(withdrawn.mapped("purpose")), {"marketing", "photo_publication"})
        self.assertEqual(set(withdrawn.mapped("channel")), {"arco"})
        self.assertEqual(set(withdrawn.mapped("note")), {arco.name})

    def test_refusal_and_answered_request_are_final(self):
        """J10: a refusal needs its reason; an answered request cannot be answered again."""
        arco = self.new_request("rectification")
        with self.assertRaises(UserError):
            arco.action_refuse()
        arco.answer = "We could not verify your identity."
        arco.action_refuse()
        self.assertEqual(arco.state, "refused")
        with self.assertRaises(UserError):
            arco.action_answer()


@tagged("hmr_arco", "post_install", "-at_install")
class TestHmrArcoPortal(HttpCase, HmrArcoCommon):
    def post_request(self, case, token, request_type="access", message="My data, please"):
        data = {"csrf_token": self.get_csrf(), "request_type": request_type}
        data["arco_message"] = message
        if token:
            data["access_token"] = token
        return self.url_open(f"/my/hmr/cases/{case.id}/arco", data=data, allow_redirects=False)

    def test_prospect_starts_request_from_page(self):
        """J10: with their link, the prospect starts a request (the executive and the
        managers are told) and sees it on their page; a wrong token creates nothing."""
        Request = self.env["hmr.arco.request"]
        response = self.post_request(self.case, "wrong")
        self.assertEqual(response.status_code, 403)
        response = self.post_request(self.case, self.case_bruno.access_token)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Request.search([]))
        response = self.post_request(self.case, self.case.access_token)
        self.assertEqual(response.status_code, 303)
        arco = Request.search([])
        self.assertEqual((arco.lead_id, arco.case_id), (self.lead_exec, self.case))
        self.assertEqual((arco.channel, arco.request_type), ("portal", "access"))
        notified = (
            self.env["mail.message"]
            .search([("model", "=", arco._name), ("res_id", "=", arco.id)])
            .notified_partner_ids
        )
        self.assertIn(self.user_executive.partner_id, notified)
        self.assertIn(self.user_manager.partner_id, notified)
        page = self.url_open(self.page_url(self.case, self.case.access_token)).text
        self.assertIn(arco.name, page)
        self.assertNotIn(
            arco.name,
            self.url_open(self.page_url(self.case_bruno, self.case_bruno.access_token)).text,
        )

    def test_prospect_downloads_own_archive_only(self):
        """J10: the prospect downloads the archive of their answered access request with
        their link, never cached; another prospect's link is refused."""
        arco = self.new_request(case_id=self.case.id)
        url = f"/my/hmr/cases/{self.case.id}/arco/{arco.id}/archive"
        response = self.url_open(f"{url}?access_token={self.case.access_token}")
        self.assertEqual(response.status_code, 404)  # not answered yet
        arco.answer = "Here it is."
        arco.action_answer()
        for token in (None, "wrong", self.case_bruno.access_token):
            response = self.url_open(f"{url}?access_token={token}" if token else url)
            self.assertEqual(response.status_code, 403, token)
        other = f"/my/hmr/cases/{self.case_bruno.id}/arco/{arco.id}/archive"
        response = self.url_open(f"{other}?access_token={self.case_bruno.access_token}")
        self.assertEqual(response.status_code, 404)
        response = self.url_open(f"{url}?access_token={self.case.access_token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response.headers["Cache-Control"])
        self.assertEqual(response.content, arco.archive_id.raw)

    def test_blocked_page_shows_no_data(self):
        """J10: after a cancellation the page shows no photo, questionnaire nor quote, and
        the photos are refused; the requests stay visible."""
        arco = self.new_request("cancellation")
        arco.answer = "Cancelled."
        arco.action_answer()
        token = self.case.access_token
        page = self.url_open(self.page_url(self.case, token)).text
        self.assertIn("o_hmr_arco_blocked", page)
        self.assertIn(arco.name, page)
        self.assertNotIn("o_hmr_photos", page)
        self.assertNotIn("o_hmr_quotes", page)
        slot = self.case.photo_ids[:1].slot_id
        response = self.url_open(
            f"/my/hmr/cases/{self.case.id}/photo/{slot.id}/image?access_token={token}"
        )
        self.assertEqual(response.status_code, 403)

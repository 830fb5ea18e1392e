from odoo.tests import HttpCase, tagged
from odoo.tools import file_path
from odoo.tools.translate import TranslationImporter

from .common import HmrTreatmentsCommon


class HmrProspectEmailsCommon(HmrTreatmentsCommon):
    """The prospect Ana, named by her first name on her prospect record, with the page of
    her treatment case (the link every email to her carries)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        cls.lead_ana.first_name = "Anita"
        # English, whatever language the database was created with
        cls.env["res.lang"]._activate_lang("en_US")
        cls.partner_ana.lang = "en_US"

    def _page_link(self, order):
        case = order.hmr_case_id
        return f"/my/hmr/cases/{case.id}?access_token={case.access_token}"

    def _report_names(self, mail):
        """The attached reports, without their extension (Odoo renders HTML in tests)."""
        return [name.rsplit(".", 1)[0] for name in mail.attachment_ids.mapped("name")]

    def _assert_prospect_email(self, mail, order, greeting="Hello Anita,"):
        """A clinic's email to the prospect: greets her by name and links her page."""
        body = str(mail.body_html)
        self.assertIn(greeting, body, "the prospect is greeted by name")
        self.assertIn(self._page_link(order), body, "the link to the prospect's page")


@tagged("hmr_quote", "hmr_prospect_emails", "post_install", "-at_install")
class TestHmrProspectEmails(HmrProspectEmailsCommon):
    def test_quote_sent_with_the_clinic_email(self):
        """Issue 9 item 6, S2.4: "Send" on the quote of a treatment case proposes the
        clinic's quote email (not Odoo's bare "Hello,"): it greets the prospect by name,
        links her page and attaches the quote's PDF; sending it moves the case on."""
        case = self.env["hmr.treatment.case"].create(
            {"lead_id": self.lead_ana.id, "treatment_id": self.treatment_fue.id}
        )
        order = self.env["sale.order"].browse(case.action_create_quote()["res_id"])
        action = order.action_quotation_send()
        template = self.env.ref("hmr_treatments_addon.mail_template_hmr_quote_send")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        composer = self.env["mail.compose.message"].with_context(**action["context"]).create({})
        with self.mock_mail_gateway():
            composer._action_send_mail()
        mail = self._mails_to(self.partner_ana, order.name)
        self.assertEqual(len(mail), 1)
        self._assert_prospect_email(mail, order)
        self.assertEqual(self._report_names(mail), [f"Quotation - {order.name}"])
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.hmr_case_id.step_id, self.step_answer)

    def test_plain_quote_keeps_odoo_template(self):
        """Issue 9 item 6: a quote without a treatment case keeps Odoo's templates."""
        order = self.env["sale.order"].create(
            {"partner_id": self.partner_bruno.id, "user_id": self.user_executive.id}
        )
        self.assertEqual(order._find_mail_template(), self.env.ref("sale.email_template_edi_sale"))
        self.assertEqual(
            order._get_confirmation_template(), self.env.ref("sale.mail_template_sale_confirmation")
        )

    def test_every_answer_email_links_the_page(self):
        """Issue 9 item 6, S3.2: the emails to the prospect after rejecting or asking to
        talk greet her by name and link her page."""
        for answer, subject in (("talk", "will contact you"), ("rejected", "your answer")):
            with self.subTest(answer=answer):
                order = self._new_sent_quote(self._new_lead(f"Prospect {answer}"))
                order.hmr_case_id.lead_id.first_name = "Anita"
                order.partner_id.lang = "en_US"
                self._answer(order, answer, "A message")
                mail = self._mails_to(order.partner_id, subject)
                self.assertEqual(len(mail), 1)
                self._assert_prospect_email(mail, order)

    def test_crm_emails_link_the_page(self):
        """Issue 9 item 6, D7: the CRM's emails to the prospect (follow-up, missed call)
        link their page once they have a treatment case; before, they have none to link."""
        lead = self._new_lead("Prospect Crm")
        lead.first_name = "Anita"
        templates = self.env.ref("hmr_crm_addon.mail_template_hmr_prospect_follow_up") | (
            self.env.ref("hmr_crm_addon.mail_template_hmr_prospect_call_missed")
        )
        for template in templates:
            body = str(template._render_field("body_html", lead.ids)[lead.id])
            self.assertIn("Hello Anita,", body)
            self.assertNotIn("/my/hmr/cases/", body)
        order = self._new_sent_quote(lead)
        for template in templates:
            with self.subTest(template=template.name):
                body = str(template._render_field("body_html", lead.ids)[lead.id])
                self.assertIn(self._page_link(order), body)

    def test_acceptance_recorded_without_signature_mails_nothing_more(self):
        """Issue 9 item 6: the prospect's acknowledgment of an acceptance is Odoo's order
        confirmation (sent when the signed quote is confirmed): recording the answer tells
        the executive only, so the prospect never gets two emails."""
        order = self._new_sent_quote(self.lead_ana)
        mails = self._answer(order, "accepted")
        self.assertFalse(self._mails_to(self.partner_ana))
        self.assertEqual(mails.recipient_ids, self.user_executive.partner_id)


@tagged("hmr_quote", "hmr_prospect_emails", "hmr_portal", "post_install", "-at_install")
class TestHmrAcceptanceEmail(HttpCase, HmrProspectEmailsCommon):
    """Over HTTP, as the prospect accepts and signs her quote on the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.portal_confirmation_pay = False
        cls.order_ana = cls._new_sent_quote(cls.lead_ana)
        cls.order_ana.require_signature = True
        cls.token_ana = cls.order_ana._portal_ensure_token()

    def _accept_and_notify(self, order, token):
        """Accept and sign as the anonymous visitor with the quote's link, then run the
        cron the answer triggers: return every mail sent."""
        self.authenticate(None, None)
        with self.mock_mail_gateway():
            result = self.make_jsonrpc_request(
                f"/my/orders/{order.id}/accept",
                {"access_token": token, "name": "Ana Quote", "signature": self.signature_png()},
                # the first request after loading a language compiles its templates again
                timeout=60,
            )
        mails = self._new_mails
        self.assertNotIn("error", result)
        return mails | self._run_quote_cron()

    def test_acceptance_one_email_to_the_prospect(self):
        """Issue 9 item 6, S3.2: accepting and signing sends the prospect exactly one
        email, the clinic's, greeting her by name, with the link to her page and the
        signed quote attached; the executive is told too."""
        mails = self._accept_and_notify(self.order_ana, self.token_ana)
        to_ana = mails.filtered(lambda m: self.partner_ana in m.recipient_ids)
        self.assertEqual(len(to_ana), 1, to_ana.mapped("subject"))
        self.assertIn("we received your acceptance", to_ana.subject)
        self._assert_prospect_email(to_ana, self.order_ana)
        self.assertEqual(self._report_names(to_ana), [f"Order - {self.order_ana.name}"])
        # in tests Odoo renders the report as HTML: the signature is in it
        self.assertIn(b"Ana Quote", to_ana.attachment_ids.raw)
        self.assertTrue(mails.filtered(lambda m: self.user_executive.partner_id in m.recipient_ids))

    def test_acceptance_email_in_spanish_says_usted(self):
        """Issue 9 item 6, B8: a Spanish-speaking prospect reads the acknowledgment in
        Spanish, in the clinic's formal voice ("usted"), greeted by name."""
        self.env["res.lang"]._activate_lang("es_MX")
        # the shipped translations, over any older ones of these noupdate templates
        importer = TranslationImporter(self.env.cr, verbose=False)
        importer.load_file(file_path("hmr_treatments_addon/i18n/es_MX.po"), "es_MX")
        importer.save(overwrite=True, force_overwrite=True)
        self.partner_ana.lang = "es_MX"
        mails = self._accept_and_notify(self.order_ana, self.token_ana)
        to_ana = mails.filtered(lambda m: self.partner_ana in m.recipient_ids)
        self.assertEqual(len(to_ana), 1, to_ana.mapped("subject"))
        self._assert_prospect_email(to_ana, self.order_ana, greeting="Hola Anita,")
        self.assertIn("con usted", str(to_ana.body_html))
        self.assertNotIn("Hello", str(to_ana.body_html))

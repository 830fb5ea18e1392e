from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged

from ..controllers import main as main_controller
from .common import PHOTO_LINK_MARKERS, HmrTreatmentsCommon

FORM_URL = "/hmr/solicitud/enviar"


@tagged("hmr_web_form_b1", "post_install", "-at_install")
class TestHmrPublicForm(HttpCase, HmrTreatmentsCommon):
    """B1: the public request form turns a visitor into a prospect of the website source,
    given to an executive by the clinic's rule, with an acknowledgment linking their own
    page; invalid fields are answered next to each field, spam and bad files change
    nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        # the clinic's rule: the least-loaded executive of the website's sales team
        cls.web_team = cls.env["crm.team"].create(
            {
                "name": "HMR Web Team",
                "member_ids": [Command.set((cls.user_executive | cls.user_executive_2).ids)],
            }
        )
        cls.env["website"].search([]).crm_default_team_id = cls.web_team
        cls.env["crm.lead"].create(
            [
                {"name": f"Busy {index}", "type": "opportunity", "user_id": cls.user_executive.id}
                for index in range(2)
            ]
        )
        cls.website_source = cls.env.ref("hmr_crm_addon.utm_source_website")
        # the limit of requests per address starts from a clean slate
        cls.env["hmr.web.form.submission"].search([]).unlink()

    def form_values(self, **values):
        return {
            "csrf_token": self.get_csrf(),
            "first_name": "Lucía",
            "last_name": "Pérez Gómez",
            "email_from": "lucia.web@example.mx",
            "phone": "+52 55 1234 5678",
            "treatment_id": str(self.photo_treatment.id),
            "description": "<b>Quiero</b> información",
            "privacy_consent": "1",
            **values,
        }

    def post_form(self, files=None, **values):
        return self.url_open(
            FORM_URL, data=self.form_values(**values), files=files, allow_redirects=False
        )

    def web_leads(self):
        return self.env["crm.lead"].search([("email_from", "=", "lucia.web@example.mx")])

    def test_form_page(self):
        """B1: the page offers every active treatment, the consent box, the honeypot and a
        phone-camera friendly file input."""
        inactive = self.env["hmr.treatment"].create(
            {"name": "Retired Treatment", "process_id": self.photo_process.id, "active": False}
        )
        response = self.url_open("/hmr/solicitud")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.photo_treatment.name, response.text)
        self.assertNotIn(inactive.name, response.text)
        for needle in ('name="privacy_consent"', 'name="website_url"', 'accept="image/jpeg'):
            self.assertIn(needle, response.text)

    def test_submit_creates_prospect(self):
        """B1, S1.1, S1.3: a valid request with 2 photos makes a prospect of source
        "website" for the least-loaded executive of the website's team, with their own
        contact, their consent (B3), the case of the chosen treatment holding the photos
        in its first slots, and the acknowledgment with the link to their page (B2) and
        no photo (B3)."""
        photos = [
            ("photos", ("a.jpg", self.jpeg, "image/jpeg")),
            ("photos", ("b.png", self.make_png(), "image/png")),
        ]
        Photo = type(self.env["hmr.case.photo"])
        with patch.object(
            Photo, "_sanitize_image", autospec=True, side_effect=Photo._sanitize_image
        ) as sanitize:
            response = self.post_form(files=photos)
        self.assertEqual(response.status_code, 303, response.text[:2000])
        self.assertEqual(sanitize.call_count, 2, "S1.1: each photo checked and cleaned once")
        self.assertTrue(response.headers["Location"].endswith("/hmr/solicitud/gracias"))
        lead = self.web_leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.source_id, self.website_source)
        self.assertEqual(lead.user_id, self.user_executive_2, "the least-loaded executive")
        self.assertEqual((lead.first_name, lead.last_name), ("Lucía", "Pérez Gómez"))
        self.assertNotIn("<b>", lead.description or "", "what the visitor typed is escaped")
        partner = lead.partner_id
        self.assertNotIn(partner, (self.partner_ana, self.partner_bruno))
        self.assertFalse(partner.parent_id)
        self.assertEqual(partner.hmr_privacy_consent_channel, "web_form")
        case = lead.treatment_case_ids
        self.assertEqual(case.treatment_id, self.photo_treatment)
        self.assertEqual(case.photo_ids.slot_id, self.slots[:2])
        self.assertEqual(case.photo_ids.mapped("mimetype"), ["image/jpeg", "image/png"])
        self.assertGreater(case.next_photo_reminder_at, lead.create_date, "ack is reminder 1")
        self.assertTrue(case.access_token)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", partner.ids)], order="id desc", limit=1)
        )
        self.assertIn("we received your request", mail.subject)
        body = str(mail.body_html)
        self.assertIn(f"/my/hmr/cases/{case.id}?access_token={case.access_token}", body)
        for slot in self.slots[2:]:
            self.assertIn(slot.name, body)
        for marker in (*PHOTO_LINK_MARKERS, "<img"):
            self.assertNotIn(marker, body)
        # the link of the acknowledgment opens their page, with their photos
        page = self.url_open(case.get_portal_url()).text
        self.assertIn("2 / 5", page)

    def test_invalid_fields_answered_inline(self):
        """B1: each invalid field is marked with its message, and nothing is created."""
        response = self.post_form(
            first_name="",
            email_from="not-an-email",
            phone="call me",
            treatment_id="999999",
            privacy_consent="",
        )
        self.assertEqual(response.status_code, 400)
        for message in (
            "Please fill in this field.",
            "Please enter a valid email address",
            "Please enter a valid phone number",
            "Please choose a treatment.",
            "Please accept the privacy notice",
        ):
            self.assertIn(message, response.text)
        self.assertIn("is-invalid", response.text)
        self.assertIn('value="Pérez Gómez"', response.text, "what was typed is kept")
        self.assertFalse(self.env["crm.lead"].search([("email_from", "=", "not-an-email")]))

    def test_bad_photo_refuses_whole_request(self):
        """B1, B3: a bad file (by content, whatever its name) refuses the whole request
        with a clear message: no prospect, no contact, no photo half-stored; too many
        photos too."""
        partners = self.env["res.partner"].search_count([])
        for files, message in (
            ([("photos", ("scan.jpg", b"%PDF-1.4\n%%EOF", "image/jpeg"))], "scan.jpg: PDF"),
            (
                [("photos", ("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png"))],
                "SVG",
            ),
            ([("photos", (f"{i}.jpg", self.jpeg, "image/jpeg")) for i in range(6)], "at most 5"),
        ):
            with self.subTest(message):
                response = self.post_form(files=files)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertFalse(self.web_leads())
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_size_cap_of_the_route(self):
        """B3: the form refuses a request over its cap from its declared length."""
        with patch.object(main_controller, "FORM_MAX_BYTES", 5000):
            response = self.post_form(
                files=[
                    (
                        "photos",
                        ("big.jpg", self.make_jpeg(size=(900, 700), quality=95), "image/jpeg"),
                    )
                ]
            )
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.web_leads())

    def test_spam_protections(self):
        """B1: the honeypot drops the request silently; past the limit of requests per
        address, the form refuses; no CSRF and GET are refused; nothing is created."""
        response = self.post_form(website_url="http://spam.example.com")
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.web_leads())
        data = self.form_values()
        data.pop("csrf_token")
        response = self.url_open(FORM_URL, data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.url_open(FORM_URL, allow_redirects=False).status_code, 405)
        self.assertFalse(self.web_leads())
        self.env["ir.config_parameter"].set_param("hmr_treatments_addon.web_form_rate_limit", "1")
        self.assertEqual(self.post_form().status_code, 303)
        self.assertEqual(len(self.web_leads()), 1)
        response = self.post_form(email_from="second.try@example.mx")
        self.assertEqual(response.status_code, 429)
        self.assertIn("many requests", response.text)
        self.assertFalse(
            self.env["crm.lead"].search([("email_from", "=", "second.try@example.mx")])
        )

    def test_forged_fields_ignored(self):
        """B1, B3: posted fields the form does not offer (executive, contact, source,
        res_model/res_id) are ignored: a visitor never lands on another prospect's
        contact nor chooses their executive."""
        response = self.post_form(
            user_id=str(self.user_executive.id),
            partner_id=str(self.partner_ana.id),
            source_id="1",
            res_model="hmr.treatment.case",
            res_id=str(self.case.id),
            email_from=self.partner_ana.email,
        )
        self.assertEqual(response.status_code, 303)
        lead = self.env["crm.lead"].search(
            [
                ("email_from", "=", self.partner_ana.email),
                ("source_id", "=", self.website_source.id),
            ]
        )
        self.assertEqual(len(lead), 1)
        self.assertNotEqual(lead.partner_id, self.partner_ana)
        self.assertEqual(lead.user_id, self.user_executive_2)
        self.assertFalse(self.photos_of(self.case))

    def test_no_executive_leaves_it_unassigned(self):
        """B1: with no executive to take it, the prospect waits unassigned, not lost."""
        self.web_team.member_ids = self.user_manager
        self.assertEqual(self.post_form().status_code, 303)
        lead = self.web_leads()
        self.assertTrue(lead)
        self.assertFalse(lead.user_id)


@tagged("hmr_web_form_b1", "post_install", "-at_install")
class TestHmrSelfServiceTour(HttpCase, HmrTreatmentsCommon):
    """B1, B2 in a browser on a phone-sized screen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    browser_size = "375x667"
    touch_enabled = True

    def test_phone_form_then_photos(self):
        """B1, B2, S1.1, B3: on a phone, a visitor fills the public form with consent;
        from the link of the acknowledgment, they send the 5 photos one by one and see
        their profile complete."""
        self.start_tour("/hmr/solicitud", "hmr_web_request_tour")
        lead = self.env["crm.lead"].search([("email_from", "=", "valeria.tour@example.mx")])
        self.assertEqual(lead.source_id, self.env.ref("hmr_crm_addon.utm_source_website"))
        case = lead.treatment_case_ids
        self.assertTrue(case.partner_id.hmr_privacy_consent_date)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", case.partner_id.ids)], order="id desc", limit=1)
        )
        link = case.get_portal_url()
        self.assertIn(link.replace("&", "&amp;"), str(mail.body_html))
        self.start_tour(link, "hmr_prospect_photos_tour")
        self.assertTrue(case.photos_complete)
        self.assertEqual(case.photo_count, 5)
        self.assertNotEqual(case.step_kind, "photos", "the case went on to the assessment")

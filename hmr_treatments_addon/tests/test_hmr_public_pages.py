import base64
import io
import re
from unittest.mock import patch

from lxml import html
from PIL import Image

from odoo.exceptions import ConcurrencyError, UserError
from odoo.tests import HttpCase, tagged

from .common import HmrTreatmentsCommon

ERRORS_LOGGER = "odoo.addons.hmr_treatments_addon.controllers.errors"
CLEAN_ERROR = "something went wrong on our side and nothing was saved"
CLINIC = {
    "name": "Clínica Capilar de Prueba",
    "phone": "+52 33 3616 0000",
    "email": "hola@clinica-prueba.example.mx",
    "street": "Av. Chapultepec 480",
    "city": "Guadalajara",
    "zip": "44160",
}
# what Odoo's website templates show until someone edits them, and Odoo's adverts
ODOO_PLACEHOLDERS = (
    "+1 555-555-5556",
    "info@yourcompany.example.com",
    "We are a team of passionate people",
    "Company name",
    "My Company",
    "3575 Fake Buena Vista Avenue",
    "/website/social/",
    "Connect with your software",
    "Powered by",
    "odoo.com",
)
# the website's own logo field, Odoo's "Your Logo" image until someone changes it
WEBSITE_DEFAULT_LOGO = re.compile(r'<img[^>]+src="[^"]*/web/image/website/\d+/logo')


def set_clinic_brand(env):
    """The company as a clinic fills it in: name, logo and contact data."""
    logo = io.BytesIO()
    Image.new("RGB", (60, 20), (18, 94, 110)).save(logo, format="PNG")
    env.company.write(
        {
            **CLINIC,
            "country_id": env.ref("base.mx").id,
            "logo": base64.b64encode(logo.getvalue()),
        }
    )


class HmrBrandAssertions:
    def assert_clinic_brand(self, response):
        """The page shows the company's logo, name and contact data, and no Odoo
        template text, placeholder or advert."""
        self.assertEqual(response.status_code, 200, response.url)
        page = response.text
        company = self.env.company
        self.assertIn(f"/logo.png?company={company.id}", page, "the company's logo")
        for value in CLINIC.values():
            self.assertIn(value, page)
        for placeholder in ODOO_PLACEHOLDERS:
            self.assertNotIn(placeholder, page)
        self.assertFalse(WEBSITE_DEFAULT_LOGO.search(page), "Odoo's 'Your Logo' image")


@tagged("hmr_public_pages", "post_install", "-at_install")
class TestHmrPublicPages(HttpCase, HmrTreatmentsCommon, HmrBrandAssertions):
    """Issue 9, items 5 and 7: the public form and the prospect's page carry the clinic's
    brand; the form has its message box; photo inputs accept camera or gallery and HEIC,
    which is converted; a failure never shows a traceback to the visitor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        set_clinic_brand(cls.env)
        cls.env["website"].search([]).crm_default_team_id = cls.other_team

    def form_values(self, **values):
        return {
            "csrf_token": self.get_csrf(),
            "first_name": "Inés",
            "last_name": "Ruiz Vega",
            "email_from": "ines.web@example.mx",
            "treatment_id": str(self.photo_treatment.id),
            "privacy_consent": "1",
            **values,
        }

    def post_form(self, files=None, **values):
        return self.url_open(
            "/hmr/solicitud/enviar",
            data=self.form_values(**values),
            files=files,
            allow_redirects=False,
        )

    def web_leads(self):
        return self.env["crm.lead"].search([("email_from", "=", "ines.web@example.mx")])

    def assert_file_inputs_open_camera_or_gallery(self, page):
        inputs = html.fromstring(page).xpath("//input[@type='file']")
        self.assertTrue(inputs)
        for file_input in inputs:
            self.assertNotIn("capture", file_input.attrib, "a forced camera hides the gallery")
            self.assertIn("image/heic", file_input.get("accept"))

    # ------------------------------------------------------------
    # the clinic's brand (item 5)
    # ------------------------------------------------------------

    def test_form_and_prospect_page_show_the_clinic(self):
        """Issue 9 item 5: the public form, the prospect's page (by its link and logged
        in) and the contact page show the company's logo, name and contact data, never
        Odoo's placeholders or adverts."""
        self.assert_clinic_brand(self.url_open("/hmr/solicitud"))
        self.assert_clinic_brand(self.url_open(self.page_url(self.case, self.case.access_token)))
        self.assert_clinic_brand(self.url_open("/contactus"))
        self.authenticate("hmr_portal_ana", "hmr_portal_ana")
        self.assert_clinic_brand(self.url_open(self.page_url(self.case)))

    def test_contact_page_in_spanish(self):
        """Issue 9 item 5: the contact page shows the clinic's data in Spanish too: Odoo
        combines the views on the translated texts, so the clinic's changes must not
        select Odoo's elements by their (English) text."""
        spanish = self.env["res.lang"]._activate_lang("es_MX")
        self.env["ir.module.module"]._load_module_terms(["website"], ["es_MX"], overwrite=True)
        self.env["website"].search([]).language_ids |= spanish
        response = self.url_open(f"/{spanish.url_code}/contactus")
        self.assertIn('lang="es-MX"', response.text)
        self.assertNotIn("Mi Empresa", response.text)
        self.assert_clinic_brand(response)

    # ------------------------------------------------------------
    # the form and the photo inputs (item 7)
    # ------------------------------------------------------------

    def test_form_message_box(self):
        """Issue 9 item 7, B1: "Your message (optional)" is a real text box (the fields
        after it are not swallowed by it) and what is typed there lands on the prospect,
        escaped."""
        document = html.fromstring(self.url_open("/hmr/solicitud").text)
        (box,) = document.xpath("//textarea[@name='description']")
        self.assertFalse((box.text or "").strip(), "an empty box, not the rest of the form")
        self.assertEqual(
            document.xpath("//label[@for='hmr_description']")[0].get("for"), box.get("id")
        )
        self.assertTrue(document.xpath("//form//input[@name='photos']"))
        self.assertTrue(document.xpath("//form//button[@type='submit']"))
        response = self.post_form(description="Me interesa <b>el injerto</b>\nen la coronilla")
        self.assertEqual(response.status_code, 303, response.text[:1000])
        description = self.web_leads().description
        self.assertIn("Me interesa", description)
        self.assertIn("en la coronilla", description)
        self.assertNotIn("<b>", description)

    def test_photo_inputs_open_camera_or_gallery(self):
        """Issue 9 item 7: no photo input forces the camera (``capture``), so a prospect
        may pick photos already taken; every input offers HEIC."""
        self.assert_file_inputs_open_camera_or_gallery(self.url_open("/hmr/solicitud").text)
        self.assert_file_inputs_open_camera_or_gallery(
            self.url_open(self.page_url(self.case, self.case.access_token)).text
        )

    def assert_clean_jpeg(self, photo):
        self.assertEqual(photo.mimetype, "image/jpeg")
        raw = base64.b64decode(photo.image)
        self.assertNotIn(b"Apple", raw)
        with Image.open(io.BytesIO(raw)) as image:
            self.assertEqual((image.format, image.size), ("JPEG", (120, 80)))
            self.assertNotIn("exif", image.info)
            self.assertFalse(image.getexif())

    def test_heic_upload_converted(self):
        """Issue 9 item 7, S1.1, B3: an iPhone's HEIC photo sent on the prospect's page
        is converted to JPEG, its metadata (EXIF, GPS) dropped."""
        response = self.upload(
            self.case,
            self.slots[0],
            self.make_heic(),
            token=self.case.access_token,
            filename="a.HEIC",
        )
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assert_clean_jpeg(self.photos_of(self.case))

    def test_heic_on_the_form_converted(self):
        """Issue 9 item 7, B1: a HEIC photo sent with the web form is stored as a clean
        JPEG in the prospect's first photo slot."""
        response = self.post_form(
            files=[("photos", ("IMG_0001.HEIC", self.make_heic(), "image/heic"))]
        )
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assert_clean_jpeg(self.web_leads().treatment_case_ids.photo_ids)

    # ------------------------------------------------------------
    # a server error reaches the visitor as a message (item 7)
    # ------------------------------------------------------------

    def test_form_failure_shows_a_message(self):
        """Issue 9 item 7: an unexpected failure while saving a request shows the form
        with a clean message, never a traceback; nothing is half-saved; the log has it."""
        Lead = type(self.env["crm.lead"])
        with (
            patch.object(Lead, "_hmr_create_from_web_form", side_effect=RuntimeError("forced")),
            self.assertLogs(ERRORS_LOGGER, "ERROR") as logs,
        ):
            response = self.post_form(description="Hola")
        self.assertEqual(response.status_code, 500)
        self.assertIn(CLEAN_ERROR, response.text)
        self.assertIn('name="first_name"', response.text, "the form, to send it again")
        for leak in ("Traceback", "RuntimeError", "forced"):
            self.assertNotIn(leak, response.text)
        self.assertIn("RuntimeError: forced", "\n".join(logs.output))
        self.assertFalse(self.web_leads())

    def test_upload_failure_shows_a_message(self):
        """Issue 9 item 7: an unexpected failure while storing a photo shows the page
        with a clean message next to the photo, never a traceback."""
        Photo = type(self.env["hmr.case.photo"])
        with (
            patch.object(Photo, "_sanitize_image", side_effect=RuntimeError("forced")),
            self.assertLogs(ERRORS_LOGGER, "ERROR") as logs,
        ):
            response = self.upload(
                self.case, self.slots[0], self.jpeg, token=self.case.access_token
            )
        self.assertEqual(response.status_code, 500)
        self.assertIn(CLEAN_ERROR, response.text)
        for leak in ("Traceback", "RuntimeError", "forced"):
            self.assertNotIn(leak, response.text)
        self.assertIn("RuntimeError: forced", "\n".join(logs.output))
        self.assertFalse(self.photos_of(self.case))


@tagged("hmr_public_pages", "post_install", "-at_install")
class TestHmrPublicQuotePage(HttpCase, HmrTreatmentsCommon, HmrBrandAssertions):
    """Issue 9, items 5 and 7 on the portal quote page: the clinic's brand and no Odoo
    advert beside the quote; a failure of accept and sign reaches the visitor as a
    message, not as a traceback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        set_clinic_brand(cls.env)
        cls.env.company.portal_confirmation_pay = False
        cls.order = cls._new_sent_quote(cls.lead_ana)
        cls.order.require_signature = True
        cls.token = cls.order._portal_ensure_token()

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    def _accept_as_visitor(self):
        """Accept and sign the quote as the anonymous visitor's browser does: the raw
        JSON-RPC response, whatever the server answers."""
        return self.url_open(
            f"/my/orders/{self.order.id}/accept",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "access_token": self.token,
                    "name": "Ana Quote",
                    "signature": self.signature_png(),
                },
            },
        )

    def test_quote_page_shows_the_clinic(self):
        """Issue 9 item 5: the prospect's quote page shows the clinic's brand and no
        "Connect with your software!" advert."""
        self.assert_clinic_brand(
            self.url_open(f"/my/orders/{self.order.id}?access_token={self.token}")
        )

    def test_accept_failure_shows_no_traceback(self):
        """Issue 9 item 7, S3.1: when accepting fails on the server, the anonymous
        visitor receives a clean message (no traceback in ``data.debug``), nothing is
        saved, and the error is in the server's log."""
        SaleOrder = type(self.env["sale.order"])
        with (
            patch.object(SaleOrder, "_hmr_record_answer", side_effect=RuntimeError("forced")),
            self.assertLogs(ERRORS_LOGGER, "ERROR") as logs,
        ):
            response = self._accept_as_visitor()
        self.assertEqual(response.status_code, 200)
        for leak in ("Traceback", "debug", "RuntimeError", "forced", "/odoo/"):
            self.assertNotIn(leak, response.text)
        self.assertIn(CLEAN_ERROR, response.json()["result"]["error"])
        self.assertIn("RuntimeError: forced", "\n".join(logs.output))
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")
        self.assertFalse(self.order.signature)
        self.assertFalse(self.order.hmr_answer)

    def test_accept_refusal_keeps_its_message(self):
        """Issue 9 item 7, S3.1: a business refusal while accepting (a UserError raised on
        confirmation) reaches the visitor with its own words, without a traceback, and
        nothing is saved."""
        SaleOrder = type(self.env["sale.order"])
        with patch.object(
            SaleOrder, "_hmr_record_answer", side_effect=UserError("This quote cannot be sold.")
        ):
            response = self._accept_as_visitor()
        for leak in ("Traceback", "debug"):
            self.assertNotIn(leak, response.text)
        self.assertEqual(response.json()["result"]["error"], "This quote cannot be sold.")
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")
        self.assertFalse(self.order.signature)

    def test_accept_retried_after_a_concurrent_update(self):
        """Issue 9 item 7, S3.1: a concurrent update is not answered as an error: as for any
        route, Odoo rolls back and serves the request again, and the quote is accepted."""
        SaleOrder = type(self.env["sale.order"])
        record_answer = SaleOrder._hmr_record_answer
        calls = []

        def record_answer_once_busy(order, *args, **kwargs):
            calls.append(order.id)
            if len(calls) == 1:
                raise ConcurrencyError("another request updated this quote")
            return record_answer(order, *args, **kwargs)

        with (
            patch.object(SaleOrder, "_hmr_record_answer", record_answer_once_busy),
            patch("odoo.service.model.time.sleep"),
        ):
            result = self.make_jsonrpc_request(
                f"/my/orders/{self.order.id}/accept",
                {
                    "access_token": self.token,
                    "name": "Ana Quote",
                    "signature": self.signature_png(),
                },
            )
        self.assertIn("message=sign_ok", result["redirect_url"])
        self.assertEqual(calls, [self.order.id, self.order.id])
        self.order.invalidate_recordset()
        self.assertEqual(self.order.hmr_answer, "accepted")

import base64
import io
from unittest.mock import patch

from PIL import Image

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..controllers import portal as portal_controller
from .common import HmrTreatmentsCommon


@tagged("hmr_portal_b2", "post_install", "-at_install")
class TestHmrProspectPortalAccess(HttpCase, HmrTreatmentsCommon):
    """B2, B3: the prospect's page, its photos and its questionnaire are reached by the
    prospect (logged in, or with the link's token), the staff who may read the case, and
    nobody else; a refused request changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    def test_page_access_by_token(self):
        """B2: no token, a wrong token and another prospect's token are refused; the right
        token opens the page with the 5 slots (S1.1)."""
        for url in (
            self.page_url(self.case),
            self.page_url(self.case, "wrong-token"),
            self.page_url(self.case, self.case_bruno.access_token),
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertTrue(response.headers["Location"].endswith("/my"))
        response = self.url_open(self.page_url(self.case, self.case.access_token))
        self.assertEqual(response.status_code, 200)
        for slot in self.slots:
            self.assertIn(f'id="hmr_slot_{slot.id}"', response.text)
        self.assertIn("0 / 5", response.text)

    def test_page_access_logged_in(self):
        """B2: the prospect's portal account opens their own page without a token, never
        another prospect's; their executive may, another executive may not (B3)."""
        cases = [
            ("hmr_portal_ana", self.case, 200),
            ("hmr_portal_ana", self.case_bruno, 303),
            ("hmr_portal_bruno", self.case_bruno, 200),
            (self.user_executive.login, self.case, 200),
            (self.user_executive.login, self.case_bruno, 303),
        ]
        for login, case, status in cases:
            with self.subTest(login=login, case=case.id):
                self.authenticate(login, login)
                response = self.url_open(self.page_url(case), allow_redirects=False)
                self.assertEqual(response.status_code, status)
        self.authenticate("hmr_portal_ana", "hmr_portal_ana")
        response = self.url_open("/my/hmr/cases")
        self.assertIn(self.case.get_portal_url(), response.text)
        self.assertNotIn(f"/my/hmr/cases/{self.case_bruno.id}", response.text)

    def test_photo_image_route(self):
        """B3: the prospect's own photo is streamed only after the access check, private
        and never cached; other prospects, wrong tokens and staff outside the photo rules
        get nothing."""
        self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        url = f"/my/hmr/cases/{self.case.id}/photo/{self.slots[0].id}/image"
        response = self.url_open(f"{url}?access_token={self.case.access_token}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/jpeg")
        self.assertIn("no-store", response.headers["Cache-Control"])
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        Image.open(io.BytesIO(response.content)).verify()
        for query in ("", "?access_token=wrong", f"?access_token={self.case_bruno.access_token}"):
            with self.subTest(query=query):
                self.assertEqual(self.url_open(url + query).status_code, 403)
        # the slot without photo
        missing = f"/my/hmr/cases/{self.case.id}/photo/{self.slots[1].id}/image"
        self.assertEqual(
            self.url_open(f"{missing}?access_token={self.case.access_token}").status_code, 404
        )
        # logged in: the prospect yes, the other prospect no; the doctor reads the case
        # (given the prospect) but not its photos before being assigned the case
        for login, status in (
            ("hmr_portal_ana", 200),
            ("hmr_portal_bruno", 403),
            (self.user_executive_2.login, 403),
            (self.user_doctor.login, 404),
            (self.user_manager.login, 200),
        ):
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.assertEqual(self.url_open(url).status_code, status)

    def test_photos_never_public(self):
        """B3: the stored photo's attachment is not public and the page never links it
        through /web/image or /web/content."""
        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "hmr.case.photo"),
                ("res_id", "=", photo.id),
                ("res_field", "=", "image"),
            ]
        )
        self.assertTrue(attachment)
        self.assertFalse(attachment.public)
        page = self.url_open(self.page_url(self.case, self.case.access_token)).text
        for marker in (
            f"/web/image/{attachment.id}",
            f"/web/content/{attachment.id}",
            "/web/image/hmr.case.photo",
            "/web/content/hmr.case.photo",
            attachment.store_fname or attachment.checksum,
        ):
            self.assertNotIn(marker, page)
        self.assertIn(f"/my/hmr/cases/{self.case.id}/photo/{self.slots[0].id}/image", page)
        # Odoo's generic routes give a visitor nothing of it (/web/image answers its
        # placeholder picture instead of an access error)
        stored = base64.b64decode(photo.image)
        self.assertEqual(self.url_open(f"/web/content/{attachment.id}").status_code, 404)
        for url in (
            f"/web/image/{attachment.id}",
            f"/web/image/hmr.case.photo/{photo.id}/image",
            f"/web/content/hmr.case.photo/{photo.id}/image",
            f"/web/image/hmr.case.photo/{photo.id}/image?access_token={self.case.access_token}",
        ):
            with self.subTest(url=url):
                self.assertNotEqual(self.url_open(url).content, stored)

    def test_portal_rpc_reach(self):
        """B3: a portal account reads its own case only, never a photo, and cannot use the
        staff's actions through RPC."""
        Case = self.env["hmr.treatment.case"].with_user(self.portal_ana)
        self.assertEqual(Case.search([]), self.case)
        self.case.with_user(self.portal_ana).read(["photo_count", "photos_complete"])
        with self.assertRaises(AccessError):
            self.case_bruno.with_user(self.portal_ana).read(["photo_count"])
        with self.assertRaises(AccessError):
            self.env["hmr.case.photo"].with_user(self.portal_ana).search([])
        with self.assertRaises(UserError):
            self.case_bruno.with_user(self.portal_ana).action_hmr_record_privacy_consent()
        with self.assertRaises(AccessError):
            self.case.with_user(self.portal_ana).action_mark_lost()
        self.assertFalse(self.partner_bruno.hmr_privacy_consent_date)


@tagged("hmr_portal_b2", "post_install", "-at_install")
class TestHmrProspectPortalUpload(HttpCase, HmrTreatmentsCommon):
    """B2, B3: uploading a photo into its slot from the prospect's page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    def test_upload_with_token(self):
        """B2, S1.1: the right token stores the photo in the slot of the URL, re-encoded
        (B3) once, by the photo model; a second upload replaces it."""
        Photo = type(self.env["hmr.case.photo"])
        with patch.object(
            Photo, "_sanitize_image", autospec=True, side_effect=Photo._sanitize_image
        ) as sanitize:
            response = self.upload(
                self.case, self.slots[0], self.jpeg, token=self.case.access_token
            )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(sanitize.call_count, 1, "one check and re-encoding per upload")
        self.assertIn(f"uploaded={self.slots[0].id}", response.headers["Location"])
        photo = self.photos_of(self.case)
        self.assertEqual((photo.slot_id, photo.mimetype), (self.slots[0], "image/jpeg"))
        self.assertEqual(self.case.photo_count, 1)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("your photo was saved", page)
        self.assertIn("1 / 5", page)
        png = self.make_png()
        response = self.upload(self.case, self.slots[0], png, token=self.case.access_token)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.photos_of(self.case), photo, "replaced, not added")
        self.assertEqual(photo.mimetype, "image/png")

    def test_upload_logged_in_portal(self):
        """B2: the prospect's portal account uploads without a token."""
        self.authenticate("hmr_portal_ana", "hmr_portal_ana")
        response = self.upload(self.case, self.slots[1], self.jpeg)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.photos_of(self.case).slot_id, self.slots[1])

    def test_upload_refused_requests_change_nothing(self):
        """B3 and the security bars: no token, a wrong token, another prospect's token or
        account, GET instead of POST, no CSRF, a slot of another process: refused, and
        nothing is stored."""
        token = self.case.access_token
        refusals = [
            ("no token", lambda: self.upload(self.case, self.slots[0], self.jpeg), 403),
            (
                "wrong token",
                lambda: self.upload(self.case, self.slots[0], self.jpeg, token="wrong"),
                403,
            ),
            (
                "another prospect's token",
                lambda: self.upload(
                    self.case, self.slots[0], self.jpeg, token=self.case_bruno.access_token
                ),
                403,
            ),
            (
                "no CSRF",
                lambda: self.upload(self.case, self.slots[0], self.jpeg, token=token, csrf=False),
                400,
            ),
            (
                "GET",
                lambda: self.url_open(
                    f"/my/hmr/cases/{self.case.id}/photo/{self.slots[0].id}?access_token={token}",
                    allow_redirects=False,
                ),
                405,
            ),
            (
                "slot of another process",
                lambda: self.upload(self.case, self.foreign_slot, self.jpeg, token=token),
                404,
            ),
        ]
        for label, call, status in refusals:
            with self.subTest(label):
                self.assertEqual(call().status_code, status)
                self.assertFalse(self.photos_of(self.case))
        self.authenticate("hmr_portal_bruno", "hmr_portal_bruno")
        self.assertEqual(self.upload(self.case, self.slots[0], self.jpeg).status_code, 403)
        self.assertFalse(self.photos_of(self.case))

    def test_upload_forged_target_ignored(self):
        """B3: a posted res_model / res_id / case_id / slot_id never redirects the photo:
        only the case and slot of the URL, checked by the token, count."""
        forged = {
            "res_model": "crm.lead",
            "res_id": str(self.lead_exec_2.id),
            "case_id": str(self.case_bruno.id),
            "slot_id": str(self.slots[3].id),
            "model": "hmr.case.photo",
        }
        response = self.upload(
            self.case, self.slots[0], self.jpeg, token=self.case.access_token, extra=forged
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.photos_of(self.case).slot_id, self.slots[0])
        self.assertFalse(self.photos_of(self.case_bruno))
        self.assertFalse(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead_exec_2.id)]
            )
        )

    def test_upload_bad_files_refused(self):
        """B3: real files of each bad kind are refused by their content with a clear
        message on the page, whatever their name; nothing is half-stored."""
        bad_files = {
            "pdf": (b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer<<>>\n%%EOF", "photo.jpg", "PDF"),
            "svg": (
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                "photo.jpg",
                "SVG",
            ),
            "html": (b"<!DOCTYPE html><html><body>hi</body></html>", "photo.png", "HTML"),
            "zip": (b"PK\x03\x04" + b"\x00" * 60, "photo.jpg", "ZIP"),
            "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.jpg", "GIF"),
            "truncated": (self.jpeg[: len(self.jpeg) // 2], "photo.jpg", "damaged"),
            "bomb": (self.make_png_header(30000, 30000), "photo.png", "megapixels"),
            "heic without its image": (
                b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64,
                "photo.heic",
                "damaged",
            ),
            "empty": (b"", "photo.jpg", "choose the photo"),
        }
        for label, (raw, filename, message) in bad_files.items():
            with self.subTest(label):
                response = self.upload(
                    self.case, self.slots[0], raw, token=self.case.access_token, filename=filename
                )
                self.assertIn(response.status_code, (400,), label)
                self.assertIn("o_hmr_upload_error", response.text)
                self.assertIn(message, response.text)
                self.assertFalse(self.photos_of(self.case))

    def test_upload_size_cap_per_route(self):
        """B3: the route refuses a request over its cap from its declared length, before
        reading the file; the model's own cap holds behind it."""
        with patch.object(portal_controller, "PORTAL_UPLOAD_MAX_BYTES", 2000):
            raw = self.make_jpeg(size=(600, 400), quality=95)
            self.assertGreater(len(raw), 2000)
            response = self.upload(self.case, self.slots[0], raw, token=self.case.access_token)
        self.assertEqual(response.status_code, 413)
        self.assertIn("too large", response.text)
        self.assertFalse(self.photos_of(self.case))

    def test_consent_required_before_first_photo(self):
        """B3: no photo before the consent to the privacy notice. Without the box, the
        upload is refused and nothing is recorded; with it, the consent is recorded with
        the photo, from the portal."""
        token = self.case_bruno.access_token
        page = self.url_open(self.page_url(self.case_bruno, token)).text
        self.assertIn('name="privacy_consent"', page)
        response = self.upload(self.case_bruno, self.slots[0], self.jpeg, token=token)
        self.assertEqual(response.status_code, 400)
        self.assertIn("please accept the privacy notice", response.text)
        self.assertFalse(self.photos_of(self.case_bruno))
        self.assertFalse(self.partner_bruno.hmr_privacy_consent_date)
        # a refused photo with the box ticked records nothing either: all or nothing
        response = self.upload(
            self.case_bruno, self.slots[0], b"%PDF-1.4", token=token, extra={"privacy_consent": "1"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.partner_bruno.hmr_privacy_consent_date)
        response = self.upload(
            self.case_bruno, self.slots[0], self.jpeg, token=token, extra={"privacy_consent": "1"}
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.partner_bruno.hmr_privacy_consent_date)
        self.assertEqual(self.partner_bruno.hmr_privacy_consent_channel, "portal")
        self.assertTrue(self.partner_bruno.hmr_privacy_notice_version)
        self.assertEqual(len(self.photos_of(self.case_bruno)), 1)

    def test_consent_staff_on_behalf(self):
        """B3: the staff cannot store a photo before the prospect's consent; once they
        record the consent they obtained (with their name), they can."""
        Photo = self.env["hmr.case.photo"].with_user(self.user_executive_2)
        with self.assertRaisesRegex(UserError, "privacy notice"):
            Photo.create(self.photo_values(self.slots[0], case=self.case_bruno))
        with self.assertRaises(UserError):
            self.case_bruno.with_user(self.user_doctor_2).action_hmr_record_privacy_consent()
        self.case_bruno.with_user(self.user_executive_2).action_hmr_record_privacy_consent()
        self.assertEqual(self.partner_bruno.hmr_privacy_consent_channel, "staff")
        self.assertEqual(self.partner_bruno.hmr_privacy_consent_user_id, self.user_executive_2)
        Photo.create(self.photo_values(self.slots[0], case=self.case_bruno))
        self.assertEqual(self.case_bruno.photo_count, 1)

    def test_upload_after_photo_step_refused(self):
        """S1.1, B2: once the photos went to the doctors, the page offers no upload and the
        route refuses one."""
        self.env["hmr.case.photo"].create([self.photo_values(slot) for slot in self.slots])
        self.assertNotEqual(self.case.step_kind, "photos")
        page = self.url_open(self.page_url(self.case, self.case.access_token)).text
        self.assertIn("o_hmr_profile_complete", page)
        self.assertNotIn("o_hmr_photo_form", page)
        response = self.upload(self.case, self.slots[0], self.jpeg, token=self.case.access_token)
        self.assertEqual(response.status_code, 409)


@tagged("hmr_portal_b2", "post_install", "-at_install")
class TestHmrProspectPortalQuestionnaireQuotes(HttpCase, HmrTreatmentsCommon):
    """B2: the questionnaire of the treatment and the quotes on the prospect's page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    def test_questionnaire_start_and_state(self):
        """B2, C9: the page shows the questionnaire's state; the button creates the
        prospect's answer once and sends them to it; refused without access or by GET."""
        token = self.case.access_token
        page = self.url_open(self.page_url(self.case, token)).text
        self.assertIn("Not started", page)
        url = f"/my/hmr/cases/{self.case.id}/questionnaire"
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 405)
        csrf = self.get_csrf()
        response = self.url_open(url, data={"csrf_token": csrf}, allow_redirects=False)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.case.survey_user_input_id)
        response = self.url_open(
            url, data={"csrf_token": csrf, "access_token": token}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        answer = self.case.survey_user_input_id
        self.assertEqual((answer.survey_id, answer.partner_id), (self.survey, self.partner_ana))
        self.assertIn(f"answer_token={answer.access_token}", response.headers["Location"])
        self.url_open(url, data={"csrf_token": csrf, "access_token": token}, allow_redirects=False)
        self.assertEqual(self.case.survey_user_input_id, answer, "resumed, not created again")
        answer.state = "in_progress"
        self.assertIn("In progress", self.url_open(self.page_url(self.case, token)).text)
        answer.state = "done"
        page = self.url_open(self.page_url(self.case, token)).text
        self.assertIn("Answered", page)
        self.assertNotIn(url, page)

    def test_quotes_listed_with_their_answer_page(self):
        """B2, S3.1: the sent quotes of the case are listed with a link to Odoo's quote
        page (accept and sign / reject / ask to talk); drafts are not shown."""
        Order = self.env["sale.order"]
        sent = Order.create(
            {"partner_id": self.partner_ana.id, "hmr_case_id": self.case.id, "state": "sent"}
        )
        draft = Order.create({"partner_id": self.partner_ana.id, "hmr_case_id": self.case.id})
        page = self.url_open(self.page_url(self.case, self.case.access_token)).text
        self.assertIn(sent.name, page)
        self.assertIn(f"/my/orders/{sent.id}", page)
        self.assertNotIn(draft.name, page)

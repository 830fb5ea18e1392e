import re

from odoo import Command
from odoo.tests import HttpCase

from odoo.addons.mail.tests.common import mail_new_test_user

from .common_photos import HmrPhotosCommon

# what an email or a page must never carry: a way to a photo (B3)
PHOTO_LINK_MARKERS = ("/web/image", "/web/content", "hmr.case.photo", "ir.attachment")


class HmrPortalCommon(HmrPhotosCommon, HttpCase):
    """Two prospects on the photo process: Ana (executive 1, consent given, a portal
    account) and Bruno (executive 2, no consent yet, a portal account), and helpers to
    call the public and portal routes over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.photo_treatment.survey_id = cls.survey
        cls.case_bruno = cls.env["hmr.treatment.case"].create(
            {"lead_id": cls.lead_exec_2.id, "treatment_id": cls.photo_treatment.id}
        )
        for case in cls.case | cls.case_bruno:
            case._portal_ensure_token()
        cls.partner_ana = cls.case.partner_id
        cls.partner_bruno = cls.case_bruno.partner_id
        cls.partner_ana.email = "ana.portal@example.mx"
        cls.partner_bruno.email = "bruno.portal@example.mx"
        cls.portal_ana = mail_new_test_user(
            cls.env,
            login="hmr_portal_ana",
            groups="base.group_portal",
            partner_id=cls.partner_ana.id,
        )
        cls.portal_bruno = mail_new_test_user(
            cls.env,
            login="hmr_portal_bruno",
            groups="base.group_portal",
            partner_id=cls.partner_bruno.id,
        )
        cls.env["hmr.web.form.submission"].search([]).unlink()
        cls.foreign_slot = cls.env.ref("hmr_treatments_addon.hmr_slot_hair_front")
        cls.other_team = cls.env["crm.team"].create(
            {"name": "HMR Web Test Team", "member_ids": [Command.set([])]}
        )

    # ------------------------------------------------------------
    # HTTP HELPERS
    # ------------------------------------------------------------

    def page_url(self, case, token=None):
        url = f"/my/hmr/cases/{case.id}"
        return f"{url}?access_token={token}" if token else url

    def get_csrf(self, url="/hmr/solicitud"):
        """A CSRF token of the current session, read from a page as a browser would."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def upload(self, case, slot, raw, token=None, csrf=True, extra=None, filename="photo.jpg"):
        """POST one photo to the slot's upload route; ``token`` is sent as the form does."""
        data = dict(extra or {})
        if csrf:
            data["csrf_token"] = self.get_csrf("/hmr/solicitud")
        if token:
            data["access_token"] = token
        return self.url_open(
            f"/my/hmr/cases/{case.id}/photo/{slot.id}",
            data=data,
            files={"photo": (filename, raw, "application/octet-stream")},
            allow_redirects=False,
        )

    def photos_of(self, case):
        return self.env["hmr.case.photo"].search([("case_id", "=", case.id)])

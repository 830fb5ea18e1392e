from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import HmrTreatmentsCommon


@tagged("hmr_consents_j10", "post_install", "-at_install")
class TestHmrConsents(HttpCase, HmrTreatmentsCommon):
    """J10: the versioned privacy notice and the prospect's separate consents, each given
    or withdrawn recorded as an event (date, channel, notice version, staff member)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls.Notice = cls.env["hmr.privacy.notice"]
        cls.notice = cls.Notice._hmr_get_current()
        cls.Log = cls.env["hmr.consent.log"]

    def events(self, partner):
        return self.Log.search([("partner_id", "=", partner.id)], order="id").mapped(
            lambda log: (log.purpose, log.action, log.channel)
        )

    def new_version(self, version="2099-01"):
        notice = self.notice.copy({"version": version})
        notice.with_context(lang="en_US").body = "<p>Version 2099 text.</p>"
        # the Spanish text, as the field's translation dialog records it
        self.env["res.lang"]._activate_lang("es_MX")
        notice.update_field_translations(
            "body", {"es_MX": {"Version 2099 text.": "Texto de la versión 2099."}}
        )
        notice.action_publish()
        return notice

    def test_shipped_notice(self):
        """J10: one current notice is shipped, the version before it kept superseded; the
        existing consent (test data) names the current version."""
        self.assertEqual(self.notice.version, "2026-01")
        self.assertEqual(self.Notice.search_count([("state", "=", "current")]), 1)
        old = self.env.ref("hmr_treatments_addon.hmr_privacy_notice_2025_01")
        self.assertEqual(old.state, "superseded")
        self.assertEqual(self.partner_ana.hmr_privacy_notice_version, "2026-01")
        self.assertEqual(self.events(self.partner_ana), [("privacy_notice", "given", "staff")])
        log = self.partner_ana.hmr_consent_log_ids
        self.assertEqual((log.notice_id, log.user_id), (self.notice, self.user_executive))

    def test_publish_new_version(self):
        """J10: publishing a draft supersedes the current version; a published text is
        frozen and kept; new consents name the new version, old ones keep theirs."""
        notice = self.new_version()
        self.assertEqual((notice.state, self.notice.state), ("current", "superseded"))
        self.assertTrue(notice.date_published)
        with self.assertRaises(UserError):
            self.notice.body = "<p>Rewritten</p>"
        with self.assertRaises(UserError):
            self.notice.unlink()
        with self.assertRaises(UserError):
            notice.action_publish()
        self.partner_bruno._hmr_record_privacy_consent("portal")
        self.assertEqual(self.partner_bruno.hmr_privacy_notice_version, "2099-01")
        self.assertEqual(self.partner_bruno.hmr_consent_log_ids.notice_id, notice)
        self.assertEqual(self.partner_ana.hmr_consent_log_ids.notice_id, self.notice)
        self.assertIn("Texto de la versión 2099", notice.with_context(lang="es_MX").body)
        self.assertIn("Version 2099 text", notice.with_context(lang="en_US").body)

    def test_optional_consents_history(self):
        """J10: marketing and the photos' publication are given and withdrawn separately,
        each event kept; giving twice records once; a withdrawn marketing consent
        blacklists the email, given again it is taken out."""
        partner = self.partner_bruno
        self.assertFalse(partner.hmr_marketing_consent or partner.hmr_photo_publication_consent)
        self.assertTrue(partner._hmr_give_consent("marketing", "web_form"))
        self.assertFalse(partner._hmr_give_consent("marketing", "portal"))
        partner._hmr_withdraw_consent("marketing", "portal")
        partner._hmr_give_consent("photo_publication", "staff", staff_user=self.user_executive)
        self.assertEqual(
            self.events(partner),
            [
                ("marketing", "given", "web_form"),
                ("marketing", "withdrawn", "portal"),
                ("photo_publication", "given", "staff"),
            ],
        )
        self.assertFalse(partner.hmr_marketing_consent)
        self.assertTrue(partner.hmr_photo_publication_consent)
        blacklist = self.env["mail.blacklist"].with_context(active_test=False)
        self.assertTrue(partner.is_blacklisted)
        partner._hmr_give_consent("marketing", "portal")
        partner.invalidate_recordset(["is_blacklisted"])
        self.assertFalse(partner.is_blacklisted)
        self.assertFalse(blacklist.search([("email", "=", partner.email), ("active", "=", True)]))
        with self.assertRaises(UserError):
            partner._hmr_give_consent("newsletter", "portal")

    def test_withdraw_privacy_notice(self):
        """J10, B3: withdrawing the privacy notice (e.g. an ARCO opposition) stops new
        photos and is recorded."""
        self.partner_ana._hmr_withdraw_consent("privacy_notice", "arco", note="ARCO 1")
        self.assertFalse(self.partner_ana._hmr_has_privacy_consent())
        self.assertEqual(self.events(self.partner_ana)[-1], ("privacy_notice", "withdrawn", "arco"))
        with self.assertRaises(UserError):
            self.case._hmr_check_privacy_consent()

    def test_log_written_only_by_flows(self):
        """J10: the history is read by the staff, written by nobody but the flows."""
        self.partner_bruno._hmr_give_consent("marketing", "web_form")
        log = self.partner_bruno.hmr_consent_log_ids
        as_manager = log.with_user(self.user_manager)
        self.assertEqual(as_manager.purpose, "marketing")
        for call in (
            lambda: as_manager.write({"action": "withdrawn"}),
            lambda: as_manager.unlink(),
            lambda: self.Log.with_user(self.user_manager).create(
                {
                    "partner_id": self.partner_bruno.id,
                    "purpose": "marketing",
                    "action": "given",
                    "channel": "staff",
                }
            ),
        ):
            with self.assertRaises(AccessError):
                call()

    def test_staff_buttons(self):
        """J10: the executive records on the prospect a consent given and withdrawn; a
        portal user cannot."""
        lead = self.case_bruno.lead_id.with_user(self.user_executive_2)
        lead.action_hmr_photo_consent_given()
        lead.action_hmr_photo_consent_withdrawn()
        logs = self.partner_bruno.hmr_consent_log_ids.sorted("id")
        self.assertEqual(logs.mapped("action"), ["given", "withdrawn"])
        self.assertEqual(logs.user_id, self.user_executive_2)
        # an AccessError is a UserError
        with self.assertRaises(UserError):
            self.case_bruno.lead_id.with_user(
                self.portal_bruno
            ).action_hmr_marketing_consent_given()

    def test_portal_route(self):
        """J10, B2: with their link the prospect withdraws and gives a consent (channel
        portal); another prospect's link or none changes nothing."""
        self.partner_ana._hmr_give_consent("marketing", "web_form")
        url = f"/my/hmr/cases/{self.case.id}/consent"

        def post(token, given):
            return self.url_open(
                url,
                data={
                    "csrf_token": self.get_csrf(),
                    "access_token": token or "",
                    "purpose": "marketing",
                    "given": given,
                },
                allow_redirects=False,
            )

        self.assertEqual(post(self.case_bruno.access_token, "0").status_code, 403)
        self.assertEqual(post(None, "0").status_code, 403)
        self.assertTrue(self.partner_ana.hmr_marketing_consent)
        response = post(self.case.access_token, "0")
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.partner_ana.hmr_marketing_consent)
        self.assertEqual(self.events(self.partner_ana)[-1], ("marketing", "withdrawn", "portal"))
        page = self.url_open(self.page_url(self.case, self.case.access_token)).text
        self.assertIn('id="hmr_consents"', page)

    def test_public_page_versions(self):
        """J10: the page shows the current version in the visitor's language, an older
        version with ?version=, never a draft."""
        draft = self.notice.copy({"version": "draft-x"})
        page = self.url_open("/hmr/aviso-de-privacidad").text
        self.assertIn("2026-01", page)
        self.assertIn("before/after", page)
        self.assertEqual(self.url_open("/hmr/aviso-de-privacidad?version=draft-x").status_code, 404)
        old = self.url_open("/hmr/aviso-de-privacidad?version=2025-01")
        self.assertEqual(old.status_code, 200)
        self.assertIn("o_hmr_notice_superseded", old.text)
        self.assertTrue(draft)

    def test_web_form_consents(self):
        """J10, B1: the form's optional boxes are unticked; ticked, each is recorded with
        the channel web form alongside the notice's consent."""
        self.env["hmr.web.form.submission"].search([]).unlink()
        self.env["website"].search([]).crm_default_team_id = self.other_team
        self.other_team.member_ids = self.user_executive
        page = self.url_open("/hmr/solicitud").text
        self.assertIn('name="photo_publication_consent"', page)
        response = self.url_open(
            "/hmr/solicitud/enviar",
            data={
                "csrf_token": self.get_csrf(),
                "first_name": "Eva",
                "last_name": "Prueba",
                "email_from": "eva.consents@example.mx",
                "treatment_id": str(self.photo_treatment.id),
                "privacy_consent": "1",
                "photo_publication_consent": "1",
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303, response.text[-500:])
        partner = (
            self.env["crm.lead"].search([("email_from", "=", "eva.consents@example.mx")]).partner_id
        )
        self.assertEqual(
            self.events(partner),
            [("privacy_notice", "given", "web_form"), ("photo_publication", "given", "web_form")],
        )
        self.assertFalse(partner.hmr_marketing_consent)

    def test_long_email_and_typos(self):
        """B1: an email over 254 characters is refused next to its field; typos do not
        count against the hourly limit of prospects, a flood is refused."""
        self.env["hmr.web.form.submission"].search([]).unlink()
        self.env["website"].search([]).crm_default_team_id = self.other_team
        self.other_team.member_ids = self.user_executive
        icp = self.env["ir.config_parameter"]
        icp.set_param("hmr_treatments_addon.web_form_rate_limit", "1")
        icp.set_param("hmr_treatments_addon.web_form_flood_limit", "4")

        def post(**values):
            return self.url_open(
                "/hmr/solicitud/enviar",
                data={
                    "csrf_token": self.get_csrf(),
                    "first_name": "Eva",
                    "last_name": "Prueba",
                    "email_from": "eva.typos@example.mx",
                    "treatment_id": str(self.photo_treatment.id),
                    "privacy_consent": "1",
                    **values,
                },
                allow_redirects=False,
            )

        response = post(email_from="e" * 250 + "@example.mx")
        self.assertEqual(response.status_code, 400)
        self.assertIn("254", response.text)
        self.assertEqual(post(phone="55").status_code, 400)
        self.assertEqual(post(phone="56").status_code, 400)
        self.assertEqual(post().status_code, 303)
        self.assertEqual(post(email_from="eva.two@example.mx").status_code, 429)
        self.assertEqual(post(phone="57").status_code, 429)
        self.assertEqual(
            self.env["crm.lead"].search_count([("email_from", "like", "eva.%@example.mx")]), 1
        )

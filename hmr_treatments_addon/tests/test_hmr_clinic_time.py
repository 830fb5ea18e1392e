from datetime import date, datetime

from odoo.tests import freeze_time, tagged

from .common import HmrTreatmentsCommon

# 18:30 in Mexico City on 2 March 2026, UTC is already on 3 March
LATE_ON_THE_2ND = datetime(2026, 3, 3, 0, 30)
# 00:30 in Mexico City on 3 March
EARLY_ON_THE_3RD = datetime(2026, 3, 3, 6, 30)


@tagged("hmr_quote", "post_install", "-at_install")
class TestHmrClinicTime(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        cls.env.company.partner_id.tz = "America/Mexico_City"
        # who looks has no timezone (the public user) or another one
        cls.user_ana.tz = False
        cls.user_executive.tz = "Europe/Madrid"

    def _quote_valid_until(self, last_day):
        order = self._new_sent_quote(self.lead_ana)
        order.validity_date = last_day
        return order

    def test_clinic_timezone_is_its_address(self):
        """S3.1 (issue 12): the clinic's timezone is its company's address (its contact),
        UTC when unset; its date follows it."""
        company = self.env.company
        self.assertEqual(company._hmr_get_tz(), "America/Mexico_City")
        self.assertEqual(company._hmr_get_date(LATE_ON_THE_2ND), date(2026, 3, 2))
        company.partner_id.tz = False
        self.assertEqual(company._hmr_get_tz(), "UTC")
        self.assertEqual(company._hmr_get_date(LATE_ON_THE_2ND), date(2026, 3, 3))

    def test_valid_until_midnight_of_the_clinic(self):
        """S3.1, B2 (issue 12): late on the last valid day in the clinic (UTC already on the
        next day), the quote is valid for every visitor, the public one, the logged-in
        prospect and the staff alike (Odoo's own expiry and the answer check); from the
        clinic's midnight, it has expired for all."""
        with freeze_time(LATE_ON_THE_2ND):
            order = self._quote_valid_until(date(2026, 3, 2))
            for user in (self.env.ref("base.public_user"), self.user_ana, self.user_executive):
                with self.subTest(user=user.login):
                    as_user = order.with_user(user).sudo()
                    as_user.invalidate_recordset(["is_expired"])
                    self.assertFalse(as_user.is_expired)
                    self.assertFalse(as_user._hmr_get_answer_refusal())
                    self.assertTrue(as_user._has_to_be_signed())
        with freeze_time(EARLY_ON_THE_3RD):
            for user in (self.env.ref("base.public_user"), self.user_ana, self.user_executive):
                with self.subTest(user=user.login):
                    as_user = order.with_user(user).sudo()
                    as_user.invalidate_recordset(["is_expired"])
                    self.assertTrue(as_user.is_expired)
                    self.assertIn("expired", as_user._hmr_get_answer_refusal())

    def test_acceptance_date_is_the_clinic_day(self):
        """D8 (issue 12): a quote accepted at 18:30 in the clinic was accepted that day,
        even when the public user (no timezone) records it."""
        with freeze_time(LATE_ON_THE_2ND):
            order = self._quote_valid_until(date(2026, 3, 2))
            public = order.with_user(self.env.ref("base.public_user")).sudo()
            public.write(
                {"signed_by": "Ana", "signed_on": LATE_ON_THE_2ND, "signature": self.jpeg_b64}
            )
            public.action_confirm()
            self.assertEqual(order.hmr_accepted_on, date(2026, 3, 2))

    def test_validity_and_issue_date_count_from_the_clinic_day(self):
        """D8 (issue 12): a quote issued at 18:30 in the clinic is issued that day, and its
        validity counts from it."""
        self.env.company.quotation_validity_days = 30
        with freeze_time(LATE_ON_THE_2ND):
            order = self._new_quote(self.lead_exec)
        self.assertEqual(order.validity_date, date(2026, 4, 1))
        # the creation date is the database's clock (not frozen): its day in the clinic
        self.assertEqual(order.hmr_issued_on, self.env.company._hmr_get_date(order.create_date))

    def test_invoice_dated_and_due_on_the_clinic_day(self):
        """D8 (issue 12): the invoice of a quote, made and posted late in the clinic's day,
        is dated and falls due that day, whoever's timezone."""
        with freeze_time(LATE_ON_THE_2ND):
            order = self._new_quote(self.lead_exec)
            order.action_confirm()
            invoice = order.with_user(self.user_executive)._create_invoices().sudo()
            self.assertEqual(invoice.date, date(2026, 3, 2))
            self.assertEqual(invoice.invoice_date_due, date(2026, 3, 2))
            invoice.with_context(tz="UTC").action_post()
            self.assertEqual(invoice.invoice_date, date(2026, 3, 2))

    def test_prospect_captured_on_the_clinic_day(self):
        """D2 (issue 12): a prospect captured at 18:30 in the clinic, by the web form's
        public user, is captured that day."""
        with freeze_time(LATE_ON_THE_2ND):
            lead = self._new_lead("Nora Noche")
        self.assertEqual(lead.capture_date, date(2026, 3, 2))

    def test_manager_sets_the_clinic_timezone(self):
        """B4 (issue 12): the clinic's manager, no Odoo administrator, sets the clinic's
        timezone in the clinic's settings."""
        settings = self.env["res.config.settings"].with_user(self.user_manager)
        settings.create({"hmr_clinic_tz": "Pacific/Kiritimati"}).execute()
        self.assertEqual(self.env.company._hmr_get_tz(), "Pacific/Kiritimati")

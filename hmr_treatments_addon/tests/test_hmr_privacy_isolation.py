import importlib.util
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import HmrTreatmentsCommon

MIGRATION = Path(__file__).resolve().parents[1] / "migrations/19.0.4.0.0/post-portal-isolation.py"
OLD_PORTAL_RULE = "[('partner_id', 'child_of', [user.commercial_partner_id.id])]"


@tagged("hmr_portal_b2", "post_install", "-at_install")
class TestHmrPrivacyIsolation(HttpCase, HmrTreatmentsCommon):
    """B2, B3: a prospect's case, quotes and photos are theirs alone, whatever the staff do
    to the contacts: Ana and Bruno (portal accounts) are put under one company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls.quote_ana = cls._new_sent_quote(lead=cls.lead_exec)
        cls.quote_bruno = cls._new_sent_quote(lead=cls.lead_exec_2)
        cls.env["hmr.case.photo"].create(cls.photo_values(cls.slots[0], case=cls.case_bruno))
        cls.family = cls.env["res.partner"].create({"name": "Familia Test", "is_company": True})
        (cls.partner_ana | cls.partner_bruno).parent_id = cls.family

    def _photo_url(self, case):
        return f"/my/hmr/cases/{case.id}/photo/{self.slots[0].id}/image"

    def test_rules_own_contact_only(self):
        """B2: under one company, a portal account reads its own case and the quote of its
        own case only (RPC); a quote without case keeps Odoo's company-wide reach."""
        for user, own, other in (
            (self.portal_ana, self.case | self.quote_ana.hmr_case_id, self.case_bruno),
            (self.portal_bruno, self.case_bruno | self.quote_bruno.hmr_case_id, self.case),
        ):
            with self.subTest(user=user.login):
                Case = self.env["hmr.treatment.case"].with_user(user)
                self.assertEqual(Case.search([]), own)
                with self.assertRaises(AccessError):
                    other.with_user(user).read(["state"])
        Order = self.env["sale.order"].with_user(self.portal_ana)
        self.assertEqual(Order.search([("hmr_case_id", "!=", False)]), self.quote_ana)
        with self.assertRaises(AccessError):
            self.quote_bruno.with_user(self.portal_ana).read(["name"])
        with self.assertRaises(AccessError):
            self.quote_bruno.order_line.with_user(self.portal_ana).read(["name"])
        self.quote_ana.with_user(self.portal_ana).read(["name", "amount_total"])
        plain = self.env["sale.order"].create(
            {"partner_id": self.partner_bruno.id, "user_id": self.user_executive.id}
        )
        self.assertIn(plain, Order.search([]))

    def test_pages_own_contact_only(self):
        """B2, B3: under one company, the other prospect's page, photo and quote are refused
        over HTTP; the prospect's own are served, and never cached."""
        self.authenticate("hmr_portal_ana", "hmr_portal_ana")
        for url, status in (
            (self.page_url(self.case_bruno), 303),
            (self._photo_url(self.case_bruno), 403),
            (f"/my/orders/{self.quote_bruno.id}", 303),
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, status)
        self.authenticate("hmr_portal_bruno", "hmr_portal_bruno")
        for url in (
            self.page_url(self.case_bruno),
            self._photo_url(self.case_bruno),
            f"/my/orders/{self.quote_bruno.id}",
            "/my/hmr/cases",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 200)
                self.assertIn("no-store", response.headers["Cache-Control"])

    def test_controller_checks_exact_contact(self):
        """B3: the routes check the case's own contact themselves: with the company-wide
        rule of a database not yet migrated, the other prospect still gets nothing; the
        link's token still opens the page."""
        rule = self.env.ref("hmr_treatments_addon.hmr_treatment_case_rule_portal")
        rule.domain_force = OLD_PORTAL_RULE
        self.case_bruno.with_user(self.portal_ana).check_access("read")
        self.authenticate("hmr_portal_ana", "hmr_portal_ana")
        self.assertEqual(self.url_open(self._photo_url(self.case_bruno)).status_code, 403)
        response = self.url_open(self.page_url(self.case_bruno), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        token_url = self.page_url(self.case_bruno, self.case_bruno.access_token)
        self.assertEqual(self.url_open(token_url).status_code, 200)

    def test_migration_updates_rule(self):
        """B2: the migration gives an existing database the rule of the own contact."""
        rule = self.env.ref("hmr_treatments_addon.hmr_treatment_case_rule_portal")
        rule.domain_force = OLD_PORTAL_RULE
        rule.flush_recordset()
        spec = importlib.util.spec_from_file_location("hmr_post_portal_isolation", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "19.0.3.0.0")
        rule.invalidate_recordset()
        self.assertEqual(rule.domain_force, migration.PORTAL_RULE_DOMAIN)
        with self.assertRaises(AccessError):
            self.case_bruno.with_user(self.portal_ana).read(["state"])

    def test_merge_keeps_cases_apart(self):
        """B2, B3: a contact holding cases is never merged away (even by the administrator),
        nor an account merged into it; a duplicate without cases merges into it."""
        Wizard = self.env["base.partner.merge.automatic.wizard"]
        holder = self._new_case("Carla Holder").partner_id
        intruder = self.env["res.partner"].create({"name": "Intruso", "email": "i@example.mx"})
        self._new_portal_user("hmr_portal_intruder", intruder)
        for partners, destination in (
            (holder | self.partner_bruno, self.partner_bruno),
            (holder | intruder, intruder),
            (holder | self.partner_ana, holder),
            (holder | intruder, holder),
        ):
            with self.subTest(destination=destination.name), self.assertRaises(UserError):
                Wizard._merge(partners.ids, destination)
        self.assertEqual(self.case.partner_id, self.partner_ana)
        self.assertTrue(holder.exists())
        duplicate = self.env["res.partner"].create(
            {"name": "Ana duplicada", "email": self.partner_ana.email}
        )
        Wizard._merge((duplicate | self.partner_ana).ids, self.partner_ana)
        self.assertFalse(duplicate.exists())
        self.assertEqual(self.case.partner_id, self.partner_ana)

    def test_contact_replaced(self):
        """B2, B3: the prospect's contact replaced, the former contact's account and old
        links stop working (new tokens for the case and its quotes, no longer a follower);
        the new contact reaches the case and its quote."""
        case = self.quote_ana.hmr_case_id
        self.quote_ana.message_subscribe(partner_ids=self.partner_ana.ids)
        old_tokens = (case.access_token, self.quote_ana.access_token)
        new_partner = self.env["res.partner"].create(
            {"name": "Ana Correcta", "email": "ana.correcta@example.mx"}
        )
        new_user = self._new_portal_user("hmr_portal_ana_new", new_partner)
        self.lead_exec.with_user(self.user_executive).partner_id = new_partner
        self.assertEqual(case.partner_id, new_partner)
        self.assertNotIn(case.access_token, (False, old_tokens[0]))
        self.assertNotIn(self.quote_ana.access_token, (False, old_tokens[1]))
        self.assertNotIn(self.partner_ana, self.quote_ana.message_partner_ids)
        with self.assertRaises(AccessError):
            case.with_user(self.portal_ana).read(["state"])
        with self.assertRaises(AccessError):
            self.quote_ana.with_user(self.portal_ana).read(["name"])
        case.with_user(new_user).read(["state"])
        self.quote_ana.with_user(new_user).read(["name"])
        for url in (
            self.page_url(case, old_tokens[0]),
            f"/my/orders/{self.quote_ana.id}?access_token={old_tokens[1]}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
        self.assertEqual(self.url_open(case.get_portal_url()).status_code, 200)

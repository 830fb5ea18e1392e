from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install", "hmr_tour")
class TestWebClientTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.executive = mail_new_test_user(
            cls.env, login="tour_exec", groups="hmr_crm_addon.group_hmr_executive", name="Tour Exec"
        )
        cls.executive_2 = mail_new_test_user(
            cls.env, login="tour_exec2", groups="hmr_crm_addon.group_hmr_executive", name="Exec 2"
        )
        cls.manager = mail_new_test_user(
            cls.env, login="tour_manager", groups="hmr_crm_addon.group_hmr_manager", name="Tour Mgr"
        )

    def test_executive_captures_prospect_with_treatment(self):
        """P1, P2, P5: in the web client, an executive captures a prospect and assigns it a
        treatment; the prospect, its contact and its case are stored."""
        self.start_tour("/odoo", "hmr_prospect_capture_tour", login="tour_exec")
        lead = self.env["crm.lead"].search([("email_from", "=", "lucia.tour@example.mx")])
        self.assertEqual(lead.name, "Lucía Ramírez Torres")
        self.assertEqual(lead.user_id, self.executive)
        self.assertEqual(lead.contact_method_id.name, "WhatsApp")
        self.assertFalse(lead.partner_id.parent_id)
        self.assertEqual(lead.treatment_case_ids.treatment_id.name, "FUE hair transplant")

    def test_manager_browses_catalogs(self):
        """C3, C6: a manager finds the clinic's catalogs under Configuration."""
        self.start_tour("/odoo", "hmr_manager_catalogs_tour", login="tour_manager")

    def test_foreign_prospect_is_refused_once(self):
        """C2: an executive opening another executive's prospect by its address gets an
        access error, once (no reload loop), and the prospect's data is not shown."""
        foreign = self.env["crm.lead"].create(
            {"first_name": "Secreta", "last_name": "Ajena", "user_id": self.executive_2.id}
        )
        self.start_tour(
            f"/odoo/hmr-prospects/{foreign.id}",
            "hmr_foreign_prospect_refused_tour",
            login="tour_exec",
        )

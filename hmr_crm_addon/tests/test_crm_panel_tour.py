from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install", "hmr_tour")
class TestCrmPanelTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.executive = mail_new_test_user(
            cls.env,
            login="tour_crm_exec",
            groups="hmr_crm_addon.group_hmr_executive",
            name="Tour Crm Exec",
        )
        cls.manager = mail_new_test_user(
            cls.env,
            login="tour_crm_manager",
            groups="hmr_crm_addon.group_hmr_manager",
            name="Tour Crm Manager",
        )
        instagram = cls.env.ref("hmr_crm_addon.utm_source_instagram")
        Lead = cls.env["crm.lead"]

        def prospect(first_name, last_name, stage):
            return Lead.create(
                {
                    "first_name": first_name,
                    "last_name": last_name,
                    "email_from": f"{first_name.lower()}@example.mx",
                    "phone": "+52 55 5555 0101",
                    "source_id": instagram.id,
                    "user_id": cls.executive.id,
                    "stage_id": cls.env.ref(stage).id,
                }
            )

        cls.lead = prospect("Lucía", "Lead", "hmr_crm_addon.crm_stage_lead")
        cls.contact = prospect("Carlos", "Contacto", "hmr_crm_addon.crm_stage_contact")
        cls.deal = prospect("Diana", "Deal", "hmr_crm_addon.crm_stage_deal")
        cls.lost = prospect("Nora", "Nointeresada", "hmr_crm_addon.crm_stage_contact")
        cls.lost.action_set_lost()
        cls.env["hmr.call"].create(
            {
                "lead_id": cls.contact.id,
                "user_id": cls.executive.id,
                "call_at": fields.Datetime.now() + timedelta(hours=2),
            }
        )
        product = cls.env["product.product"].create(
            {"name": "Tour FUE", "type": "service", "list_price": 45000.0}
        )
        cls.quote = cls.env["sale.order"].create(
            {
                "partner_id": cls.deal.partner_id.id,
                "opportunity_id": cls.deal.id,
                "user_id": cls.executive.id,
                "order_line": [(0, 0, {"product_id": product.id})],
            }
        )
        cls.env["hmr.message.composer"].create(
            {
                "lead_ids": [(6, 0, cls.deal.ids)],
                "channel": "email",
                "mail_template_id": cls.env.ref(
                    "hmr_crm_addon.mail_template_hmr_prospect_follow_up"
                ).id,
            }
        ).action_send()
        cls.env["mail.mail"].sudo().search([("state", "=", "exception")]).write({"state": "sent"})
        cls.env["mail.notification"].sudo().search(
            [("res_partner_id", "=", cls.deal.partner_id.id)]
        ).notification_status = "sent"

    def test_executive_goes_through_the_tabs_and_invoices(self):
        """D2-D8: in the web client, an executive goes through the tabs (Leads with
        call/SMS/email actions, Contacts, Deals, Not interested, Calls, Messages,
        Quotes), changes a lead's stage from the form's status bar, and turns a quote
        into an invoice in one click: the prospect is won, a client."""
        self.start_tour("/odoo", "hmr_crm_panel_tour", login="tour_crm_exec")
        self.assertEqual(self.lead.hmr_status, "contact")
        self.assertEqual(self.quote.state, "sale")
        self.assertEqual(self.quote.invoice_status, "invoiced")
        self.assertEqual(self.quote.hmr_quote_status, "accepted", "until its invoice is posted")
        self.quote.invoice_ids.action_post()
        self.assertEqual(self.quote.hmr_quote_status, "finished")
        self.assertEqual(self.deal.hmr_status, "client")

    def test_manager_sees_the_panel_and_the_funnel(self):
        """D1, B5: a manager sees the panel, one column per stage, and the funnel."""
        self.start_tour("/odoo", "hmr_crm_manager_tour", login="tour_crm_manager")

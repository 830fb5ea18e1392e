from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestReassignment(HmrCrmCommon):
    """P4 (issue 11): a prospect handed over to another executive takes along what its
    executive held of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.lead_exec
        cls.quote_draft = cls._quote("draft")
        cls.quote_sent = cls._quote("sent")
        cls.order_won = cls._quote("sale")
        cls.quote_cancelled = cls._quote("cancel")
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")
        cls.todo_lead = cls.lead.activity_schedule(
            "mail.mail_activity_data_todo",
            summary="Ask about the budget",
            user_id=cls.user_executive.id,
        )
        cls.todo_done = cls.lead.activity_schedule(
            "mail.mail_activity_data_todo", summary="First call", user_id=cls.user_executive.id
        )
        cls.todo_done.action_feedback("Called")
        cls.todo_manager = cls.lead.activity_schedule(
            "mail.mail_activity_data_todo",
            summary="Check the discount",
            user_id=cls.user_manager.id,
        )
        cls.todo_quote = cls.quote_sent.activity_schedule(
            "mail.mail_activity_data_call",
            summary="Explain the quote",
            user_id=cls.user_executive.id,
        )
        Call = cls.env["hmr.call"]
        cls.call_planned = Call.create(
            {
                "lead_id": cls.lead.id,
                "user_id": cls.user_executive.id,
                "call_at": datetime.now() + timedelta(days=1),
            }
        )
        cls.call_made = Call.create(
            {
                "lead_id": cls.lead.id,
                "user_id": cls.user_executive.id,
                "call_at": datetime.now() - timedelta(days=1),
                "state": "done",
                "outcome": "interested",
            }
        )

    @classmethod
    def _quote(cls, state):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.lead.partner_id.id,
                "opportunity_id": cls.lead.id,
                "user_id": cls.user_executive.id,
                "order_line": [(0, 0, {"product_id": cls.product_fue.id})],
            }
        )
        if state == "sent":
            order.action_quotation_sent()
        elif state == "sale":
            order.action_confirm()
        elif state == "cancel":
            order.action_cancel()
        return order

    def _hand_over(self):
        """The manager gives the prospect to the second executive."""
        self.lead.with_user(self.user_manager).user_id = self.user_executive_2

    def test_open_quotes_activities_and_calls_follow_the_prospect(self):
        """P4, D6, D8 (issue 11): the quotes in negotiation (quotation, sent) change
        salesperson, the old executive's open activities on the prospect and on them go to
        the new one, and so do the calls still to make; what is done or closed (the order
        won, the quote cancelled, the done activity, the call made) and what another user
        holds keep theirs."""
        self._hand_over()
        new, old = self.user_executive_2, self.user_executive
        self.assertEqual((self.quote_draft | self.quote_sent).user_id, new)
        self.assertEqual((self.order_won | self.quote_cancelled).user_id, old)
        self.assertEqual((self.todo_lead | self.todo_quote).user_id, new)
        self.assertEqual(self.todo_manager.user_id, self.user_manager)
        self.assertEqual(self.todo_done.with_context(active_test=False).user_id, old)
        self.assertEqual(self.call_planned.user_id, new)
        self.assertEqual(self.call_made.user_id, old)

    def test_access_follows_the_prospect(self):
        """P4, Q1 (issue 11): the new executive reads and answers the quote; the old one no
        longer reaches the quote nor the prospect, nor follows them."""
        self._hand_over()
        quote = self.quote_sent.with_user(self.user_executive_2)
        quote.check_access("write")
        quote.message_post(body="Le llamo mañana.", message_type="comment")
        for record in (self.quote_sent, self.lead):
            with self.assertRaises(AccessError):
                record.with_user(self.user_executive).check_access("read")
            self.assertNotIn(self.user_executive.partner_id, record.message_partner_ids)
            self.assertIn(self.user_executive_2.partner_id, record.message_partner_ids)

    def test_new_executive_told_once_in_their_language(self):
        """P4, B8 (issue 11): the new executive gets one notification listing the prospect,
        its quotes, the activities and the calls now theirs, in their language; no
        "assigned to you" per prospect, quote, activity or call."""
        self.env["res.lang"]._activate_lang("es_MX")
        self.env["ir.module.module"]._load_module_terms(["hmr_crm_addon"], ["es_MX"])
        self.user_executive_2.lang = "es_MX"
        partner = self.user_executive_2.partner_id
        before = self.env["mail.message"].search([], order="id desc", limit=1).id
        with self.mock_mail_gateway():
            self._hand_over()
        notices = self.env["mail.message"].search(
            [
                ("id", ">", before),
                ("partner_ids", "in", partner.ids),
                ("message_type", "=", "user_notification"),
            ]
        )
        self.assertEqual(len(notices), 1, notices.mapped("subject"))
        body = notices.body
        for expected in (
            "Ana López Pérez",
            self.quote_draft.name,
            self.quote_sent.name,
            "Ask about the budget",
            "Explain the quote",
            "Llamadas por hacer",
        ):
            self.assertIn(expected, body)
        for foreign in (self.order_won.name, "Check the discount", "First call", "Calls to"):
            self.assertNotIn(foreign, body)
        self.assertEqual(notices.model, "crm.lead")
        self.assertIn("ahora es suyo", notices.subject)
        # one email to the executive (they read their notifications by email)
        self.assertEqual(len(self._new_mails.filtered(lambda m: partner in m.recipient_ids)), 1)

    def test_taking_over_an_unassigned_prospect_keeps_odoo_notice(self):
        """P4 (issue 11): a prospect nobody held has nothing to hand over: Odoo's own
        "assigned to you" tells the executive, and no hand-over notice."""
        lead = self.lead_unassigned
        lead.with_user(self.user_manager).user_id = self.user_executive_2
        subjects = (
            self.env["mail.message"]
            .search([("partner_ids", "in", self.user_executive_2.partner_id.ids)])
            .mapped("subject")
        )
        self.assertFalse([s for s in subjects if s and "handed over" in s], subjects)
        self.assertTrue([s for s in subjects if s and "assigned" in s], subjects)

    def test_notice_names_who_handed_the_prospect_over(self):
        """P4 (issue 11): the new executive is told who handed the prospect over (the user
        who made the change: the manager) and whose it was; an executive handing their own
        prospect over is named once."""
        partner = self.user_executive_2.partner_id

        def notice_body(giver, lead):
            before = self.env["mail.message"].search([], order="id desc", limit=1).id
            lead.with_user(giver).user_id = self.user_executive_2
            notice = self.env["mail.message"].search(
                [("id", ">", before), ("partner_ids", "in", partner.ids)]
            )
            self.assertEqual(len(notice), 1)
            return notice.body

        body = notice_body(self.user_manager, self.lead)
        self.assertIn("Mara Manager handed the prospect", body)
        self.assertIn("(it was Eva Executive", body)
        self.assertNotIn("Eva Executive handed", body)
        own = self.lead.copy({"user_id": self.user_executive.id})
        body = notice_body(self.user_executive, own)
        self.assertIn("Eva Executive handed the prospect", body)
        self.assertNotIn("(it was", body)

    def test_odoo_salesmen_keep_odoos_assignment(self):
        """P4 (issue 11): a lead passed between two Odoo salesmen outside the clinic's roles
        is assigned Odoo's way: the former salesman keeps following it, no hand-over
        notice, and a batch of leads is dated as assigned together."""
        salesmen = [
            mail_new_test_user(
                self.env, login=login, groups="sales_team.group_sale_salesman", name=login
            )
            for login in ("odoo_seller_a", "odoo_seller_b")
        ]
        leads = self.env["crm.lead"].create(
            [
                {"name": "Odoo lead A", "type": "opportunity", "user_id": salesmen[0].id},
                {"name": "Odoo lead B", "type": "opportunity", "user_id": salesmen[1].id},
            ]
        )
        leads.write({"user_id": salesmen[1].id})
        self.assertIn(salesmen[0].partner_id, leads[0].message_partner_ids)
        self.assertEqual(leads[0].date_open, leads[1].date_open)
        subjects = leads.message_ids.mapped("subject")
        self.assertFalse([s for s in subjects if s and "handed" in s], subjects)
        # Odoo's own code may write the user as a record
        leads.write({"user_id": salesmen[0]})
        self.assertEqual(leads.user_id, salesmen[0])

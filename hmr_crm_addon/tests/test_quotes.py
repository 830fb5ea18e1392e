from datetime import date, datetime

from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from .common import HmrCrmPanelCommon


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestQuotes(HmrCrmPanelCommon):
    @users("hmr_exec")
    def test_status_chosen_at_creation(self):
        """D8: the quote status is chosen at creation (in progress by default) and the
        order follows it: accepted is confirmed, rejected is cancelled; issue and
        acceptance dates are recorded."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.mock_datetime_and_now(datetime(2026, 6, 15, 18, 0)):
            in_progress = self._new_quote(lead)
            accepted = self._new_quote(lead, hmr_quote_status="accepted")
            rejected = self._new_quote(lead, hmr_quote_status="rejected")
        self.assertRecordValues(
            in_progress | accepted | rejected,
            [
                {"hmr_quote_status": "in_progress", "state": "draft", "hmr_accepted_on": False},
                {
                    "hmr_quote_status": "accepted",
                    "state": "sale",
                    "hmr_accepted_on": date(2026, 6, 15),
                },
                {"hmr_quote_status": "rejected", "state": "cancel", "hmr_accepted_on": False},
            ],
        )
        self.assertEqual(in_progress.hmr_issued_on, date(2026, 6, 15))
        self.assertEqual(in_progress.source_id, self.source_instagram, "the prospect's source")

    @users("hmr_exec")
    def test_status_follows_the_order(self):
        """D8, B7: the status stays consistent with Odoo's state: confirmed is accepted,
        fully invoiced is finished, cancelled is rejected; each change is tracked."""
        self.env = self.env(context=dict(self.env.context, mail_notrack=False))
        quote = self._new_quote(self.lead_exec)
        self.flush_tracking()  # changes are tracked from the transaction after creation
        quote.action_quotation_sent()
        self.assertEqual(quote.hmr_quote_status, "in_progress")
        quote.action_confirm()
        self.assertEqual(quote.hmr_quote_status, "accepted")
        quote._create_invoices()
        self.assertEqual(quote.hmr_quote_status, "finished")
        other = self._new_quote(self.lead_exec.with_user(self.env.user))
        other.action_cancel()
        self.assertEqual(other.hmr_quote_status, "rejected")
        other.action_draft()
        self.assertEqual(other.hmr_quote_status, "in_progress")
        # signed on the portal, to be paid before Odoo confirms it: accepted already
        other.action_quotation_sent()
        with self.mock_datetime_and_now(datetime(2026, 6, 20, 16, 0)):
            other.sudo().write(
                {"signed_by": "Ana López", "signed_on": datetime(2026, 6, 20, 16, 0)}
            )
        self.assertRecordValues(
            other,
            [
                {
                    "state": "sent",
                    "hmr_quote_status": "accepted",
                    "hmr_accepted_on": date(2026, 6, 20),
                }
            ],
        )
        self.flush_tracking()
        tracked = quote.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "hmr_quote_status"
        )
        self.assertEqual(
            [(t.old_value_char, t.new_value_char) for t in tracked], [("In Progress", "Finished")]
        )

    @users("hmr_exec")
    def test_status_changed_later_moves_the_order(self):
        """D8: the status changed later moves the order: accepted confirms it, rejected
        cancels it, in progress takes a rejected quote back; an accepted quote cannot
        be in progress again; finished can be set by hand."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        form = Form(quote)
        form.hmr_quote_status = "rejected"
        form.save()
        self.assertEqual(quote.state, "cancel")
        quote.hmr_quote_status = "in_progress"
        self.assertEqual(quote.state, "draft")
        quote.hmr_quote_status = "accepted"
        self.assertEqual(quote.state, "sale")
        with self.assertRaises(UserError):
            quote.hmr_quote_status = "in_progress"
        quote.hmr_quote_status = "finished"
        self.assertRecordValues(quote, [{"state": "sale", "hmr_quote_status": "finished"}])

    @users("hmr_exec")
    def test_one_click_invoice(self):
        """D8: one click turns a quote into an invoice: the quote is confirmed when
        needed, the invoice created and opened; a second click opens it again."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        action = quote.action_hmr_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "account.move")
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.lead_exec.partner_id.id,
                    "amount_untaxed": 45000.0,
                    "invoice_origin": quote.name,
                    "state": "draft",
                }
            ],
        )
        self.assertRecordValues(
            quote, [{"state": "sale", "invoice_status": "invoiced", "hmr_quote_status": "finished"}]
        )
        self.assertEqual(self.lead_exec.hmr_status, "client", "the deal is won")
        self.assertEqual(quote.action_hmr_invoice()["res_id"], invoice.id)
        rejected = self._new_quote(
            self.lead_exec.with_user(self.env.user), hmr_quote_status="rejected"
        )
        with self.assertRaises(UserError):
            rejected.action_hmr_invoice()

    @users("hmr_exec")
    def test_quotes_tab(self):
        """D8: the Quotes tab lists the quotes of the executive's prospects, with their
        issue, expiry and acceptance dates and status."""
        mine = self._new_quote(self.lead_exec.with_user(self.env.user))
        other = (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.lead_exec_2.partner_id.id,
                    "opportunity_id": self.lead_exec_2.id,
                    "user_id": self.user_executive_2.id,
                }
            )
        )
        not_crm = (
            self.env["sale.order"]
            .sudo()
            .create({"partner_id": self.lead_exec.partner_id.id, "user_id": self.user_executive.id})
        )
        quotes = self._tab("hmr_crm_addon.sale_order_action_hmr_quotes")
        self.assertIn(mine, quotes)
        self.assertNotIn(other.with_user(self.env.user), quotes)
        self.assertNotIn(not_crm.with_user(self.env.user), quotes)
        view = self.env.ref("hmr_crm_addon.sale_order_view_list_hmr_quotes")
        columns = self.env["sale.order"].get_views([(view.id, "list")])["views"]["list"]["arch"]
        for column in ("hmr_issued_on", "validity_date", "hmr_accepted_on", "hmr_quote_status"):
            self.assertIn(f'name="{column}"', columns)

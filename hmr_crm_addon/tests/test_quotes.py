import re
from datetime import date, datetime
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestQuotes(HmrCrmCommon):
    def _quote_form(self):
        """The quote form of the Quotes tab, new."""
        return Form(self.env["sale.order"].with_context(hmr_crm_quotes=True))

    def _post(self, invoices):
        """The clinic's managers post the invoices (Billing)."""
        invoices.with_user(self.user_manager).action_post()

    @users("hmr_exec")
    def test_status_chosen_at_creation(self):
        """D8: the quote status is chosen at creation (in progress by default) and the
        order follows it: accepted is confirmed, rejected is cancelled; issue and
        acceptance dates are recorded."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.mock_datetime_and_now(datetime(2026, 6, 15, 18, 0)):
            in_progress = self._new_quote(lead)
            accepted = self._new_quote(lead, hmr_initial_status="accepted")
            rejected = self._new_quote(lead, hmr_initial_status="rejected")
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
    def test_creation_dropdown_runs_odoos_actions(self):
        """D8, D1: the status chosen in the form's dropdown at creation is reached
        through Odoo's own actions (confirming wins the prospect, cancelling cancels
        the quote's draft invoices); the dropdown is gone once the quote exists."""
        form = self._quote_form()
        self.assertEqual(form.hmr_initial_status, False, "in progress unless chosen")
        form.partner_id = self.lead_exec.partner_id
        form.opportunity_id = self.lead_exec
        with form.order_line.new() as line:
            line.product_id = self.product_fue
        form.hmr_initial_status = "accepted"
        with patch.object(
            type(self.env["sale.order"]),
            "action_confirm",
            autospec=True,
            side_effect=type(self.env["sale.order"]).action_confirm,
        ) as action_confirm:
            quote = form.save()
        action_confirm.assert_called_once_with(quote)
        self.assertRecordValues(quote, [{"state": "sale", "hmr_quote_status": "accepted"}])
        self.assertEqual(self.lead_exec.won_status, "won", "confirming wins the prospect")
        with self.assertRaisesRegex(AssertionError, "invisible field"):
            Form(quote).hmr_initial_status = "rejected"  # no dropdown once the quote exists
        rejected = self._new_quote(self.lead_exec, hmr_initial_status="rejected")
        self.assertRecordValues(rejected, [{"state": "cancel", "hmr_quote_status": "rejected"}])

    @users("hmr_manager")
    def test_finished_at_creation_posts_the_invoice(self):
        """D8, C2: a quote created finished is confirmed, invoiced and its invoice
        posted, by someone who may post invoices (a manager, not an executive)."""
        with self.with_user("hmr_exec"), self.assertRaises(AccessError):
            self._new_quote(self.lead_exec, hmr_initial_status="finished")
        quote = self._new_quote(self.lead_exec, hmr_initial_status="finished")
        self.assertRecordValues(
            quote, [{"state": "sale", "invoice_status": "invoiced", "hmr_quote_status": "finished"}]
        )
        self.assertEqual(quote.invoice_ids.mapped("state"), ["posted"])

    @users("hmr_exec")
    def test_status_cannot_be_written(self):
        """D8: the quote status is read from the order: it is read-only, in the form too."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        fields_info = quote.fields_get(["hmr_quote_status"])["hmr_quote_status"]
        self.assertTrue(fields_info["readonly"])
        form = Form(quote.with_context(hmr_crm_quotes=True))
        with self.assertRaisesRegex(AssertionError, "readonly field"):
            form.hmr_quote_status = "accepted"
        self.assertEqual(quote.hmr_quote_status, "in_progress")

    @users("hmr_exec")
    def test_status_follows_the_order(self):
        """D8, B7: the status stays consistent with Odoo's state: confirmed is accepted,
        invoiced with its invoices posted is finished, cancelled is rejected, signed on
        the portal is accepted; each change is tracked."""
        self.env = self.env(context=dict(self.env.context, mail_notrack=False))
        quote = self._new_quote(self.lead_exec)
        self.flush_tracking()  # changes are tracked from the transaction after creation
        quote.action_quotation_sent()
        self.assertEqual(quote.hmr_quote_status, "in_progress")
        quote.action_confirm()
        self.assertEqual(quote.hmr_quote_status, "accepted")
        self._post(quote._create_invoices())
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
    def test_sent_quote_sets_the_deals_revenue(self):
        """D5, D8 (issue 11): a sent quote makes its prospect a deal worth the quote (the
        panel's deal column and the forecast are not $0 until it is signed); a cheaper
        quote sent later does not lower it, as Odoo's confirmation would not."""
        quote = self._new_quote(self.lead_exec)
        self.assertEqual(self.lead_exec.expected_revenue, 0)
        quote.action_quotation_sent()
        self.assertEqual(quote.amount_untaxed, self.product_fue.list_price)
        self.assertEqual(self.lead_exec.expected_revenue, quote.amount_untaxed)
        cheaper = self._new_quote(self.lead_exec)
        # a cheaper product (a lower price by hand is a discount under the clinic's limits)
        cheaper.order_line.product_id = (
            self.env["product.product"]
            .sudo()
            .create({"name": "Consulta (test)", "type": "service", "list_price": 100.0})
        )
        self.assertEqual(cheaper.amount_untaxed, 100.0)
        cheaper.action_quotation_sent()
        self.assertEqual(self.lead_exec.expected_revenue, quote.amount_untaxed)

    @users("hmr_exec")
    def test_finished_only_when_the_invoices_are_posted(self):
        """D8: an invoiced quote is finished only once its invoices are posted: a draft
        invoice leaves it accepted, an invoice reset to draft takes it back, a
        cancelled invoice leaves it to invoice again."""
        quote = self._new_quote(self.lead_exec, hmr_initial_status="accepted")
        invoice = quote._create_invoices()
        self.assertRecordValues(
            quote, [{"invoice_status": "invoiced", "hmr_quote_status": "accepted"}]
        )
        self._post(invoice)
        self.assertEqual(quote.hmr_quote_status, "finished")
        invoice.with_user(self.user_manager).button_draft()
        self.assertEqual(quote.hmr_quote_status, "accepted")
        invoice.with_user(self.user_manager).button_cancel()
        self.assertRecordValues(
            quote, [{"invoice_status": "to invoice", "hmr_quote_status": "accepted"}]
        )

    @users("hmr_exec")
    def test_status_changed_later_with_the_orders_buttons(self):
        """D8: the status is changed later with the order's own buttons: cancelling
        rejects the quote, setting it back to quotation puts it in progress,
        confirming accepts it; an accepted quote cannot be in progress again;
        invoicing it (invoice posted) finishes it."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        quote.action_cancel()
        self.assertRecordValues(quote, [{"state": "cancel", "hmr_quote_status": "rejected"}])
        quote.action_draft()
        self.assertRecordValues(quote, [{"state": "draft", "hmr_quote_status": "in_progress"}])
        quote.action_confirm()
        self.assertRecordValues(quote, [{"state": "sale", "hmr_quote_status": "accepted"}])
        quote.action_draft()
        self.assertRecordValues(quote, [{"state": "sale", "hmr_quote_status": "accepted"}])
        self._post(quote.invoice_ids.browse(quote.action_hmr_invoice()["res_id"]))
        self.assertRecordValues(quote, [{"state": "sale", "hmr_quote_status": "finished"}])

    @users("hmr_exec")
    def test_one_click_invoice(self):
        """D8, D1: one click turns a quote into an invoice: the quote is confirmed when
        needed (the deal is won), the draft invoice created and opened; a second click
        opens it again; the quote is finished once the invoice is posted; a rejected
        quote cannot be invoiced."""
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
            quote, [{"state": "sale", "invoice_status": "invoiced", "hmr_quote_status": "accepted"}]
        )
        self.assertEqual(self.lead_exec.won_status, "won", "the deal is won")
        self.assertEqual(self.lead_exec.hmr_status, "client", "the deal is won")
        self.assertEqual(quote.action_hmr_invoice()["res_id"], invoice.id)
        self._post(invoice)
        self.assertEqual(quote.hmr_quote_status, "finished")
        rejected = self._new_quote(
            self.lead_exec.with_user(self.env.user), hmr_initial_status="rejected"
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

    def _buttons(self, view_type="form", view_id=False):
        arch = self.env["sale.order"].get_views([(view_id, view_type)])["views"][view_type]["arch"]
        return set(re.findall(r'<button [^>]*name="(\w+)"', arch))

    def test_each_role_sees_the_buttons_it_may_use(self):
        """D8, C2 (issue 11): the doctor prepares and sends quotes: their quote form and
        the Quotes list show no button to confirm, invoice or cancel a quote; the
        executive's and the manager's do."""
        selling = {"action_hmr_invoice", "action_confirm", "action_cancel", "action_draft"}
        quotes_list = self.env.ref("hmr_crm_addon.sale_order_view_list_hmr_quotes").id
        with self.with_user("hmr_doctor"):
            self.assertFalse(self._buttons() & selling)
            self.assertIn("action_quotation_send", self._buttons(), "the doctor sends it")
            self.assertNotIn("action_hmr_invoice", self._buttons("list", quotes_list))
        for login in ("hmr_exec", "hmr_manager"):
            with self.subTest(login=login), self.with_user(login):
                self.assertLessEqual(selling, self._buttons())
                self.assertIn("action_hmr_invoice", self._buttons("list", quotes_list))

    def test_initial_status_offers_what_the_user_may_do(self):
        """D8, C2 (issue 11): the status at creation offers what the user may do: the
        doctor leaves the quote in progress, the executive may also accept or reject it,
        the manager, who posts invoices, may also create it finished; a status the user
        may not choose is refused."""
        expected = {
            "hmr_doctor": ["in_progress"],
            "hmr_exec": ["accepted", "in_progress", "rejected"],
            "hmr_manager": ["accepted", "in_progress", "finished", "rejected"],
        }
        for login, statuses in expected.items():
            with self.subTest(login=login), self.with_user(login):
                selection = self.env["sale.order"].fields_get(["hmr_initial_status"])
                offered = [value for value, _label in selection["hmr_initial_status"]["selection"]]
                self.assertEqual(offered, statuses)
        with self.with_user("hmr_exec"), self.assertRaisesRegex(AccessError, "the managers"):
            self._new_quote(self.lead_exec, hmr_initial_status="finished")

    @users("hmr_exec")
    def test_invoice_left_to_a_manager_to_post(self):
        """D8 (issue 11): the executive's one-click invoice stays a draft, the quote
        accepted; the clinic's manager who posts invoices (not Odoo's administrator) is
        given an activity to post it; once posted, the quote is finished."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        invoice = self.env["account.move"].browse(quote.action_hmr_invoice()["res_id"])
        self.assertEqual((invoice.state, quote.hmr_quote_status), ("draft", "accepted"))
        activity = invoice.sudo().activity_ids
        self.assertEqual(activity.user_id, self.user_manager)
        self.assertIn(quote.name, activity.note)
        self._post(invoice)
        self.assertEqual(quote.hmr_quote_status, "finished")

    @users("hmr_manager")
    def test_manager_invoices_without_asking(self):
        """D8 (issue 11): a manager who invoices a quote posts it themselves: nobody is
        asked to."""
        quote = self._new_quote(self.lead_exec)
        invoice = self.env["account.move"].browse(quote.action_hmr_invoice()["res_id"])
        self.assertFalse(invoice.activity_ids)
        invoice.action_post()
        self.assertEqual(quote.hmr_quote_status, "finished")

    @users("hmr_exec")
    def test_not_finished_without_an_invoice(self):
        """D8 (issue 11): finished takes a posted invoice: a confirmed quote whose lines
        have no quantity (Odoo counts them invoiced) stays accepted."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        quote.order_line.product_uom_qty = 0
        quote.action_confirm()
        self.assertEqual(quote.invoice_status, "invoiced", "Odoo: nothing left to invoice")
        self.assertEqual(quote.hmr_quote_status, "accepted")

    @users("hmr_exec")
    def test_posting_the_invoice_closes_the_activity_to_post_it(self):
        """D8 (issue 11): the manager's activity to post the invoice is of its own type and
        is done once the invoice is posted, by whoever posts it (here Odoo's administrator,
        not the manager asked): left in the invoice's history, not in anybody's to-dos."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        invoice = self.env["account.move"].browse(quote.action_hmr_invoice()["res_id"])
        activity = invoice.sudo().activity_ids
        post_type = self.env.ref("hmr_crm_addon.mail_activity_type_post_invoice")
        self.assertEqual(
            (activity.activity_type_id, activity.user_id), (post_type, self.user_manager)
        )
        invoice.with_user(self.env.ref("base.user_admin")).action_post()
        self.assertFalse(invoice.sudo().activity_ids, "no activity left open")
        self.assertFalse(activity.active, "the activity is done, kept archived")
        done = invoice.sudo().message_ids.filtered(lambda m: m.mail_activity_type_id == post_type)
        self.assertEqual(len(done), 1, "the invoice's history tells it was done")

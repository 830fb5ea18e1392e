import logging
from datetime import timedelta

from lxml import html

from odoo import fields, http
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import HmrTreatmentsCommon

_logger = logging.getLogger(__name__)

SCRIPT = "<script>alert('x')</script>"


@tagged("hmr_quote", "hmr_portal", "post_install", "-at_install")
class TestHmrPortal(HttpCase, HmrTreatmentsCommon):
    """S3.1, S3.2, B2 over HTTP: the prospect answers the quote of their case on the
    portal; every refused request (no token, wrong token, another prospect's quote, GET
    instead of POST, no CSRF token, repeated, late) leaves the quote as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        cls.signature = cls.signature_png()
        cls.env.company.portal_confirmation_pay = False
        cls.order_ana = cls._new_sent_quote(cls.lead_ana)
        cls.order_bruno = cls._new_sent_quote(cls.lead_bruno)
        (cls.order_ana | cls.order_bruno).write({"require_signature": True})
        cls.token_ana = cls.order_ana._portal_ensure_token()
        cls.token_bruno = cls.order_bruno._portal_ensure_token()

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    @classmethod
    def _new_vanilla_quote(cls, partner):
        """A plain quote, no treatment case: Odoo's behaviour, the Q7 reference. Made
        from an opportunity, as Odoo's CRM makes quotes (and as the cases' quotes are)."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "opportunity_id": cls.env["crm.lead"]
                .create({"name": "Vanilla", "partner_id": partner.id, "type": "opportunity"})
                .id,
                "user_id": cls.user_executive.id,
                "require_signature": True,
                "require_payment": False,
                "order_line": [
                    fields.Command.create(
                        {"product_id": cls.product_graft.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.action_quotation_sent()
        return order

    def _accept(self, order, access_token):
        return self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": access_token, "name": "Ana Quote", "signature": self.signature},
        )

    def _post(self, order, suffix, access_token, data, csrf=True):
        data = dict(data)
        if csrf:
            data["csrf_token"] = http.Request.csrf_token(self)
        url = f"/my/orders/{order.id}/{suffix}"
        if access_token:
            url += f"?access_token={access_token}"
        return self.url_open(url, data=data, allow_redirects=False)

    def _decline(self, order, access_token, reason=None, csrf=True):
        return self._post(order, "decline", access_token, {"decline_message": reason or ""}, csrf)

    def _talk(self, order, access_token, message=None, csrf=True):
        return self._post(order, "talk", access_token, {"talk_message": message or ""}, csrf)

    def _page(self, order, access_token, query=""):
        return self.url_open(f"/my/orders/{order.id}?access_token={access_token}{query}")

    def _assert_unchanged(self, order, before):
        self.assertEqual(self._answer_state(order), before, "a refused request changed the quote")

    # ------------------------------------------------------------
    # accept and sign (Odoo's route, S3.1)
    # ------------------------------------------------------------

    def test_accept_with_token(self):
        """S3.1, S3.2, B7: the visitor with the quote's link signs: the quote is
        confirmed, the answer recorded as the prospect's, both sides notified."""
        with self.mock_mail_gateway():
            result = self._accept(self.order_ana, self.token_ana)
        self.assertNotIn("error", result)
        self.assertIn("message=sign_ok", result["redirect_url"])
        # Odoo's confirmation of the signed quote is the clinic's acknowledgment
        self.assertTrue(self._mails_to(self.partner_ana, "we received your acceptance"))
        order = self.order_ana
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.hmr_answer, "accepted")
        self.assertEqual(order.hmr_case_id.step_id, self.step_follow_up)
        self._run_quote_cron()
        self.assertTrue(self._mails_to(self.user_executive.partner_id))
        tracking = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "hmr_answer"
        )
        self.assertEqual(tracking.mail_message_id.author_id, self.partner_ana)
        page = self._page(order, self.token_ana)
        self.assertIn("You accepted this quote", page.text)

    def test_accept_as_logged_prospect_without_token(self):
        """S3.1: the prospect logged in on the portal needs no token for their quote."""
        self.authenticate(self.user_ana.login, self.user_ana.login)
        result = self._accept(self.order_ana, None)
        self.assertNotIn("error", result)
        self.assertEqual(self.order_ana.hmr_answer, "accepted")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_accept_refused_requests(self):
        """S3.1: no token, a wrong token, another prospect's token or session, an
        expired quote, a second acceptance: refused, nothing changes."""
        order = self.order_ana
        before = self._answer_state(order)
        for token in (None, "wrong-token", self.token_bruno):
            result = self._accept(order, token)
            self.assertEqual(result, {"error": "Invalid order."}, token)
            self._assert_unchanged(order, before)
        self.authenticate(self.user_bruno.login, self.user_bruno.login)
        self.assertEqual(self._accept(order, None), {"error": "Invalid order."})
        self._assert_unchanged(order, before)

        self.authenticate(None, None)
        order.validity_date = fields.Date.today() - timedelta(days=1)
        before = self._answer_state(order)
        self.assertIn("expired", self._accept(order, self.token_ana)["error"])
        self._assert_unchanged(order, before)

        order.validity_date = False
        self.assertNotIn("error", self._accept(order, self.token_ana))
        before = self._answer_state(order)
        self.assertEqual(
            self._accept(order, self.token_ana), {"error": "You already accepted this quote."}
        )
        self._assert_unchanged(order, before)

    # ------------------------------------------------------------
    # reject, with an optional reason (S3.1)
    # ------------------------------------------------------------

    def test_reject_with_reason_escaped(self):
        """S3.1, S3.2, B7: rejecting with a reason cancels the quote, closes the case,
        notifies both sides; the reason is escaped in the chatter and on the page."""
        response = self._decline(self.order_ana, self.token_ana, f"Too much {SCRIPT}")
        self.assertEqual(response.status_code, 303)
        order = self.order_ana
        order.invalidate_recordset()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.hmr_answer, "rejected")
        self.assertEqual(order.hmr_answer_message, f"Too much {SCRIPT}")
        self.assertEqual(order.hmr_case_id.state, "lost")
        self._run_quote_cron()
        self.assertTrue(self._mails_to(self.partner_ana, "We received your answer"))
        self.assertTrue(self._mails_to(self.user_executive.partner_id))
        message = order.message_ids.filtered(lambda m: "Rejected the quote" in str(m.body))
        self.assertEqual(message.author_id, self.partner_ana)
        self.assertNotIn("<script>", str(message.body))
        page = self._page(order, self.token_ana)
        self.assertIn("You rejected this quote", page.text)
        self.assertNotIn(SCRIPT, page.text)
        self.assertIn("&lt;script&gt;", page.text)

    def test_reject_without_reason_nor_signature(self):
        """S3.1: the reason is optional, and a quote that needs no signature can be
        rejected too (Odoo's own route would refuse both)."""
        self.order_ana.require_signature = False
        response = self._decline(self.order_ana, self.token_ana)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.order_ana.state, "cancel")
        self.assertEqual(self.order_ana.hmr_answer, "rejected")
        self.assertFalse(self.order_ana.hmr_answer_message)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_reject_refused_requests(self):
        """S3.1: no token, a wrong token, another prospect's token or session, GET,
        no CSRF token, an accepted quote: refused, nothing changes."""
        order = self.order_ana
        before = self._answer_state(order)
        for token in (None, "wrong-token", self.token_bruno):
            response = self._decline(order, token, "No")
            self.assertEqual(response.status_code, 303)
            self.assertTrue(response.headers["Location"].endswith("/my"), token)
            self._assert_unchanged(order, before)
        response = self.url_open(
            f"/my/orders/{order.id}/decline?access_token={self.token_ana}&decline_message=No",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 405)
        self._assert_unchanged(order, before)
        response = self._decline(order, self.token_ana, "No", csrf=False)
        self.assertEqual(response.status_code, 400)
        self._assert_unchanged(order, before)
        self.authenticate(self.user_bruno.login, self.user_bruno.login)
        response = self._decline(order, None, "No")
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self._assert_unchanged(order, before)

        self.authenticate(None, None)
        self._accept(order, self.token_ana)
        before = self._answer_state(order)
        response = self._decline(order, self.token_ana, "Changed my mind")
        self.assertIn("message=hmr_refused", response.headers["Location"])
        self._assert_unchanged(order, before)
        page = self._page(order, self.token_ana, "&message=hmr_refused")
        self.assertIn("You already accepted this quote.", page.text)

    # ------------------------------------------------------------
    # ask to talk to the sales executive (S3.1)
    # ------------------------------------------------------------

    def test_talk_twice_then_reject(self):
        """S3.1, S3.2, B7: asking to talk keeps the quote open, posts the message as the
        prospect (escaped), notifies both sides; it may be repeated; rejecting after it
        is allowed, and asking again after the rejection is not."""
        order = self.order_ana
        response = self._talk(order, self.token_ana, f"Cheaper? {SCRIPT}")
        self.assertEqual(response.status_code, 303)
        self.assertIn(order.get_portal_url(), response.headers["Location"])
        order.invalidate_recordset()
        self.assertEqual((order.state, order.hmr_answer), ("sent", "talk"))
        self.assertEqual(order.hmr_case_id.step_id, self.step_answer)
        self._run_quote_cron()
        self.assertTrue(self._mails_to(self.partner_ana, "will contact you"))
        self.assertTrue(self._mails_to(self.user_executive.partner_id))
        message = order.message_ids.filtered(lambda m: "Asked to talk" in str(m.body))
        self.assertEqual(message.author_id, self.partner_ana)
        self.assertNotIn("<script>", str(message.body))
        page = self._page(order, self.token_ana)
        self.assertIn("You asked to talk to your sales executive", page.text)
        self.assertNotIn(SCRIPT, page.text)

        self.assertEqual(self._talk(order, self.token_ana, "Call me").status_code, 303)
        order.invalidate_recordset()
        self.assertEqual(order.hmr_answer_message, "Call me")
        self._decline(order, self.token_ana, "No thanks")
        order.invalidate_recordset()
        self.assertEqual(order.hmr_answer, "rejected")
        before = self._answer_state(order)
        response = self._talk(order, self.token_ana, "Wait")
        self.assertIn("message=hmr_refused", response.headers["Location"])
        self._assert_unchanged(order, before)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_talk_refused_requests(self):
        """S3.1: no token, a wrong token, another prospect's token or session, GET,
        no CSRF token, an expired quote: refused, nothing changes."""
        order = self.order_ana
        before = self._answer_state(order)
        for token in (None, "wrong-token", self.token_bruno):
            response = self._talk(order, token, "Hi")
            self.assertTrue(response.headers["Location"].endswith("/my"), token)
            self._assert_unchanged(order, before)
        response = self.url_open(
            f"/my/orders/{order.id}/talk?access_token={self.token_ana}&talk_message=Hi",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 405)
        self._assert_unchanged(order, before)
        self.assertEqual(self._talk(order, self.token_ana, "Hi", csrf=False).status_code, 400)
        self._assert_unchanged(order, before)
        self.authenticate(self.user_bruno.login, self.user_bruno.login)
        self.assertTrue(self._talk(order, None, "Hi").headers["Location"].endswith("/my"))
        self._assert_unchanged(order, before)

        self.authenticate(None, None)
        order.validity_date = fields.Date.today() - timedelta(days=1)
        before = self._answer_state(order)
        response = self._talk(order, self.token_ana, "Hi")
        self.assertIn("message=hmr_refused", response.headers["Location"])
        self._assert_unchanged(order, before)
        page = self._page(order, self.token_ana, "&message=hmr_refused")
        self.assertIn("This quote expired", page.text)

    # ------------------------------------------------------------
    # pages, and quotes without a case
    # ------------------------------------------------------------

    def test_forms_of_the_page_post(self):
        """B2: the forms the page renders (action, CSRF token, field names) work as
        they are: ask to talk, then reject without a reason."""
        order = self.order_ana
        for form_id, data, answer in (
            ("hmr_talk", {"talk_message": "Call me"}, "talk"),
            ("decline", {}, "rejected"),
        ):
            page = html.fromstring(self._page(order, self.token_ana).content)
            form = page.get_element_by_id(form_id)
            textarea = form.xpath(".//textarea")[0]
            self.assertIsNone(textarea.get("required"), "the reason or message is optional")
            fields_ = {i.get("name"): i.get("value") for i in form.xpath(".//input[@name]")}
            fields_[textarea.get("name")] = data.get(textarea.get("name"), "")
            response = self.url_open(form.get("action"), data=fields_, allow_redirects=False)
            self.assertEqual(response.status_code, 303)
            order.invalidate_recordset()
            self.assertEqual(order.hmr_answer, answer)
        page = self._page(order, self.token_ana)
        self.assertNotIn("hmr_talk_sidebar_button", page.text, "no answer after a rejection")

    def test_page_shows_answers_for_case_quotes_only(self):
        """B2: the case quote offers accept, reject and ask-to-talk; a plain quote keeps
        Odoo's page, and its routes keep Odoo's behaviour."""
        page = self._page(self.order_ana, self.token_ana)
        self.assertEqual(page.status_code, 200)
        for marker in ("hmr_talk_sidebar_button", "hmr_reject_sidebar_button", "hmr_modal_talk"):
            self.assertIn(marker, page.text)
        self.assertIn("Accept & Sign", page.text)

        vanilla = self._new_vanilla_quote(self.partner_ana)
        token = vanilla._portal_ensure_token()
        page = self._page(vanilla, token)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("hmr_talk_sidebar_button", page.text)
        textarea = html.fromstring(page.content).xpath("//textarea[@name='decline_message']")
        self.assertIsNotNone(textarea[0].get("required"), "Odoo's reason stays required")
        # Odoo's decline needs a reason on a quote to sign: unchanged
        response = self._decline(vanilla, token)
        self.assertIn("message=cant_reject", response.headers["Location"])
        self.assertEqual(vanilla.state, "sent")
        # the talk route is for case quotes only
        self.assertTrue(self._talk(vanilla, token, "Hi").headers["Location"].endswith("/my"))
        self.assertEqual(
            vanilla.message_ids.filtered(lambda m: "Asked to talk" in str(m.body)).ids, []
        )

    # ------------------------------------------------------------
    # Q7: queries vs Odoo's own quote page and actions
    # ------------------------------------------------------------

    def _count(self, func, *args):
        """Queries of one request (the server shares the test's cursor)."""
        self.env.flush_all()
        self.env.invalidate_all()
        count0 = self.cr.sql_log_count
        response = func(*args)
        return self.cr.sql_log_count - count0, response

    def test_query_counts_vs_vanilla(self):
        """Q7: the case quote's page ≤ Odoo's quote page + 5 queries; accept, reject and
        ask-to-talk ≤ Odoo's accept / decline + 10."""
        vanilla = [self._new_vanilla_quote(self.partner_ana) for _i in range(3)]
        cases = [self.order_ana, *(self._new_sent_quote() for _i in range(2))]
        # the case quotes also need a signature, as the company's default does
        for order in [*vanilla, *cases]:
            order.write({"require_signature": True, "require_payment": False})
        tokens = {order: order._portal_ensure_token() for order in [*vanilla, *cases]}

        # warm-up: compile the templates, log the "viewed" notes, one of each action
        for order in (vanilla[0], cases[0]):
            self._page(order, tokens[order])
            self._page(order, tokens[order])
        self._accept(vanilla[0], tokens[vanilla[0]])
        self._accept(cases[0], tokens[cases[0]])
        self._decline(vanilla[1], tokens[vanilla[1]], "No")
        self._decline(cases[1], tokens[cases[1]], "No")
        self._talk(cases[2], tokens[cases[2]], "Hi")
        for order in (vanilla[2], cases[2]):
            self._page(order, tokens[order])

        page_vanilla, _r = self._count(self._page, vanilla[2], tokens[vanilla[2]])
        page_case, _r = self._count(self._page, cases[2], tokens[cases[2]])
        # fresh quotes for the actions
        vanilla_accept, vanilla_decline = (self._new_vanilla_quote(self.partner_ana) for _i in "ab")
        case_accept, case_decline, case_talk = (self._new_sent_quote() for _i in "abc")
        for order in (case_accept, case_decline, case_talk):
            order.write({"require_signature": True, "require_payment": False})
        for order in (vanilla_accept, vanilla_decline, case_accept, case_decline, case_talk):
            tokens[order] = order._portal_ensure_token()
        accept_vanilla, result = self._count(self._accept, vanilla_accept, tokens[vanilla_accept])
        self.assertNotIn("error", result)
        accept_case, result = self._count(self._accept, case_accept, tokens[case_accept])
        self.assertNotIn("error", result)
        decline_vanilla, _r = self._count(
            self._decline, vanilla_decline, tokens[vanilla_decline], "No"
        )
        decline_case, _r = self._count(self._decline, case_decline, tokens[case_decline], "No")
        talk_case, _r = self._count(self._talk, case_talk, tokens[case_talk], "Hi")
        self.assertEqual(vanilla_decline.state, "cancel")
        self.assertEqual(case_decline.hmr_answer, "rejected")
        self.assertEqual(case_talk.hmr_answer, "talk")

        _logger.info(
            "Q7 queries: page vanilla %s / case %s; accept vanilla %s / case %s; "
            "decline vanilla %s / case %s; talk %s",
            page_vanilla,
            page_case,
            accept_vanilla,
            accept_case,
            decline_vanilla,
            decline_case,
            talk_case,
        )
        self.assertLessEqual(page_case, page_vanilla + 5)
        self.assertLessEqual(accept_case, accept_vanilla + 10)
        self.assertLessEqual(decline_case, decline_vanilla + 10)
        self.assertLessEqual(talk_case, decline_vanilla + 10)

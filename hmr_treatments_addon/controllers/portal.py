from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.sale.controllers import portal as sale_portal

# what the prospect types is kept, within reason
MESSAGE_MAX_LENGTH = 4000


class CustomerPortal(sale_portal.CustomerPortal):
    """The prospect's answer to the quote of a treatment case (S3.1, B2): accept and
    sign (Odoo's own route), reject with an optional reason, or ask to talk to the sales
    executive. Quotes without a case keep Odoo's behaviour."""

    @http.route()
    def portal_quote_accept(self, order_id, access_token=None, name=None, signature=None):
        access_token = access_token or request.httprequest.args.get("access_token")
        order_sudo = self._hmr_get_case_order(order_id, access_token)
        if order_sudo:
            try:
                order_sudo._hmr_check_can_answer()
            except UserError as error:
                return {"error": error.args[0]}
        result = super().portal_quote_accept(
            order_id, access_token=access_token, name=name, signature=signature
        )
        if order_sudo and not result.get("error"):
            # Odoo's route flushed the signature: the answer is tracked afterwards
            order_sudo._track_set_author(self._hmr_get_author(order_sudo))
            order_sudo._hmr_record_answer("accepted")
        return result

    @http.route()
    def portal_quote_decline(self, order_id, access_token=None, decline_message=None, **kwargs):
        order_sudo = self._hmr_get_case_order(order_id, access_token)
        if not order_sudo:
            return super().portal_quote_decline(
                order_id, access_token=access_token, decline_message=decline_message, **kwargs
            )
        if order_sudo._hmr_get_answer_refusal():
            return self._hmr_redirect(order_sudo, "hmr_refused")
        reason = self._hmr_clean_message(decline_message)
        order_sudo._track_set_author(self._hmr_get_author(order_sudo))
        order_sudo._action_cancel()
        # as Odoo does: cache the lines' currency, which the flush of the cancel needs
        # and a visitor cannot read
        order_sudo.order_line.fetch(["currency_id"])
        self._hmr_post_as_prospect(
            order_sudo,
            request.env._("Rejected the quote: %(reason)s", reason=reason)
            if reason
            else request.env._("Rejected the quote."),
        )
        order_sudo._hmr_record_answer("rejected", reason)
        return self._hmr_redirect(order_sudo)

    @http.route(
        ["/my/orders/<int:order_id>/talk"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_quote_talk(self, order_id, access_token=None, talk_message=None, **kwargs):
        """The prospect asks their sales executive to contact them, with a message."""
        order_sudo = self._hmr_get_case_order(order_id, access_token)
        if not order_sudo:
            return request.redirect("/my")
        if order_sudo._hmr_get_answer_refusal():
            return self._hmr_redirect(order_sudo, "hmr_refused")
        message = self._hmr_clean_message(talk_message)
        order_sudo._track_set_author(self._hmr_get_author(order_sudo))
        self._hmr_post_as_prospect(
            order_sudo,
            request.env._("Asked to talk to the sales executive: %(message)s", message=message)
            if message
            else request.env._("Asked to talk to the sales executive."),
        )
        order_sudo._hmr_record_answer("talk", message)
        return self._hmr_redirect(order_sudo)

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _hmr_get_case_order(self, order_id, access_token):
        """The quote (sudo) when the visitor may access it and it belongs to a treatment
        case; an empty recordset otherwise (Odoo's routes then refuse or handle it)."""
        try:
            order_sudo = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.env["sale.order"]
        return order_sudo if order_sudo.hmr_case_id else request.env["sale.order"]

    def _hmr_clean_message(self, message):
        return (message or "").strip()[:MESSAGE_MAX_LENGTH] or False

    def _hmr_get_author(self, order_sudo):
        """Who answers: the visitor with the link speaks for the quote's customer."""
        if request.env.user._is_public():
            return order_sudo.partner_id
        return request.env.user.partner_id

    def _hmr_post_as_prospect(self, order_sudo, text):
        """Post in the quote's chatter as the prospect (as Odoo does for a decline).
        ``text`` holds what they typed: it is escaped."""
        order_sudo.message_post(
            author_id=self._hmr_get_author(order_sudo).id,
            body=plaintext2html(text),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _hmr_redirect(self, order_sudo, message=None):
        query_string = f"&message={message}" if message else None
        return request.redirect(order_sudo.get_portal_url(query_string=query_string))

import base64

from psycopg2 import IntegrityError
from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.image import image_process

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.sale.controllers import portal as sale_portal

from ..models.hmr_case_photo import MAX_UPLOAD_BYTES
from .errors import HMR_RETRIED_ERRORS, hmr_recover_from_error

# the prospect's pages: public, each route checks the case's link or login itself
PUBLIC_PAGE = {"type": "http", "auth": "public", "website": True}
# what the prospect types is kept, within reason
MESSAGE_MAX_LENGTH = 4000
# one photo per request on the prospect's page, and the form around it
PORTAL_UPLOAD_MAX_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
THUMBNAIL_SIZE = (512, 512)
PRIVATE_IMAGE_HEADERS = [
    ("Cache-Control", "private, no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Disposition", "inline"),
]
# the documents whose pages show a prospect's medical data
HMR_CASE_DOCUMENTS = ("hmr.treatment.case", "sale.order")


def hmr_no_store():
    """The page being answered shows medical data or carries a link's token: neither the
    browser (its back button, its disk) nor any shared cache keeps it."""
    request.future_response.headers.set("Cache-Control", "private, no-store")


class CustomerPortal(sale_portal.CustomerPortal):
    """The prospect's answer to the quote of a treatment case (S3.1, B2): accept and
    sign (Odoo's own route), reject with an optional reason, or ask to talk to the sales
    executive. Quotes without a case keep Odoo's behaviour."""

    @http.route()
    def portal_my_quotes(self, *args, **kwargs):
        hmr_no_store()
        return super().portal_my_quotes(*args, **kwargs)

    @http.route()
    def portal_my_orders(self, *args, **kwargs):
        hmr_no_store()
        return super().portal_my_orders(*args, **kwargs)

    @http.route()
    def portal_order_page(self, order_id, *args, **kwargs):
        # the page (and its PDF) carries the quote's token in its links
        hmr_no_store()
        return super().portal_order_page(order_id, *args, **kwargs)

    @http.route()
    def portal_quote_accept(self, order_id, access_token=None, name=None, signature=None):
        try:
            return self._hmr_quote_accept(order_id, access_token, name, signature)
        except HMR_RETRIED_ERRORS:
            raise
        except UserError as error:
            # a refusal the visitor should read (e.g. a product that cannot be sold), without
            # the traceback JSON-RPC would add to it
            request.env.cr.rollback()
            return {"error": error.args[0]}
        except Exception:  # pylint: disable=broad-exception-caught
            # JSON-RPC would hand the traceback to the visitor: the log keeps it
            return {"error": hmr_recover_from_error(f"Accepting the quote {order_id}")}

    def _hmr_quote_accept(self, order_id, access_token, name, signature):
        """Odoo's accept and sign, refused when the quote of a case can no longer be
        answered, then recorded as the prospect's answer."""
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
        reason = self._hmr_clean_message(decline_message)
        return self._hmr_answer(order_sudo, "rejected", reason)

    @http.route(["/my/orders/<int:order_id>/talk"], methods=["POST"], **PUBLIC_PAGE)
    def portal_quote_talk(self, order_id, access_token=None, talk_message=None, **kwargs):
        """The prospect asks their sales executive to contact them, with a message."""
        order_sudo = self._hmr_get_case_order(order_id, access_token)
        if not order_sudo:
            return request.redirect("/my")
        message = self._hmr_clean_message(talk_message)
        return self._hmr_answer(order_sudo, "talk", message)

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _get_page_view_values(self, document, access_token, values, *args, **kwargs):
        if document._name == "sale.order":
            # the prospect's answer is dated in the clinic's day (a visitor has no timezone)
            values["clinic_tz"] = document.company_id._hmr_get_tz()
        return super()._get_page_view_values(document, access_token, values, *args, **kwargs)

    def _document_check_access(self, model_name, document_id, access_token=None):
        """A case and the quotes of a case are their prospect's alone: beyond the access
        rules, a portal account reaches them only as the case's own contact (never as a
        relative or colleague under the same company), anyone else only with the link."""
        document_sudo = super()._document_check_access(
            model_name, document_id, access_token=access_token
        )
        if model_name in HMR_CASE_DOCUMENTS and not self._hmr_may_see_case_document(
            document_sudo, access_token
        ):
            raise AccessError(request.env._("This page belongs to another person."))
        return document_sudo

    def _hmr_may_see_case_document(self, document_sudo, access_token):
        case_sudo = document_sudo if document_sudo._name == "hmr.treatment.case" else None
        case_sudo = case_sudo or document_sudo.hmr_case_id
        user = request.env.user
        if not case_sudo or not user.share:
            # not medical, or the staff, whom their own access rules let through
            return True
        if access_token and document_sudo.access_token:
            if consteq(document_sudo.access_token, access_token):
                return True
        return not user._is_public() and case_sudo.partner_id == user.partner_id

    def _hmr_answer(self, order_sudo, answer, message):
        """Reject or ask to talk: refused when the quote can no longer be answered (state
        unchanged), otherwise said in the chatter as the prospect and recorded."""
        if order_sudo._hmr_get_answer_refusal():
            return self._hmr_redirect(order_sudo, "hmr_refused")
        order_sudo._hmr_answer_as_prospect(answer, message, self._hmr_get_author(order_sudo))
        return self._hmr_redirect(order_sudo)

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

    def _hmr_redirect(self, order_sudo, message=None):
        query_string = f"&message={message}" if message else None
        return request.redirect(order_sudo.get_portal_url(query_string=query_string))

    # ------------------------------------------------------------
    # THE PROSPECT'S PAGE (B2, B3)
    # ------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "hmr_case_count" in counters:
            Case = request.env["hmr.treatment.case"]
            values["hmr_case_count"] = (
                Case.search_count(self._hmr_get_portal_case_domain())
                if Case.has_access("read")
                else 0
            )
        return values

    def _hmr_get_portal_case_domain(self):
        return [("state", "!=", "lost")]

    @http.route(
        ["/my/hmr/cases", "/my/hmr/cases/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_hmr_cases(self, page=1, **kwargs):
        hmr_no_store()
        Case = request.env["hmr.treatment.case"]
        if not Case.has_access("read"):
            return request.redirect("/my")
        domain = self._hmr_get_portal_case_domain()
        pager = portal_pager(
            url="/my/hmr/cases",
            total=Case.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        cases = Case.search(domain, limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "cases": cases.sudo(),
                "pager": pager,
                "page_name": "hmr_cases",
                "default_url": "/my/hmr/cases",
            }
        )
        return request.render("hmr_treatments_addon.portal_my_hmr_cases", values)

    @http.route("/my/hmr/cases/<int:case_id>", methods=["GET"], **PUBLIC_PAGE)
    def portal_my_hmr_case(self, case_id, access_token=None, uploaded=None, **kwargs):
        hmr_no_store()
        try:
            case_sudo = self._document_check_access(
                "hmr.treatment.case", case_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._hmr_prepare_case_page_values(case_sudo, access_token, **kwargs)
        if uploaded and str(uploaded).isdigit():
            values["uploaded_slot_id"] = int(uploaded)
        return request.render("hmr_treatments_addon.portal_my_hmr_case", values)

    @http.route("/my/hmr/cases/<int:case_id>/photo/<int:slot_id>", methods=["POST"], **PUBLIC_PAGE)
    def portal_my_hmr_case_photo_upload(
        self, case_id, slot_id, access_token=None, privacy_consent=None, **kwargs
    ):
        """Upload or replace the photo of one slot. Only the case and slot of the URL
        count (a posted res_model, res_id or case is ignored); the case is checked as the
        page is, then the photo is stored whole or refused with a message."""
        hmr_no_store()
        case_sudo = self._hmr_check_case_access(case_id, access_token)
        slot = case_sudo._get_photo_slots().filtered(lambda s: s.id == slot_id)
        if not slot:
            raise NotFound()
        try:
            refusal = self._hmr_upload_photo(case_sudo, slot, privacy_consent)
        except HMR_RETRIED_ERRORS:
            raise
        except Exception:  # pylint: disable=broad-exception-caught
            message = hmr_recover_from_error(f"Uploading a photo to the case {case_id}")
            refusal = (message, 500)
        if refusal:
            values = self._hmr_prepare_case_page_values(case_sudo, access_token)
            values.update({"upload_error": refusal[0], "error_slot_id": slot.id})
            return request.render(
                "hmr_treatments_addon.portal_my_hmr_case", values, status=refusal[1]
            )
        query = f"uploaded={slot.id}"
        if access_token:
            query += f"&access_token={access_token}"
        return request.redirect(f"{case_sudo.access_url}?{query}#hmr_slot_{slot.id}")

    def _hmr_upload_photo(self, case_sudo, slot, privacy_consent):
        """Store the photo of the request in ``slot``, by the case's own method: the staff
        with their own rights, the prospect through the access check of the page.
        Return ``None``, or why it was refused and the HTTP status of the refusal."""
        env = request.env
        if (request.httprequest.content_length or 0) > PORTAL_UPLOAD_MAX_BYTES:
            return (
                env._(
                    "The photo is too large: the limit is %(limit)s MB. Please send a "
                    "smaller photo.",
                    limit=MAX_UPLOAD_BYTES // 1024 // 1024,
                ),
                413,
            )
        if case_sudo.state != "open" or case_sudo.step_kind != "photos":
            message = env._(
                "Your photos are with our doctors already: to change one, please contact "
                "your sales executive."
            )
            return message, 409
        file = request.httprequest.files.get("photo")
        if not file:
            return env._("Please choose a photo first."), 400
        case = case_sudo.with_user(env.user) if self._hmr_is_staff() else case_sudo
        try:
            with env.cr.savepoint():
                # never more than the cap in memory: a larger file is refused by its size
                image = base64.b64encode(file.read(MAX_UPLOAD_BYTES + 1))
                case._hmr_store_photo(slot, image, privacy_consent)
        except IntegrityError:
            message = env._("This photo was just sent from another device: please reload the page.")
            return message, 409
        except (UserError, AccessError) as error:
            return error.args[0], 400
        return None

    @http.route(
        "/my/hmr/cases/<int:case_id>/photo/<int:slot_id>/image",
        methods=["GET"],
        sitemap=False,
        **PUBLIC_PAGE,
    )
    def portal_my_hmr_case_photo_image(self, case_id, slot_id, access_token=None, **kwargs):
        """The prospect's own photo, streamed after the access check: never a public
        URL, never cached by a shared cache (B3)."""
        case_sudo = self._hmr_check_case_access(case_id, access_token)
        photo = self._hmr_get_visible_photos(case_sudo).filtered(lambda p: p.slot_id.id == slot_id)
        if not photo:
            raise NotFound()
        content = image_process(base64.b64decode(photo.image), size=THUMBNAIL_SIZE)
        return request.make_response(
            content,
            headers=[("Content-Type", photo.mimetype or "image/jpeg"), *PRIVATE_IMAGE_HEADERS],
        )

    @http.route(
        "/hmr/photo-slot/<int:slot_id>/example", methods=["GET"], sitemap=False, **PUBLIC_PAGE
    )
    def hmr_photo_slot_example(self, slot_id, **kwargs):
        """The example picture of a view (public information, not a prospect's photo)."""
        slot = request.env["hmr.photo.slot"].sudo().browse(slot_id).exists()
        if not slot or not slot.example_image:
            raise NotFound()
        return request.make_response(
            base64.b64decode(slot.example_image),
            headers=[
                (
                    "Content-Type",
                    "image/png" if slot.example_image[:4] == b"iVBO" else "image/jpeg",
                ),
                ("Cache-Control", "public, max-age=86400"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )

    @http.route("/my/hmr/cases/<int:case_id>/questionnaire", methods=["POST"], **PUBLIC_PAGE)
    def portal_my_hmr_case_questionnaire(self, case_id, access_token=None, **kwargs):
        """Start or resume the questionnaire of the treatment (B2)."""
        hmr_no_store()
        case_sudo = self._hmr_check_case_access(case_id, access_token)
        answer = case_sudo._hmr_get_survey_answer()
        if not answer:
            raise NotFound()
        return request.redirect(answer.get_start_url())

    # ------------------------------------------------------------
    # HELPERS OF THE PROSPECT'S PAGE
    # ------------------------------------------------------------

    def _hmr_check_case_access(self, case_id, access_token):
        """The case (sudo) when the visitor may see it: its prospect logged in, the
        staff who may read it, or the link's token. Refused otherwise, with no change."""
        try:
            return self._document_check_access(
                "hmr.treatment.case", case_id, access_token=access_token
            )
        except (AccessError, MissingError) as error:
            raise Forbidden() from error

    def _hmr_is_staff(self):
        return not request.env.user._is_public() and not request.env.user.share

    def _hmr_get_visible_photos(self, case_sudo):
        """The case's photos the visitor may see: all of them for the prospect (logged in
        or with the link), the staff's own access rules otherwise (B3)."""
        photos = case_sudo.photo_ids
        if self._hmr_is_staff():
            photos = photos.with_user(request.env.user)._filtered_access("read").sudo()
        return photos

    def _hmr_prepare_case_page_values(self, case_sudo, access_token, **kwargs):
        values = self._prepare_portal_layout_values()
        slots = case_sudo._hmr_get_portal_slots()
        visible = self._hmr_get_visible_photos(case_sudo)
        values.update(
            {
                "page_name": "hmr_case",
                "case": case_sudo,
                "slots": [
                    (slot, photo if photo in visible else photo.browse()) for slot, photo in slots
                ],
                "can_upload": case_sudo.state == "open" and case_sudo.step_kind == "photos",
                "needs_consent": not case_sudo.partner_id._hmr_has_privacy_consent(),
                "survey_state": case_sudo._hmr_get_survey_state(),
                "orders": case_sudo.order_ids.filtered(lambda o: o.state != "draft"),
                "max_photo_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            }
        )
        return self._get_page_view_values(
            case_sudo, access_token, values, "my_hmr_cases_history", False, **kwargs
        )

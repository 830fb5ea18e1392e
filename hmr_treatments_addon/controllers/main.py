import base64
import logging

from psycopg2 import IntegrityError
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import email_normalize, plaintext2html

from ..models.hmr_case_photo import MAX_UPLOAD_BYTES
from ..models.res_partner import OPTIONAL_CONSENT_FIELDS
from .errors import HMR_RETRIED_ERRORS, hmr_recover_from_error
from .portal import PUBLIC_PAGE

_logger = logging.getLogger(__name__)

FORM_MAX_PHOTOS = 5
FORM_MAX_BYTES = FORM_MAX_PHOTOS * MAX_UPLOAD_BYTES + 512 * 1024
"""Largest request the public form accepts: its photos and some text."""
NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
"""The longest address SMTP can deliver (RFC 5321): longer ones are only abuse."""
PHONE_MAX_LENGTH = 30
DESCRIPTION_MAX_LENGTH = 2000
HONEYPOT_FIELD = "website_url"
"""Hidden from people, filled by robots: a request with it is dropped silently."""


class PhotoRefused(UserError):
    """A photo of the form was refused: the message goes next to the photos' field."""


class HmrWebsiteForm(http.Controller):
    """B1: the public request form of the clinic. A dedicated page and controller rather
    than ``/website/form/crm.lead``: that generic route would store the photos as plain
    attachments in the prospect's chatter (B3 forbids it) and accepts any field the form
    builder whitelists. This one keeps Odoo's protections of the website forms (the
    ``captcha='website_form'`` hook that the optional reCAPTCHA / Turnstile modules
    implement, CSRF) and adds a honeypot field, a limit of requests per address and the
    photo checks of ``hmr.case.photo``."""

    @http.route("/hmr/solicitud", methods=["GET"], **PUBLIC_PAGE)
    def hmr_request_form(self, **kwargs):
        return request.render(
            "hmr_treatments_addon.hmr_web_request_page", self._hmr_prepare_form_values()
        )

    @http.route(
        "/hmr/solicitud/enviar",
        methods=["POST"],
        captcha="website_form",
        sitemap=False,
        **PUBLIC_PAGE,
    )
    def hmr_request_submit(self, **post):
        try:
            return self._hmr_submit_request(post)
        except HMR_RETRIED_ERRORS:
            raise
        except Exception:  # pylint: disable=broad-exception-caught
            message = hmr_recover_from_error("Saving a request of the web form")
            return self._hmr_render_form_errors(post, {"form": message}, status=500)

    def _hmr_submit_request(self, post):
        """Check the request and create the prospect with its case and photos: redirect
        to the thanks page, or render the form with the errors next to their fields."""
        if (request.httprequest.content_length or 0) > FORM_MAX_BYTES:
            return self._hmr_render_form_errors(
                post,
                {
                    "photos": request.env._(
                        "The photos are too large together: send at most %(count)s photos "
                        "of %(size)s MB each.",
                        count=FORM_MAX_PHOTOS,
                        size=MAX_UPLOAD_BYTES // 1024 // 1024,
                    )
                },
                status=413,
            )
        if post.get(HONEYPOT_FIELD):
            _logger.info("Web form request dropped: honeypot filled")
            return request.redirect("/hmr/solicitud/gracias")
        Submission = request.env["hmr.web.form.submission"].sudo()
        submission = Submission._hmr_register_request(request.httprequest.remote_addr)
        if not submission:
            return self._hmr_render_form_errors(
                post,
                {
                    "form": request.env._(
                        "We received many requests from your connection: please try again "
                        "in an hour, or call us."
                    )
                },
                status=429,
            )
        values, treatment, errors = self._hmr_check_form(post)
        files = self._hmr_get_form_files(treatment, errors)
        if errors:
            return self._hmr_render_form_errors(post, errors)
        try:
            with request.env.cr.savepoint():
                case = (
                    request.env["crm.lead"]
                    .sudo()
                    ._hmr_create_from_web_form(
                        values, treatment, team=request.website.sudo().crm_default_team_id
                    )
                )
                self._hmr_store_form_photos(case, files)
                self._hmr_record_optional_consents(case.partner_id, post)
                case._hmr_send_web_acknowledgment()
        except PhotoRefused as error:
            return self._hmr_render_form_errors(post, {"photos": error.args[0]})
        except (UserError, IntegrityError) as error:
            message = error.args[0] if isinstance(error, UserError) else None
            return self._hmr_render_form_errors(
                post,
                {
                    "form": message
                    or request.env._("Your request could not be saved: please send it again.")
                },
            )
        submission._hmr_mark_accepted()
        return request.redirect("/hmr/solicitud/gracias")

    @http.route("/hmr/solicitud/gracias", methods=["GET"], **PUBLIC_PAGE)
    def hmr_request_thanks(self, **kwargs):
        return request.render("hmr_treatments_addon.hmr_web_request_thanks")

    @http.route("/hmr/aviso-de-privacidad", methods=["GET"], **PUBLIC_PAGE)
    def hmr_privacy_notice(self, version=None, **kwargs):
        """The current privacy notice, or with ``version`` a published one it replaced
        (the text a prospect consented to); drafts are never shown."""
        Notice = request.env["hmr.privacy.notice"].sudo()
        published = Notice.search([("state", "in", ("current", "superseded"))])
        notice = Notice._hmr_get_current()
        if version:
            notice = published.filtered(lambda n: n.version == version)
            if not notice:
                raise NotFound()
        return request.render(
            "hmr_treatments_addon.hmr_privacy_notice_page",
            {
                "notice": notice,
                "older_notices": published.filtered(lambda n: n.state != "current"),
                # its date is the clinic's day (a visitor has no timezone)
                "clinic_tz": request.env.company._hmr_get_tz(),
            },
        )

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _hmr_get_treatments(self):
        return request.env["hmr.treatment"].sudo().search([])

    def _hmr_prepare_form_values(self, post=None, errors=None):
        return {
            "treatments": self._hmr_get_treatments(),
            "post": post or {},
            "errors": errors or {},
            "max_photos": FORM_MAX_PHOTOS,
            "max_photo_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            "honeypot_field": HONEYPOT_FIELD,
        }

    def _hmr_render_form_errors(self, post, errors, status=400):
        post = {key: value for key, value in post.items() if isinstance(value, str)}
        return request.render(
            "hmr_treatments_addon.hmr_web_request_page",
            self._hmr_prepare_form_values(post, errors),
            status=status,
        )

    def _hmr_check_form(self, post):
        """The fields of the form, checked: return the clean values, the treatment and the
        errors by field (shown next to each field)."""
        env = request.env
        errors = {}
        values = {
            "first_name": (post.get("first_name") or "").strip(),
            "last_name": (post.get("last_name") or "").strip(),
            "email_from": (post.get("email_from") or "").strip(),
            "phone": (post.get("phone") or "").strip(),
            "lang": request.lang.code,
        }
        for field in ("first_name", "last_name"):
            if not values[field]:
                errors[field] = env._("Please fill in this field.")
            elif len(values[field]) > NAME_MAX_LENGTH:
                errors[field] = env._("Please shorten this field.")
        if len(values["email_from"]) > EMAIL_MAX_LENGTH:
            errors["email_from"] = env._(
                "Please enter a shorter email address (at most %(count)s characters).",
                count=EMAIL_MAX_LENGTH,
            )
        elif not email_normalize(values["email_from"]):
            errors["email_from"] = env._(
                "Please enter a valid email address: we send you the link to your page there."
            )
        phone = values["phone"]
        if phone and (
            len(phone) > PHONE_MAX_LENGTH
            or sum(char.isdigit() for char in phone) < 8
            or any(not (char.isdigit() or char in " +-().") for char in phone)
        ):
            errors["phone"] = env._("Please enter a valid phone number, e.g. +52 55 1234 5678.")
        description = (post.get("description") or "").strip()
        if len(description) > DESCRIPTION_MAX_LENGTH:
            errors["description"] = env._(
                "Please shorten your message to %(count)s characters.",
                count=DESCRIPTION_MAX_LENGTH,
            )
        values["description"] = plaintext2html(description) if description else False
        treatment = env["hmr.treatment"]
        treatment_id = post.get("treatment_id") or ""
        if treatment_id.isdigit():
            treatment = self._hmr_get_treatments().filtered(lambda t: t.id == int(treatment_id))
        if not treatment:
            errors["treatment_id"] = env._("Please choose a treatment.")
        if not post.get("privacy_consent"):
            errors["privacy_consent"] = env._(
                "Please accept the privacy notice: we need it to receive your data and photos."
            )
        return values, treatment, errors

    def _hmr_record_optional_consents(self, partner, post):
        """The voluntary uses the visitor ticked (each box optional, unticked by default)."""
        for purpose in OPTIONAL_CONSENT_FIELDS:
            if post.get(f"{purpose}_consent"):
                partner._hmr_give_consent(purpose, "web_form")

    def _hmr_get_form_files(self, treatment, errors):
        """The photos attached to the form, at most one per photo of the treatment: the
        files, or an error for the field."""
        files = [
            file
            for file in request.httprequest.files.getlist("photos")
            if file and (file.filename or file.content_length)
        ]
        slot_count = (
            len(treatment.process_id._get_step("photos").photo_slot_ids)
            if treatment
            else FORM_MAX_PHOTOS
        )
        if len(files) > min(slot_count, FORM_MAX_PHOTOS):
            errors["photos"] = request.env._(
                "Please attach at most %(count)s photos.", count=min(slot_count, FORM_MAX_PHOTOS)
            )
        return files

    def _hmr_store_form_photos(self, case, files):
        """Store the photos of the form in the first photo slots of the new case, each
        checked and cleaned by the photo model; a refusal names its file."""
        for slot, file in zip(case.missing_photo_slot_ids, files, strict=False):
            try:
                # never more than the cap in memory: a larger file is refused by its size
                case._hmr_store_photo(slot, base64.b64encode(file.read(MAX_UPLOAD_BYTES + 1)))
            except UserError as error:
                raise PhotoRefused(f"{file.filename or ''}: {error.args[0]}") from error

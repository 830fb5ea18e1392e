from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from . import portal

# what the prospect types is kept, within reason
ARCO_MESSAGE_MAX_LENGTH = 4000
PRIVATE_DOWNLOAD_HEADERS = [
    ("Cache-Control", "private, no-store"),
    ("X-Content-Type-Options", "nosniff"),
]


class CustomerPortal(portal.CustomerPortal):
    """The prospect's data-protection rights on their page: they start a request (access,
    rectification, cancellation, opposition), follow its state and download the archive
    of their data once an access request is answered. A prospect whose data is blocked
    (cancelled) sees nothing of it any more, only their requests."""

    @http.route("/my/hmr/cases/<int:case_id>/arco", methods=["POST"], **portal.PUBLIC_PAGE)
    def portal_my_hmr_case_arco(self, case_id, access_token=None, request_type=None, **kwargs):
        case_sudo = self._hmr_check_arco_access(case_id, access_token)
        message = (kwargs.get("arco_message") or "").strip()[:ARCO_MESSAGE_MAX_LENGTH]
        Request = request.env["hmr.arco.request"]
        if request_type not in dict(Request._fields["request_type"].selection) or not message:
            return self._hmr_arco_redirect(case_sudo, access_token, "arco_error")
        Request._hmr_create_from_portal(case_sudo, request_type, message)
        return self._hmr_arco_redirect(case_sudo, access_token, "arco_sent")

    @http.route(
        "/my/hmr/cases/<int:case_id>/arco/<int:request_id>/archive",
        methods=["GET"],
        sitemap=False,
        **portal.PUBLIC_PAGE,
    )
    def portal_my_hmr_case_arco_archive(self, case_id, request_id, access_token=None, **kwargs):
        """The archive of the prospect's data, for their own answered access request only."""
        case_sudo = self._hmr_check_arco_access(case_id, access_token)
        arco = case_sudo._hmr_get_arco_requests().filtered(lambda r: r.id == request_id)
        if not arco or arco.state != "answered" or not arco.archive_id:
            raise NotFound()
        attachment = arco.archive_id
        return request.make_response(
            attachment.raw,
            headers=[
                ("Content-Type", "application/zip"),
                ("Content-Disposition", http.content_disposition(attachment.name)),
                *PRIVATE_DOWNLOAD_HEADERS,
            ],
        )

    # ------------------------------------------------------------
    # THE PROSPECT'S PAGE
    # ------------------------------------------------------------

    def _hmr_check_case_access(self, case_id, access_token):
        """The photos and the questionnaire of a prospect whose data is blocked are out
        of reach, whoever asks."""
        case_sudo = super()._hmr_check_case_access(case_id, access_token)
        if case_sudo.lead_id.hmr_arco_blocked:
            raise Forbidden()
        return case_sudo

    def _hmr_prepare_case_page_values(self, case_sudo, access_token, **kwargs):
        values = super()._hmr_prepare_case_page_values(case_sudo, access_token, **kwargs)
        blocked = case_sudo.lead_id.hmr_arco_blocked
        values.update(
            {
                "arco_blocked": blocked,
                "arco_requests": case_sudo._hmr_get_arco_requests(),
                # their dates are the clinic's day (a visitor has no timezone)
                "clinic_tz": case_sudo.company_id._hmr_get_tz(),
                "arco_types": request.env["hmr.arco.request"]
                ._fields["request_type"]
                ._description_selection(request.env),
                "arco_feedback": kwargs.get("arco")
                if kwargs.get("arco") in ("sent", "error")
                else False,
            }
        )
        if blocked:
            values.update(
                {"slots": [], "orders": case_sudo.order_ids.browse(), "survey_state": False}
            )
        return values

    def _hmr_check_arco_access(self, case_id, access_token):
        try:
            return self._document_check_access(
                "hmr.treatment.case", case_id, access_token=access_token
            )
        except (AccessError, MissingError) as error:
            raise Forbidden() from error

    def _hmr_arco_redirect(self, case_sudo, access_token, feedback):
        query = f"arco={feedback.removeprefix('arco_')}"
        if access_token:
            query += f"&access_token={access_token}"
        return request.redirect(f"{case_sudo.access_url}?{query}#hmr_arco")

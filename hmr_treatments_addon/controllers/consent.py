from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers import portal

from ..models.res_partner import OPTIONAL_CONSENT_FIELDS


class HmrConsentPortal(portal.CustomerPortal):
    """The prospect gives or withdraws, from their own page (logged in or with their
    email's link), the optional consents: marketing, their photos in before/after
    material. Each change is an event of the consents' history, channel "portal"."""

    @http.route(
        "/my/hmr/cases/<int:case_id>/consent",
        methods=["POST"],
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def portal_my_hmr_case_consent(
        self, case_id, purpose=None, given=None, access_token=None, **kwargs
    ):
        try:
            case_sudo = self._document_check_access(
                "hmr.treatment.case", case_id, access_token=access_token
            )
        except (AccessError, MissingError) as error:
            raise Forbidden() from error
        # the staff record a consent on the prospect's form, with their name: this page
        # speaks for the prospect only
        if not request.env.user._is_public() and not request.env.user.share:
            raise Forbidden()
        if purpose not in OPTIONAL_CONSENT_FIELDS or not case_sudo.partner_id:
            raise Forbidden()
        if case_sudo.lead_id.hmr_arco_blocked:
            # the prospect cancelled their data: nothing of it is processed any more
            raise Forbidden()
        partner = case_sudo.partner_id
        if given == "1":
            partner._hmr_give_consent(purpose, "portal")
        else:
            partner._hmr_withdraw_consent(purpose, "portal")
        query = f"consent={purpose}"
        if access_token:
            query += f"&access_token={access_token}"
        return request.redirect(f"{case_sudo.access_url}?{query}#hmr_consents")

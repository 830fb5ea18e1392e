"""The consents to the privacy notice given before the notice was versioned were a last
value on the contact: each becomes the first event of the contact's consents history,
naming the version of the notice it was given under (the shipped versions are created by
the module's data before this script runs)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    notices = env["hmr.privacy.notice"].search([])
    partners = (
        env["res.partner"]
        .with_context(active_test=False)
        .search([("hmr_privacy_consent_date", "!=", False), ("hmr_consent_log_ids", "=", False)])
    )
    by_version = {notice.version: notice for notice in notices}
    env["hmr.consent.log"].create(
        [
            {
                "partner_id": partner.id,
                "purpose": "privacy_notice",
                "action": "given",
                "channel": partner.hmr_privacy_consent_channel or "staff",
                "date": partner.hmr_privacy_consent_date,
                "notice_id": by_version.get(partner.hmr_privacy_notice_version, notices[:0]).id,
                "notice_version": partner.hmr_privacy_notice_version,
                "user_id": partner.hmr_privacy_consent_user_id.id,
            }
            for partner in partners
        ]
    )

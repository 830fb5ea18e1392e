from odoo import api, fields, models
from odoo.exceptions import AccessError

CONSENT_PURPOSES = [
    ("privacy_notice", "Privacy notice (data and photos for the assessment)"),
    ("marketing", "Marketing communications"),
    ("photo_publication", "Photos in before/after material"),
]
CONSENT_CHANNELS = [
    ("web_form", "Public web form"),
    ("portal", "Prospect portal"),
    ("staff", "Recorded by the staff"),
    ("arco", "Data-rights (ARCO) request"),
]


class HmrConsentLog(models.Model):
    """One event of a prospect's consent: given or withdrawn, for one purpose, when,
    through which channel, under which version of the privacy notice and (recorded by the
    staff) by whom. A history the law asks the clinic to prove: written only by the
    consent flows of the contact (``res.partner._hmr_give_consent`` and
    ``_hmr_withdraw_consent``), never edited nor deleted by a user."""

    _name = "hmr.consent.log"
    _description = "Consent Event"
    _order = "date desc, id desc"
    _rec_name = "purpose"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="cascade"
    )
    purpose = fields.Selection(CONSENT_PURPOSES, required=True)
    action = fields.Selection(
        [("given", "Given"), ("withdrawn", "Withdrawn")], string="Event", required=True
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    notice_id = fields.Many2one("hmr.privacy.notice", ondelete="restrict")
    notice_version = fields.Char(help="The version of the privacy notice in force then.")
    user_id = fields.Many2one(
        "res.users", string="Recorded By", help="The staff member who recorded it."
    )
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        self._check_written_by_flows()
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")
        self._check_written_by_flows()
        return super().write(vals)

    def unlink(self):
        # the contact's own deletion (ARCO cancellation) cascades in SQL, not through here
        self.check_access("unlink")
        self._check_written_by_flows()
        return super().unlink()

    def _check_written_by_flows(self):
        if not self.env.su:
            raise AccessError(
                self.env._("The consents' history is written only when a consent changes.")
            )

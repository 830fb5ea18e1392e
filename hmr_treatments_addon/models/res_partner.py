from odoo import fields, models

# Bump when the privacy notice (views/hmr_website_templates.xml) changes: the consent
# records which text the prospect accepted
PRIVACY_NOTICE_VERSION = "2025-01"


class ResPartner(models.Model):
    """The prospect's consent to the privacy notice (Mexico's LFPDPPP): recorded before
    any photograph of theirs is accepted (B3)."""

    _inherit = "res.partner"

    hmr_privacy_consent_date = fields.Datetime(
        string="Privacy Consent On",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="When the prospect accepted the privacy notice: no photo is accepted before.",
    )
    hmr_privacy_notice_version = fields.Char(
        string="Privacy Notice Version", readonly=True, copy=False, groups="base.group_user"
    )
    hmr_privacy_consent_channel = fields.Selection(
        [
            ("web_form", "Public web form"),
            ("portal", "Prospect portal"),
            ("staff", "Recorded by the staff"),
        ],
        string="Consent Given Through",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    hmr_privacy_consent_user_id = fields.Many2one(
        "res.users",
        string="Consent Recorded By",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The staff member who confirmed the prospect gave their consent.",
    )

    def _hmr_has_privacy_consent(self):
        self.ensure_one()
        return bool(self.sudo().hmr_privacy_consent_date)

    def _hmr_record_privacy_consent(self, channel, staff_user=None):
        """Record the consent of these prospects (once: the first consent is kept)."""
        todo = self.sudo().filtered(lambda partner: not partner.hmr_privacy_consent_date)
        if todo:
            todo.write(
                {
                    "hmr_privacy_consent_date": fields.Datetime.now(),
                    "hmr_privacy_notice_version": PRIVACY_NOTICE_VERSION,
                    "hmr_privacy_consent_channel": channel,
                    "hmr_privacy_consent_user_id": staff_user.id if staff_user else False,
                }
            )
        return todo

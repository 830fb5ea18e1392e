from odoo import api, fields, models
from odoo.exceptions import UserError

# the voluntary uses of the prospect's data, each consented (and withdrawn) on its own; the
# flag that holds each one's current answer on the contact
OPTIONAL_CONSENT_FIELDS = {
    "marketing": "hmr_marketing_consent",
    "photo_publication": "hmr_photo_publication_consent",
}


class ResPartner(models.Model):
    """The prospect's consents (Mexico's LFPDPPP): to the privacy notice, recorded before
    any photograph of theirs is accepted (B3), and, separately, to the voluntary uses of
    their data (marketing, their photos in before/after material). Every consent given or
    withdrawn is an event of ``hmr.consent.log``; the fields here keep the current answer."""

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
    hmr_marketing_consent = fields.Boolean(
        string="Accepts Marketing",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The prospect accepted to receive the clinic's marketing communications. "
        "Only they may be sent marketing; a withdrawal also blacklists their email.",
    )
    hmr_photo_publication_consent = fields.Boolean(
        string="Photos in Before/After Material",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The prospect accepted that their photos be shown in before/after material.",
    )
    hmr_consent_log_ids = fields.One2many(
        "hmr.consent.log",
        "partner_id",
        string="Consents History",
        readonly=True,
        groups="base.group_user",
    )

    def _hmr_has_privacy_consent(self):
        self.ensure_one()
        return bool(self.sudo().hmr_privacy_consent_date)

    def _hmr_record_privacy_consent(self, channel, staff_user=None):
        """Record the consent of these prospects to the current privacy notice (once: the
        first consent is kept)."""
        todo = self.sudo().filtered(lambda partner: not partner.hmr_privacy_consent_date)
        if todo:
            notice = self.env["hmr.privacy.notice"]._hmr_get_current()
            todo.write(
                {
                    "hmr_privacy_consent_date": fields.Datetime.now(),
                    "hmr_privacy_notice_version": notice.version,
                    "hmr_privacy_consent_channel": channel if channel != "arco" else False,
                    "hmr_privacy_consent_user_id": staff_user.id if staff_user else False,
                }
            )
            todo._hmr_log_consent("privacy_notice", "given", channel, staff_user, notice=notice)
        return todo

    # ------------------------------------------------------------
    # CONSENTS: the only way to change them (public form, portal, staff, data rights)
    # ------------------------------------------------------------

    def _hmr_give_consent(self, purpose, channel, staff_user=None, note=None):
        """Record that these prospects give their consent to ``purpose`` (a key of
        ``hmr.consent.log``'s purposes) through ``channel``; those who already gave it are
        left alone. Return the contacts whose consent changed (sudo)."""
        self._hmr_check_data_not_blocked()
        if purpose == "privacy_notice":
            return self._hmr_record_privacy_consent(channel, staff_user)
        field = self._hmr_consent_field(purpose)
        todo = self.sudo().filtered(lambda partner: not partner[field])
        if todo:
            todo.write({field: True})
            todo._hmr_log_consent(purpose, "given", channel, staff_user, note)
            if purpose == "marketing":
                todo._hmr_set_marketing_blacklist(False)
        return todo

    def _hmr_withdraw_consent(self, purpose, channel, staff_user=None, note=None):
        """Record that these prospects withdraw their consent to ``purpose`` through
        ``channel`` (``"arco"`` for an opposition or a cancellation); those who had not
        given it are left alone. Withdrawing the privacy notice stops new photos; a
        withdrawn marketing consent blacklists the email (Odoo's mass mailing skips it).
        Return the contacts whose consent changed (sudo)."""
        if purpose == "privacy_notice":
            todo = self.sudo().filtered("hmr_privacy_consent_date")
            if todo:
                todo.write(
                    {
                        "hmr_privacy_consent_date": False,
                        "hmr_privacy_consent_channel": False,
                        "hmr_privacy_consent_user_id": False,
                    }
                )
                todo._hmr_log_consent(purpose, "withdrawn", channel, staff_user, note)
            return todo
        field = self._hmr_consent_field(purpose)
        todo = self.sudo().filtered(field)
        if todo:
            todo.write({field: False})
            todo._hmr_log_consent(purpose, "withdrawn", channel, staff_user, note)
            if purpose == "marketing":
                todo._hmr_set_marketing_blacklist(True)
        return todo

    def _hmr_check_data_not_blocked(self):
        """A prospect who cancelled their data is no longer processed: no consent of
        theirs is given again (it would take their address off the blacklist)."""
        blocked = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [("partner_id", "in", self.ids), ("hmr_arco_blocked", "=", True)], limit=1
            )
        )
        if blocked:
            raise UserError(
                self.env._(
                    "This prospect cancelled their data: it is blocked, and no consent can "
                    "be given any more."
                )
            )

    @api.model
    def _hmr_consent_field(self, purpose):
        if purpose not in OPTIONAL_CONSENT_FIELDS:
            raise UserError(self.env._("Unknown consent: %(purpose)s", purpose=purpose))
        return OPTIONAL_CONSENT_FIELDS[purpose]

    def _hmr_log_consent(self, purpose, action, channel, staff_user=None, note=None, notice=None):
        notice = notice if notice is not None else self.env["hmr.privacy.notice"]._hmr_get_current()
        self.env["hmr.consent.log"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "purpose": purpose,
                    "action": action,
                    "channel": channel,
                    "notice_id": notice.id,
                    "notice_version": notice.version,
                    "user_id": staff_user.id if staff_user else False,
                    "note": note,
                }
                for partner in self
            ]
        )

    def _hmr_set_marketing_blacklist(self, blacklisted):
        """Odoo's mass mailing never writes to a blacklisted email: a withdrawn marketing
        consent puts the prospect's email there, a new consent takes it out."""
        blacklist = self.env["mail.blacklist"].sudo()
        for email in set(self.filtered("email").mapped("email_normalized")) - {False}:
            if blacklisted:
                blacklist._add(email)
            elif blacklist.search([("email", "=", email)]):
                blacklist._remove(email)

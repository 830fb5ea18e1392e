from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import html_translate

# what a published version keeps forever: the prospects' consents name it
FROZEN_FIELDS = {"version", "body"}


class HmrPrivacyNotice(models.Model):
    """A version of the clinic's privacy notice (Mexico's LFPDPPP). The manager writes a
    new version as a draft (in each language of the website), then publishes it: it
    becomes the current notice, shown on the website and named by every consent given
    from then on; the versions it replaces stay readable, unchanged, for the consents that
    name them."""

    _name = "hmr.privacy.notice"
    _description = "Privacy Notice Version"
    _order = "date_published desc, id desc"
    _rec_name = "version"

    version = fields.Char(
        required=True,
        copy=False,
        default=lambda self: self.env._("New version"),
        help="How the consents name this text, e.g. 2026-01.",
    )
    body = fields.Html(
        string="Text",
        translate=html_translate,
        sanitize_overridable=False,
        help="The notice as the website shows it, in each language.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("current", "Current"), ("superseded", "Superseded")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    date_published = fields.Datetime(string="Published On", readonly=True, copy=False)
    consent_count = fields.Integer(compute="_compute_consent_count")

    _version_unique = models.Constraint("UNIQUE(version)", "Each version needs its own name.")
    _one_current = models.UniqueIndex(
        "(state) WHERE state = 'current'", "Only one version of the notice is current."
    )

    def _compute_consent_count(self):
        Log = self.env["hmr.consent.log"].sudo()
        for notice in self:
            notice.consent_count = Log.search_count([("notice_id", "=", notice.id)])

    @api.model
    def _hmr_get_current(self):
        """The notice in force (sudo), or an empty recordset before any is published."""
        return self.sudo().search([("state", "=", "current")], limit=1)

    def write(self, vals):
        self.check_access("write")
        if FROZEN_FIELDS & set(vals) and self.filtered(lambda n: n.state != "draft"):
            raise UserError(
                self.env._(
                    "A published privacy notice cannot be changed: prospects consented to "
                    "its text. Duplicate it, change the copy and publish it."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda n: n.state != "draft"):
            raise UserError(
                self.env._("A published privacy notice is kept: prospects consented to it.")
            )

    def action_publish(self):
        """Make this draft the current notice; the current one is superseded."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "draft":
            raise UserError(self.env._("Only a draft can be published."))
        current = self.search([("state", "=", "current")])
        current.write({"state": "superseded"})
        # one current version at a time (a unique index): the old one steps down first
        current.flush_recordset(["state"])
        self.write({"state": "current", "date_published": fields.Datetime.now()})
        return True

    def action_view_consents(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "hmr_treatments_addon.hmr_consent_log_action"
        )
        action["domain"] = [("notice_id", "=", self.id)]
        return action

import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import html2plaintext, is_html_empty


class HmrMessageComposer(models.TransientModel):
    """D7: one email or SMS to one or many prospects, from a template, sent now or at a
    date and time. The composer shows the template already written for the prospect (in
    the prospect's language): what the executive reads, and changes, is exactly what is
    sent; no template code is ever shown nor run on the executive's text. Emails are
    posted on the prospect's chatter by Odoo (message_post: one email to the prospect,
    its delivery status kept), or kept as Odoo's scheduled messages (mail.scheduled.message,
    posted by Odoo's scheduler at their time, so they are in the chatter only once sent);
    SMS go through Odoo's SMS composer and the SMS provider the clinic configured."""

    _name = "hmr.message.composer"
    _description = "Send a Message to Prospects"

    lead_ids = fields.Many2many(
        "crm.lead", string="Prospects", required=True, domain="[('type', '=', 'opportunity')]"
    )
    preview_lead_id = fields.Many2one(
        "crm.lead",
        string="Written For",
        compute="_compute_preview_lead_id",
        help="The prospect the template is written for in the text below.",
    )
    channel = fields.Selection([("email", "Email"), ("sms", "SMS")], default="email", required=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'crm.lead')]",
        default=lambda self: self.env.ref(
            "hmr_crm_addon.mail_template_hmr_prospect_follow_up", raise_if_not_found=False
        ),
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'crm.lead')]",
        default=lambda self: self.env.ref(
            "hmr_crm_addon.sms_template_hmr_prospect_call_missed", raise_if_not_found=False
        ),
    )
    subject = fields.Char(compute="_compute_subject", store=True, readonly=False)
    body = fields.Html(
        string="Message Body",
        compute="_compute_body",
        store=True,
        readonly=False,
        sanitize="email_outgoing",
    )
    sms_body = fields.Text(string="SMS", compute="_compute_sms_body", store=True, readonly=False)
    send_mode = fields.Selection(
        [("now", "Now"), ("scheduled", "At a date and time")],
        string="Send",
        default="now",
        required=True,
    )
    scheduled_at = fields.Datetime(string="Send On")
    unreachable_info = fields.Char(compute="_compute_unreachable_info")
    preview_info = fields.Char(string="About the Text", compute="_compute_preview_info")
    mail_server_missing = fields.Boolean(
        string="No Outgoing Mail Server", compute="_compute_delivery_warnings"
    )
    sms_provider_missing = fields.Boolean(
        string="No SMS Provider", compute="_compute_delivery_warnings"
    )

    @api.model
    def default_get(self, fields):
        result = super().default_get(fields)
        context = self.env.context
        if (
            "lead_ids" in fields
            and not result.get("lead_ids")
            and context.get("active_model") == "crm.lead"
            and context.get("active_ids")
        ):
            # opened from the Action menu of a list of prospects
            result["lead_ids"] = [Command.set(context["active_ids"])]
        return result

    @api.depends("lead_ids")
    def _compute_preview_lead_id(self):
        for composer in self:
            composer.preview_lead_id = composer.lead_ids[:1]._origin

    @api.depends("mail_template_id", "preview_lead_id")
    def _compute_subject(self):
        for composer in self.filtered("mail_template_id"):
            composer.subject = composer._render_email_for(composer.preview_lead_id)[0]

    @api.depends("mail_template_id", "preview_lead_id")
    def _compute_body(self):
        for composer in self.filtered("mail_template_id"):
            composer.body = composer._render_email_for(composer.preview_lead_id)[1]

    @api.depends("sms_template_id", "preview_lead_id")
    def _compute_sms_body(self):
        for composer in self.filtered("sms_template_id"):
            composer.sms_body = composer._render_sms_for(composer.preview_lead_id)

    @api.depends("channel", "lead_ids")
    def _compute_unreachable_info(self):
        for composer in self:
            if composer.channel == "email":
                unreachable = composer.lead_ids.filtered(lambda lead: not lead.email_from)
                message = self.env._("No email: %(names)s")
            else:
                unreachable = composer.lead_ids.filtered(lambda lead: not lead.phone)
                message = self.env._("No phone: %(names)s")
            composer.unreachable_info = (
                message % {"names": ", ".join(unreachable.mapped("display_name"))}
                if unreachable
                else False
            )

    @api.depends("lead_ids", "preview_lead_id")
    def _compute_preview_info(self):
        for composer in self:
            composer.preview_info = (
                self.env._(
                    "The text is written for %(name)s. Left as it is, each prospect gets it "
                    "written for them; once you change it, all of them get your text as it is.",
                    name=composer.preview_lead_id.display_name,
                )
                if len(composer.lead_ids) > 1
                else False
            )

    @api.depends_context("uid")
    def _compute_delivery_warnings(self):
        warnings = self.env["hmr.crm.message"].get_delivery_warnings()
        for composer in self:
            composer.mail_server_missing = warnings["mail_server_missing"]
            composer.sms_provider_missing = warnings["sms_provider_missing"]

    # ------------------------------------------------------------
    # RENDERING: the template written for one prospect, in their language
    # ------------------------------------------------------------

    def _get_lead_lang(self, template, lead):
        """The prospect's language, whatever the language of the one who writes."""
        lang = template._render_lang(lead.ids)[lead.id] if template.lang else False
        return lang or lead.partner_id.lang or lead.lang_code or self.env.lang

    def _render_email_for(self, lead):
        """(subject, body) of the email template written for ``lead``. Templates are the
        clinic's master data: rendered as Odoo's composer renders them for users who may
        not edit templates (sudo), on a prospect the user may read."""
        template = self.mail_template_id
        if not lead:
            # nothing to show before a prospect is chosen: never the template's code
            return False, False
        lead.check_access("read")
        template_sudo = template.sudo()
        langs = {lead.id: self._get_lead_lang(template_sudo, lead)}
        subject = template_sudo._render_field("subject", lead.ids, res_ids_lang=langs)[lead.id]
        body = template_sudo._render_field("body_html", lead.ids, res_ids_lang=langs)[lead.id]
        return subject, body

    def _render_sms_for(self, lead):
        template = self.sms_template_id
        if not lead:
            return False
        lead.check_access("read")
        template_sudo = template.sudo()
        langs = {lead.id: self._get_lead_lang(template_sudo, lead)}
        return template_sudo._render_field("body", lead.ids, res_ids_lang=langs)[lead.id]

    def _is_text_changed(self, shown, written):
        """Whether the executive changed the text the template wrote (compared as text:
        the HTML editor may reformat what it does not change)."""
        return " ".join(html2plaintext(shown or "").split()) != " ".join(
            html2plaintext(written or "").split()
        )

    def _get_email_texts(self, lead):
        """(subject, body) to send ``lead``: the text shown, or, when several prospects
        get an email the executive left as the template wrote it, the template written
        for this one."""
        if not self.mail_template_id or lead == self.preview_lead_id:
            return self.subject, self.body
        preview_subject, preview_body = self._render_email_for(self.preview_lead_id)
        subject, body = self._render_email_for(lead)
        return (
            self.subject if self.subject != preview_subject else subject,
            self.body if self._is_text_changed(self.body, preview_body) else body,
        )

    def _get_sms_text(self, lead):
        if not self.sms_template_id or lead == self.preview_lead_id:
            return self.sms_body
        if self.sms_body != self._render_sms_for(self.preview_lead_id):
            return self.sms_body
        return self._render_sms_for(lead)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send(self):
        self.ensure_one()
        self.check_access("read")
        self._check_can_send()
        leads = self.lead_ids
        if self.channel == "email":
            self._send_emails(leads)
            notice = self._get_email_notice(leads)
        else:
            messages = self._send_sms(leads)
            notice = self._get_sms_notice(leads, messages)
        notice_type, message = notice
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": notice_type,
                "message": message,
                "sticky": notice_type != "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _check_can_send(self):
        if not self.lead_ids:
            raise UserError(self.env._("Choose the prospects to write to."))
        if self.send_mode == "scheduled":
            if not self.scheduled_at:
                raise UserError(self.env._("Choose when to send the message."))
            if self.scheduled_at <= fields.Datetime.now():
                raise UserError(self.env._("A message can only be scheduled in the future."))
        if self.channel == "email" and (not self.subject or is_html_empty(self.body)):
            raise UserError(self.env._("Write the subject and the text of the email."))
        if self.channel == "sms" and not self.sms_body:
            raise UserError(self.env._("Write the text of the SMS."))

    def _get_scheduled_date(self):
        """UTC, as Odoo's SMS notifications expect it; False to send now."""
        if self.send_mode != "scheduled":
            return False
        return fields.Datetime.to_string(self.scheduled_at)

    def _prepare_email_post_values(self, lead):
        subject, body = self._get_email_texts(lead)
        template = self.mail_template_id
        lang = self._get_lead_lang(template.sudo(), lead) if template else lead.partner_id.lang
        return {
            "subject": subject,
            # the text is final: shown to the executive and sent as it is, never rendered
            "body": Markup(body),
            "partner_ids": lead.partner_id.ids,
            "notification_parameters": {
                # the email's frame (header, footer) in the prospect's language
                "force_email_lang": lang,
                "email_layout_xmlid": template.email_layout_xmlid or "mail.mail_notification_light",
            },
        }

    def _send_emails(self, leads):
        """Now: posted on each prospect's chatter, emailed to the prospect only. Later:
        one Odoo scheduled message per prospect, posted (and emailed) at its time."""
        if self.send_mode == "scheduled":
            return self.env["mail.scheduled.message"].create(
                [self._prepare_scheduled_message_values(lead) for lead in leads]
            )
        messages = self.env["mail.message"]
        for lead in leads:
            values = self._prepare_email_post_values(lead)
            messages |= lead.message_post(
                subject=values["subject"],
                body=values["body"],
                partner_ids=values["partner_ids"],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                **values["notification_parameters"],
            )
        return messages

    def _prepare_scheduled_message_values(self, lead):
        values = self._prepare_email_post_values(lead)
        return {
            "model": "crm.lead",
            "res_id": lead.id,
            "author_id": self.env.user.partner_id.id,
            "subject": values["subject"],
            "body": values["body"],
            "partner_ids": [Command.set(values["partner_ids"])],
            "scheduled_date": self.scheduled_at,
            "notification_parameters": json.dumps(
                # posted as the executive's message, as the composer posts it now
                dict(values["notification_parameters"], message_type="comment")
            ),
        }

    def _send_sms(self, leads):
        """One SMS per prospect, as Odoo's SMS composer sends them (a note on the chatter
        and its SMS, sent at once or at the date by Odoo's scheduled notifications), with
        the final text: never rendered again."""
        messages = self.env["mail.message"]
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        leads = leads.with_context(hmr_sms_scheduled_date=self._get_scheduled_date())
        for lead in leads:
            messages |= lead._message_sms(self._get_sms_text(lead), subtype_id=note)
        return messages

    # ------------------------------------------------------------
    # WHAT THE EXECUTIVE IS TOLD
    # ------------------------------------------------------------

    def _get_email_notice(self, leads):
        count = len(leads)
        if self.send_mode == "scheduled":
            return "success", self.env._(
                "%(count)s email(s) scheduled: see them in CRM ‣ Messages.", count=count
            )
        if self.mail_server_missing:
            return "danger", self.env._(
                "%(count)s email(s) cannot be delivered: no outgoing mail server is "
                "configured. Ask your manager; see them in CRM ‣ Messages.",
                count=count,
            )
        return "success", self.env._(
            "%(count)s email(s) on their way: see how they went in CRM ‣ Messages.",
            count=count,
        )

    def _get_sms_notice(self, leads, messages):
        """The truth about the SMS, known at once: Odoo hands them to the provider while
        posting them (or schedules them)."""
        notifications = messages.sudo().notification_ids.filtered(
            lambda notification: notification.notification_type == "sms"
        )
        failed = notifications.filtered(
            lambda notification: notification.notification_status in ("exception", "bounce")
        )
        if failed:
            reasons = {
                notification.failure_reason
                or dict(notification._fields["failure_type"]._description_selection(self.env)).get(
                    notification.failure_type
                )
                or self.env._("Unknown error")
                for notification in failed
            }
            return "danger", self.env._(
                "%(failed)s of %(count)s SMS failed: %(reasons)s. See them in CRM ‣ Messages.",
                failed=len(failed),
                count=len(leads),
                reasons="; ".join(sorted(reasons)),
            )
        if self.send_mode == "scheduled":
            return "success", self.env._(
                "%(count)s SMS scheduled: see them in CRM ‣ Messages.", count=len(leads)
            )
        pending = notifications.filtered(
            lambda notification: notification.notification_status == "ready"
        )
        if pending:
            return "warning", self.env._(
                "%(count)s SMS queued: see how they went in CRM ‣ Messages.", count=len(pending)
            )
        return "success", self.env._(
            "%(count)s SMS sent: see how they went in CRM ‣ Messages.", count=len(notifications)
        )

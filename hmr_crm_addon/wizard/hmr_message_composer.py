from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class HmrMessageComposer(models.TransientModel):
    """D7: one email or SMS to one or many prospects, from a template, sent now or at a
    date and time. Odoo does the work: emails go through its mail composer (mass mode:
    one email per prospect, logged on its chatter, queued with its scheduled date), SMS
    through its SMS composer (posted on each prospect's chatter, delivered now or by
    Odoo's scheduled notifications) and the SMS provider the clinic configured."""

    _name = "hmr.message.composer"
    _description = "Send a Message to Prospects"

    lead_ids = fields.Many2many(
        "crm.lead", string="Prospects", required=True, domain="[('type', '=', 'opportunity')]"
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
    # as the mail composer's: the template's QWeb survives
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

    @api.depends("mail_template_id")
    def _compute_subject(self):
        for composer in self.filtered("mail_template_id"):
            composer.subject = composer.mail_template_id.subject

    @api.depends("mail_template_id")
    def _compute_body(self):
        for composer in self.filtered("mail_template_id"):
            composer.body = composer.mail_template_id.body_html

    @api.depends("sms_template_id")
    def _compute_sms_body(self):
        for composer in self.filtered("sms_template_id"):
            composer.sms_body = composer.sms_template_id.body

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

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send(self):
        self.ensure_one()
        self._check_can_send()
        leads = self.lead_ids
        if self.channel == "email":
            self._send_emails(leads)
        else:
            self._send_sms(leads)
        if self.send_mode == "scheduled":
            message = self.env._(
                "%(count)s message(s) scheduled: see them in CRM ‣ Messages.", count=len(leads)
            )
        else:
            message = self.env._(
                "%(count)s message(s) sent: see how they went in CRM ‣ Messages.",
                count=len(leads),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
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
        if self.channel == "email" and not (self.subject and self.body):
            raise UserError(self.env._("Write the subject and the text of the email."))
        if self.channel == "sms" and not self.sms_body:
            raise UserError(self.env._("Write the text of the SMS."))

    def _get_scheduled_date(self):
        """UTC, as Odoo's SMS notifications expect it; False to send now."""
        if self.send_mode != "scheduled":
            return False
        return fields.Datetime.to_string(self.scheduled_at)

    def _prepare_mail_composer_values(self, leads):
        values = {
            "composition_mode": "mass_mail",
            "model": "crm.lead",
            "res_ids": repr(leads.ids),
            "template_id": self.mail_template_id.id,
            # one email per prospect, kept on its chatter with its delivery status
            "auto_delete_keep_log": True,
        }
        template = self.mail_template_id
        # unchanged, the template's own texts are used (translated for each prospect)
        if not template or self.subject != template.subject:
            values["subject"] = self.subject
        if not template or self.body != template.body_html:
            values["body"] = self.body
        if self.send_mode == "scheduled":
            # queued; the mass composer only schedules from a template's own date
            values["force_send"] = False
        return values

    def _send_emails(self, leads):
        composer = (
            self.env["mail.compose.message"]
            .with_context(default_model="crm.lead")
            .create(self._prepare_mail_composer_values(leads))
        )
        mails = composer._action_send_mail()[0]
        queued = mails.exists().filtered(lambda mail: mail.state == "outgoing")
        if self.send_mode == "scheduled":
            queued.write({"scheduled_date": self.scheduled_at})
        # the mail queue sends what is left at once, or wakes up at the scheduled time
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        if queued and cron:
            cron.sudo()._trigger(self.scheduled_at if self.send_mode == "scheduled" else None)
        return mails

    def _prepare_sms_composer_values(self, leads):
        return {
            "composition_mode": "comment",
            "res_model": "crm.lead",
            "res_ids": repr(leads.ids),
            "template_id": self.sms_template_id.id,
            "body": self.sms_body,
        }

    def _send_sms(self, leads):
        composer = (
            self.env["sms.composer"]
            .with_context(hmr_sms_scheduled_date=self._get_scheduled_date())
            .create(self._prepare_sms_composer_values(leads))
        )
        return composer._action_send_sms()

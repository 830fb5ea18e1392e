from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, html2plaintext

MESSAGE_STATES = [
    ("scheduled", "Scheduled"),
    ("outgoing", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("bounced", "Bounced"),
    ("cancelled", "Not Sent"),
]


class HmrCrmMessage(models.Model):
    """D7: the emails and SMS sent or to be sent to prospects, one line per message,
    read from where Odoo keeps them: the messages of the prospects (and of their
    quotes, cases...) with their delivery status (mail.notification), the messages
    waiting for their date (mail.message.schedule, the mail queue's scheduled emails),
    those scheduled from the chatter or the composer (mail.scheduled.message), and the
    emails the clinic's templates send on their own (mail.mail: reminders,
    acknowledgments, answers to a quote). A query, as Odoo's own sale.report: nothing
    is copied, so nothing can drift."""

    _name = "hmr.crm.message"
    _description = "Prospect Message"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "subject"

    date = fields.Datetime(string="Created On", readonly=True)
    scheduled_at = fields.Datetime(string="Scheduled For", readonly=True)
    channel = fields.Selection([("email", "Email"), ("sms", "SMS")], readonly=True)
    state = fields.Selection(MESSAGE_STATES, string="Status", readonly=True)
    failure_type = fields.Selection(selection="_selection_failure_type", readonly=True)
    failure_reason = fields.Text(readonly=True)
    failure = fields.Char(compute="_compute_failure")
    lead_id = fields.Many2one("crm.lead", string="Prospect", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    user_id = fields.Many2one("res.users", string="Sales Executive", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    author_id = fields.Many2one("res.partner", readonly=True)
    subject = fields.Char(readonly=True)
    body = fields.Html(string="Message Body", readonly=True, sanitize=False)
    preview = fields.Char(string="Message", compute="_compute_preview")
    model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="model", readonly=True)
    message_id = fields.Many2one("mail.message", string="Mail Message", readonly=True)
    scheduled_message_id = fields.Many2one("mail.scheduled.message", readonly=True)

    @api.model
    def _selection_failure_type(self):
        return (
            self.env["mail.notification"]._fields["failure_type"]._description_selection(self.env)
        )

    @api.depends("failure_type", "failure_reason")
    @api.depends_context("lang")
    def _compute_failure(self):
        """Why the message failed: Odoo's failure type when it set one (an SMS always
        has one), else the reason the mail server gave (an email the queue could not
        hand to any server has a reason but no type)."""
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        for message in self:
            message.failure = labels.get(message.failure_type) or message.failure_reason

    @api.depends("subject", "body")
    def _compute_preview(self):
        for message in self:
            text = html2plaintext(message.body or "").strip()
            preview = " - ".join(part for part in (message.subject, text) if part)
            message.preview = preview[:120]

    # ------------------------------------------------------------
    # VIEW
    # ------------------------------------------------------------

    def _get_document_queries(self):
        """Documents whose messages are the prospect's: ``(model, query)`` where the
        query selects ``res_id`` and ``lead_id``. Other addons add theirs (the
        treatment cases, say)."""
        return [
            ("crm.lead", SQL("SELECT id AS res_id, id AS lead_id FROM crm_lead")),
            (
                "sale.order",
                SQL(
                    "SELECT id AS res_id, opportunity_id AS lead_id FROM sale_order "
                    "WHERE opportunity_id IS NOT NULL"
                ),
            ),
        ]

    def _get_documents_query(self):
        return SQL(" UNION ALL ").join(
            SQL("SELECT %s AS model, docs.* FROM (%s) docs", model, query)
            for model, query in self._get_document_queries()
        )

    @property
    def _table_query(self):
        models = tuple(model for model, _query in self._get_document_queries())
        return SQL(
            """
            WITH docs AS (%(documents)s),
            messages AS (
                SELECT m.id, m.model, m.res_id, docs.lead_id, m.date, m.subject, m.body,
                       m.author_id, m.message_type, stats.total, stats.failed, stats.bounced,
                       stats.pending,
                       stats.sent, stats.failure_type, stats.failure_reason,
                       schedule.scheduled_at AS notify_at, queue.scheduled_at AS queued_at
                  FROM mail_message m
                  JOIN docs ON docs.model = m.model AND docs.res_id = m.res_id
             LEFT JOIN LATERAL (
                    -- the delivery to the prospect (and other outsiders), not the
                    -- notifications of the clinic's own staff
                    SELECT COUNT(*) AS total,
                           COUNT(*) FILTER (
                               WHERE n.notification_status = 'exception') AS failed,
                           COUNT(*) FILTER (
                               WHERE n.notification_status = 'bounce') AS bounced,
                           COUNT(*) FILTER (WHERE n.notification_status = 'ready') AS pending,
                           -- an SMS handed to the provider is sent, its delivery
                           -- report may come later
                           COUNT(*) FILTER (
                               WHERE n.notification_status IN ('process', 'pending', 'sent')
                           ) AS sent,
                           MAX(n.failure_type) FILTER (
                               WHERE n.notification_status IN ('exception', 'bounce')
                           ) AS failure_type,
                           MAX(n.failure_reason) FILTER (
                               WHERE n.notification_status IN ('exception', 'bounce')
                           ) AS failure_reason
                      FROM mail_notification n
                     WHERE n.mail_message_id = m.id
                       AND n.notification_type IN ('email', 'sms')
                       AND NOT EXISTS (
                           SELECT 1 FROM res_users u
                            WHERE u.partner_id = n.res_partner_id AND NOT u.share)
                ) stats ON TRUE
             LEFT JOIN LATERAL (
                    SELECT MIN(s.scheduled_datetime) AS scheduled_at
                      FROM mail_message_schedule s
                     WHERE s.mail_message_id = m.id
                ) schedule ON TRUE
             LEFT JOIN LATERAL (
                    -- emails of the queue waiting for their date
                    SELECT MIN(mm.scheduled_date) AS scheduled_at
                      FROM mail_mail mm
                     WHERE mm.mail_message_id = m.id
                       AND mm.state = 'outgoing'
                       AND mm.scheduled_date IS NOT NULL
                ) queue ON TRUE
                 WHERE m.model IN %(models)s
                   AND m.message_type IN ('comment', 'email_outgoing', 'sms', 'auto_comment')
            )
            SELECT 3 * msg.id AS id,
                   msg.id AS message_id,
                   NULL::integer AS scheduled_message_id,
                   msg.lead_id,
                   lead.partner_id,
                   lead.user_id,
                   lead.company_id,
                   msg.model,
                   msg.res_id,
                   msg.date,
                   COALESCE(msg.notify_at, msg.queued_at) AS scheduled_at,
                   CASE WHEN msg.message_type = 'sms' THEN 'sms' ELSE 'email' END AS channel,
                   CASE WHEN msg.failed > 0 THEN 'failed'
                        WHEN msg.bounced > 0 THEN 'bounced'
                        WHEN msg.notify_at IS NOT NULL OR msg.queued_at IS NOT NULL
                            THEN 'scheduled'
                        WHEN msg.pending > 0 THEN 'outgoing'
                        WHEN msg.sent > 0 THEN 'sent'
                        ELSE 'cancelled'
                   END AS state,
                   msg.failure_type,
                   msg.failure_reason,
                   msg.author_id,
                   msg.subject,
                   msg.body
              FROM messages msg
              JOIN crm_lead lead ON lead.id = msg.lead_id
             WHERE msg.total > 0 OR msg.notify_at IS NOT NULL
            UNION ALL
            SELECT 3 * s.id + 1 AS id,
                   NULL::integer AS message_id,
                   s.id AS scheduled_message_id,
                   lead.id AS lead_id,
                   lead.partner_id,
                   lead.user_id,
                   lead.company_id,
                   s.model,
                   s.res_id,
                   s.create_date AS date,
                   s.scheduled_date AS scheduled_at,
                   'email' AS channel,
                   'scheduled' AS state,
                   NULL AS failure_type,
                   NULL AS failure_reason,
                   s.author_id,
                   s.subject,
                   s.body
              FROM mail_scheduled_message s
              JOIN docs ON docs.model = s.model AND docs.res_id = s.res_id
              JOIN crm_lead lead ON lead.id = docs.lead_id
             WHERE NOT s.is_note
            UNION ALL
            SELECT 3 * mail.id + 2 AS id,
                   msg.id AS message_id,
                   NULL::integer AS scheduled_message_id,
                   lead.id AS lead_id,
                   lead.partner_id,
                   lead.user_id,
                   lead.company_id,
                   msg.model,
                   msg.res_id,
                   msg.date,
                   mail.scheduled_date AS scheduled_at,
                   'email' AS channel,
                   CASE WHEN mail.state = 'outgoing'
                             AND mail.scheduled_date > NOW() AT TIME ZONE 'UTC'
                            THEN 'scheduled'
                        WHEN mail.state = 'outgoing' THEN 'outgoing'
                        WHEN mail.state = 'sent' THEN 'sent'
                        WHEN mail.state = 'exception' THEN 'failed'
                        ELSE 'cancelled'
                   END AS state,
                   mail.failure_type,
                   mail.failure_reason,
                   msg.author_id,
                   msg.subject,
                   msg.body
              FROM mail_mail mail
              JOIN mail_message msg ON msg.id = mail.mail_message_id
              JOIN docs ON docs.model = msg.model AND docs.res_id = msg.res_id
              JOIN crm_lead lead ON lead.id = docs.lead_id
             -- the emails of templates, not the notifications of messages (above)
             WHERE NOT COALESCE(mail.is_notification, FALSE)
               AND mail.state != 'received'
               AND msg.model IN %(models)s
               -- to the prospect (or another outsider), not to the clinic's staff
               AND (
                   EXISTS (
                       SELECT 1 FROM mail_mail_res_partner_rel rel
                        WHERE rel.mail_mail_id = mail.id
                          AND NOT EXISTS (
                              SELECT 1 FROM res_users u
                               WHERE u.partner_id = rel.res_partner_id AND NOT u.share))
                   OR (mail.email_to IS NOT NULL AND NOT EXISTS (
                       SELECT 1 FROM mail_mail_res_partner_rel rel
                        WHERE rel.mail_mail_id = mail.id))
               )
            """,
            documents=self._get_documents_query(),
            models=models,
        )

    # ------------------------------------------------------------
    # DELIVERY: can the clinic deliver at all?
    # ------------------------------------------------------------

    @api.model
    def get_delivery_warnings(self):
        """What keeps the clinic from delivering its messages, for the banners of the
        Messages tab and of the composer."""
        return {
            "mail_server_missing": not self._has_outgoing_mail_server(),
            "sms_provider_missing": not self._has_sms_provider(),
        }

    @api.model
    def _has_outgoing_mail_server(self):
        """An outgoing mail server is configured (Settings), or the server's configuration
        names an SMTP server other than Odoo's default (``localhost``, where nothing
        listens on the clinic's machines: the demo's emails failed there)."""
        if self.env["ir.mail_server"].sudo().search_count([], limit=1):
            return True
        return tools.config.get("smtp_server") not in (False, None, "", "localhost")

    @api.model
    def _has_sms_provider(self):
        """Odoo sends SMS through an IAP account registered for SMS (Settings), or
        another provider the company chose (Twilio, with its module)."""
        company = self.env.company
        if "sms_provider" in company._fields and company.sms_provider not in (False, "iap"):
            return True
        return bool(
            self.env["iap.account"]
            .sudo()
            .search_count(
                [
                    ("service_name", "=", "sms"),
                    ("state", "=", "registered"),
                    "|",
                    ("company_ids", "in", company.ids),
                    ("company_ids", "=", False),
                ],
                limit=1,
            )
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_document(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self.model,
            "res_id": self.res_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_new_message(self):
        """Write to prospects from the list of messages."""
        self.check_access("read")
        return self.env["crm.lead"]._hmr_open_message_composer()

    def action_cancel_schedule(self):
        """Cancel messages not sent yet: the scheduled ones are removed, as Odoo does
        for its scheduled messages; the user must be able to write on their document."""
        self.check_access("read")
        for message in self:
            if message.state != "scheduled":
                raise UserError(self.env._("Only scheduled messages can be cancelled."))
            if message.scheduled_message_id:
                message.scheduled_message_id.unlink()
                continue
            self.env[message.model].browse(message.res_id).check_access("write")
            message_sudo = message.message_id.sudo()
            queued = (
                self.env["mail.mail"]
                .sudo()
                .search([("mail_message_id", "=", message_sudo.id), ("state", "=", "outgoing")])
            )
            if queued:
                queued.cancel()
                message_sudo.notification_ids.filtered(
                    lambda n: n.notification_status == "ready"
                ).notification_status = "canceled"
            else:
                # posted, its notification waiting for the date: never sent, removed
                message_sudo.unlink()
        return True

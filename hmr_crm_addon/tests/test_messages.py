from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged, users
from odoo.tools import SQL, config, sql

from odoo.addons.sms.tools.sms_api import SmsApi

from .common import HmrCrmCommon


def _provider_delivers(self, messages, delivery_reports_url=False):
    """An SMS provider that takes every SMS."""
    return [
        {"uuid": number["uuid"], "state": "success", "credit": 1}
        for message in messages
        for number in message["numbers"]
    ]


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestMessages(HmrCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_email = cls.env.ref("hmr_crm_addon.mail_template_hmr_prospect_follow_up")
        cls.template_sms = cls.env.ref("hmr_crm_addon.sms_template_hmr_prospect_call_missed")
        cls.lead_exec_b = cls.env["crm.lead"].create(
            cls._prospect_values("Berta", "Blanco", cls.user_executive)
        )

    def _compose(self, leads, **values):
        return self.env["hmr.message.composer"].create({"lead_ids": [(6, 0, leads.ids)], **values})

    def _messages(self, leads):
        """The lines of the Messages tab of ``leads`` (a query: read afresh)."""
        self.env.flush_all()
        self.env["hmr.crm.message"].invalidate_model()
        return self.env["hmr.crm.message"].search([("lead_id", "in", leads.ids)])

    def _restrict_template_editing(self):
        """As a clinic that keeps template editing to its managers: the executives are
        no template editors."""
        self.env["ir.config_parameter"].sudo().set_param("mail.restrict.template.rendering", True)
        self.env.invalidate_all()

    def _sent_to(self, partner):
        return [mail for mail in self._mails if partner.email in str(mail["email_to"])]

    @users("hmr_exec")
    @freeze_time("2026-06-15 15:00:00")
    def test_email_now_to_many_from_template(self):
        """D7: one email per prospect from a template, sent now, rendered for each one,
        kept on their chatter and listed as sent in Messages."""
        leads = (self.lead_exec | self.lead_exec_b).with_user(self.env.user)
        composer = self._compose(leads, channel="email", mail_template_id=self.template_email.id)
        self.assertIn("about your hair restoration", composer.subject)
        with self.mock_mail_gateway():
            composer.action_send()
        for lead in leads:
            self.assertSentEmail(
                self.user_executive.partner_id,
                [lead.partner_id],
                body_content=f"Hello {lead.first_name},",
            )
        messages = self._messages(leads)
        self.assertEqual(len(messages), 2)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(set(messages.mapped("channel")), {"email"})
        self.assertEqual(messages.lead_id, leads)
        posted = self.lead_exec_b.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn("Hello Berta,", posted.body, "each prospect's own email on their chatter")

    @users("hmr_exec")
    def test_email_scheduled_for_a_date_and_time(self):
        """D7 (issue 11): an email scheduled for a date and time is an Odoo scheduled
        message: listed as scheduled, not in the prospect's chatter until Odoo's scheduler
        posts it at its time; then it is emailed and listed as sent."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.mock_datetime_and_now(datetime(2026, 6, 15, 15, 0)), self.mock_mail_gateway():
            composer = self._compose(
                lead,
                channel="email",
                mail_template_id=self.template_email.id,
                send_mode="scheduled",
                scheduled_at=datetime(2026, 6, 16, 14, 0),
            )
            text = str(composer.body)
            composer.body = text.replace("</div>", "<p>Hasta el martes.</p></div>", 1)
            composer.action_send()
            self.assertFalse(self._sent_to(lead.partner_id))
            message = self._messages(lead)
            self.assertRecordValues(
                message, [{"state": "scheduled", "scheduled_at": datetime(2026, 6, 16, 14, 0)}]
            )
            self.assertNotIn("Hasta el martes", "".join(lead.message_ids.mapped("body")))
            self.env["mail.scheduled.message"].sudo()._post_messages_cron()
            self.assertFalse(self._sent_to(lead.partner_id), "not before its time")
        cron = self.env.ref("mail.ir_cron_post_scheduled_message").sudo()
        self.assertIn(
            datetime(2026, 6, 16, 14, 0),
            self.env["ir.cron.trigger"]
            .sudo()
            .search([("cron_id", "=", cron.id)])
            .mapped("call_at"),
        )
        with self.mock_datetime_and_now(datetime(2026, 6, 16, 14, 1)), self.mock_mail_gateway():
            self.env["mail.scheduled.message"].sudo()._post_messages_cron()
            self.assertSentEmail(
                self.user_executive.partner_id, [lead.partner_id], body_content="Hasta el martes."
            )
        self.assertIn("Hasta el martes", "".join(lead.message_ids.mapped("body")))
        self.assertEqual(self._messages(lead).state, "sent")

    @users("hmr_exec")
    def test_edited_email_and_refusals(self):
        """D7 (issue 11): the executive (no template editor) changes the text the template
        wrote: the prospect gets exactly that text, never run as a template; a message
        without text or scheduled in the past is refused."""
        self._restrict_template_editing()
        self.assertFalse(self.env.user.has_group("mail.group_mail_template_editor"))
        lead = self.lead_exec.with_user(self.env.user)
        composer = self._compose(lead, channel="email", mail_template_id=self.template_email.id)
        composer.body = "<p>Hola Ana, le confirmo la cita del jueves {{ 1 + 1 }}.</p>"
        composer.subject = "Su cita {{ object.id }}"
        with self.mock_mail_gateway():
            composer.action_send()
        self.assertSentEmail(
            self.user_executive.partner_id,
            [lead.partner_id],
            subject="Su cita {{ object.id }}",
            body_content="Hola Ana, le confirmo la cita del jueves {{ 1 + 1 }}.",
        )
        with self.assertRaises(UserError):
            self._compose(lead, channel="sms", sms_body=False).action_send()
        with self.assertRaises(UserError):
            self._compose(
                lead,
                channel="sms",
                sms_body="Hola",
                send_mode="scheduled",
                scheduled_at=datetime(2020, 1, 1),
            ).action_send()

    @users("hmr_exec")
    def test_preview_is_written_for_the_prospect_in_their_language(self):
        """D7 (issue 11): the composer shows the template written for the prospect, in
        the prospect's language whatever the executive's (or the call's) language: no
        placeholder, their own name; sent as shown."""
        self.env["res.lang"].sudo()._activate_lang("es_MX")
        self.env["ir.module.module"].sudo().search(
            [("name", "=", "hmr_crm_addon")]
        )._update_translations("es_MX")
        lead = self.lead_exec_b.with_user(self.env.user).with_context(lang=None)
        lead.partner_id.sudo().lang = "es_MX"
        composer = self._compose(lead, channel="email", mail_template_id=self.template_email.id)
        self.assertNotIn("{{", composer.subject)
        self.assertNotIn("t-out", composer.body)
        self.assertIn("Hola Berta", composer.body)
        self.assertIn("Gracias por su interés", composer.body)
        self.assertNotIn("Ana", composer.body)
        with self.mock_mail_gateway():
            composer.action_send()
        self.assertSentEmail(
            self.user_executive.partner_id, [lead.partner_id], body_content="Hola Berta"
        )

    @users("hmr_exec")
    def test_several_prospects_each_get_their_own_text_unless_changed(self):
        """D7 (issue 11): to several prospects, the text left as the template wrote it is
        written for each one; a changed text goes to all as it is."""
        leads = (self.lead_exec | self.lead_exec_b).with_user(self.env.user)
        composer = self._compose(leads, channel="email", mail_template_id=self.template_email.id)
        self.assertEqual(composer.preview_lead_id, self.lead_exec)
        self.assertTrue(composer.preview_info)
        composer.body = "<p>Estimados pacientes: cerramos el lunes.</p>"
        with self.mock_mail_gateway():
            composer.action_send()
        for lead in leads:
            self.assertSentEmail(
                self.user_executive.partner_id,
                [lead.partner_id],
                body_content="Estimados pacientes: cerramos el lunes.",
            )

    @users("hmr_exec")
    def test_sms_without_provider_fails_visibly(self):
        """D7 (issue 11): an SMS with no SMS provider configured is not lost silently:
        the composer says it failed, it is failed in Messages, on the prospect's chatter
        (SMS error) and in sms.sms."""
        lead = self.lead_exec.with_user(self.env.user)
        composer = self._compose(lead, channel="sms", sms_template_id=self.template_sms.id)
        self.assertTrue(composer.sms_provider_missing)
        notice = composer.action_send()["params"]
        self.assertEqual(notice["type"], "danger", "never told it was sent")
        self.assertIn("failed", notice["message"])
        message = self._messages(lead)
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.channel, "sms")
        self.assertTrue(message.failure_type)
        self.assertEqual(
            message.failure,
            dict(message._fields["failure_type"]._description_selection(self.env))[
                message.failure_type
            ],
            "the Failure column: the SMS's failure type",
        )
        self.assertIn("Hello Ana", message.preview)
        notification = lead.message_ids.notification_ids.filtered(
            lambda n: n.notification_type == "sms"
        )
        self.assertEqual(notification.notification_status, "exception")
        self.assertTrue(lead.message_has_sms_error)
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "=", notification.mail_message_id.id)])
        )
        self.assertEqual(sms.state, "error")

    @users("hmr_exec")
    def test_sms_now_and_scheduled_through_the_provider(self):
        """D7: SMS go through the provider the clinic configured: sent now, or posted
        now and sent at their date by Odoo's scheduled notifications."""
        lead = self.lead_exec.with_user(self.env.user)
        with patch.object(SmsApi, "_send_sms_batch", _provider_delivers):
            notice = self._compose(
                lead, channel="sms", sms_template_id=self.template_sms.id
            ).action_send()["params"]
            self.assertEqual(notice["type"], "success")
            sent = self._messages(lead)
            self.assertEqual(sent.state, "sent")
            self.assertIn("Hello Ana", sent.preview)

            with self.mock_datetime_and_now(datetime(2026, 6, 15, 15, 0)):
                self._compose(
                    lead,
                    channel="sms",
                    sms_body="Mañana le llamamos",
                    send_mode="scheduled",
                    scheduled_at=datetime(2026, 6, 16, 14, 0),
                ).action_send()
                scheduled = self._messages(lead) - sent
                self.assertRecordValues(
                    scheduled,
                    [
                        {
                            "state": "scheduled",
                            "channel": "sms",
                            "scheduled_at": datetime(2026, 6, 16, 14, 0),
                        }
                    ],
                )
            with self.mock_datetime_and_now(datetime(2026, 6, 16, 14, 1)):
                self.env["mail.message.schedule"].sudo()._send_notifications_cron()
            self.assertEqual((self._messages(lead) - sent).state, "sent")

    @users("hmr_exec")
    def test_message_scheduled_from_the_chatter_is_listed(self):
        """D7: a message scheduled from the prospect's chatter (Odoo's composer,
        "Schedule") is listed as scheduled, and can be cancelled from the list."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.mock_datetime_and_now(datetime(2026, 6, 15, 15, 0)):
            composer = (
                self.env["mail.compose.message"]
                .with_context(default_model="crm.lead", default_res_ids=lead.ids)
                .create(
                    {
                        "body": "<p>Le confirmo la cita</p>",
                        "partner_ids": lead.partner_id.ids,
                        "scheduled_date": "2026-06-16 14:00:00",
                    }
                )
            )
            composer.action_schedule_message()
            message = self._messages(lead)
            self.assertRecordValues(
                message,
                [
                    {
                        "state": "scheduled",
                        "channel": "email",
                        "scheduled_at": datetime(2026, 6, 16, 14, 0),
                    }
                ],
            )
            message.action_cancel_schedule()
        self.assertFalse(self._messages(lead))
        self.assertFalse(self.env["mail.scheduled.message"].search([("res_id", "=", lead.id)]))

    @users("hmr_exec")
    def test_cancel_scheduled_email_and_sms(self):
        """D7: scheduled emails and SMS can be cancelled before they go out."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.mock_datetime_and_now(datetime(2026, 6, 15, 15, 0)), self.mock_mail_gateway():
            for channel in ("email", "sms"):
                self._compose(
                    lead,
                    channel=channel,
                    mail_template_id=self.template_email.id,
                    sms_body="Hola",
                    send_mode="scheduled",
                    scheduled_at=datetime(2026, 6, 16, 14, 0),
                ).action_send()
            messages = self._messages(lead)
            self.assertEqual(messages.mapped("state"), ["scheduled", "scheduled"])
            messages.action_cancel_schedule()
            self.assertFalse(self._messages(lead), "never sent: removed, as Odoo does")
        with self.mock_datetime_and_now(datetime(2026, 6, 16, 14, 1)), self.mock_mail_gateway():
            self.env["mail.scheduled.message"].sudo()._post_messages_cron()
            self.env["mail.mail"].sudo().process_email_queue()
            self.env["mail.message.schedule"].sudo()._send_notifications_cron()
            self.assertFalse(self._sent_to(lead.partner_id))
        self.assertFalse(
            self.env["sms.sms"].sudo().search([("partner_id", "=", lead.partner_id.id)])
        )

    def test_messages_are_read_by_a_query(self):
        """D7: the Messages tab is a query on Odoo's messages, as Odoo's own reports
        are: no database view to keep, none left on an upgraded database."""
        self.assertIsInstance(self.env["hmr.crm.message"]._table_query, SQL)
        self.assertIsNone(sql.table_kind(self.env.cr, "hmr_crm_message"))

    def test_messages_follow_the_prospect_rights(self):
        """C2, D7: an executive sees the messages of their own prospects only; a
        manager sees all of them; a doctor none."""
        with self.mock_mail_gateway():
            self._compose(
                self.lead_exec | self.lead_exec_2,
                channel="email",
                mail_template_id=self.template_email.id,
            ).action_send()
        self.env.flush_all()
        leads = self.lead_exec | self.lead_exec_2
        Message = self.env["hmr.crm.message"]
        domain = [("lead_id", "in", leads.ids)]
        self.assertEqual(
            Message.with_user(self.user_executive).search(domain).lead_id, self.lead_exec
        )
        self.assertEqual(Message.with_user(self.user_manager).search(domain).lead_id, leads)
        with self.assertRaises(AccessError):
            Message.with_user(self.user_doctor).search(domain)

    def test_delivery_warnings(self):
        """D7 (issue 11): the banners say when no outgoing mail server or no SMS provider
        is configured, and stop saying it once one is."""
        Message = self.env["hmr.crm.message"].with_user(self.user_executive)
        self.env["ir.mail_server"].search([]).active = False
        with patch.dict(config.options, {"smtp_server": "localhost"}):
            self.assertEqual(
                Message.get_delivery_warnings(),
                {"mail_server_missing": True, "sms_provider_missing": True},
            )
            self.env["ir.mail_server"].create(
                {"name": "Clinic", "smtp_host": "smtp.example.mx", "smtp_port": 587}
            )
            self.env["iap.account"].create(
                {
                    "service_id": self.env["iap.service"]
                    .search([("technical_name", "=", "sms")], limit=1)
                    .id,
                    "state": "registered",
                }
            )
            self.assertEqual(
                Message.get_delivery_warnings(),
                {"mail_server_missing": False, "sms_provider_missing": False},
            )

    @users("hmr_exec")
    def test_bounced_email_reads_bounced(self):
        """D7 (issue 11): an email the prospect's mail server bounced is listed bounced,
        with its reason."""
        lead = self.lead_exec.with_user(self.env.user)
        with self.mock_mail_gateway():
            self._compose(
                lead, channel="email", mail_template_id=self.template_email.id
            ).action_send()
        notification = lead.message_ids.sudo().notification_ids.filtered(
            lambda n: n.res_partner_id == lead.partner_id
        )
        notification.write(
            {
                "notification_status": "bounce",
                "failure_type": "mail_bounce",
                "failure_reason": "550 mailbox unknown",
            }
        )
        self.assertRecordValues(
            self._messages(lead),
            [
                {
                    "state": "bounced",
                    "failure_reason": "550 mailbox unknown",
                    "failure": "Bounce",
                }
            ],
        )

    @users("hmr_exec")
    def test_failure_of_an_email_without_failure_type_shows_its_reason(self):
        """D7 (issue 11): an email of a template the queue could not hand to any mail
        server (Odoo gives it a reason, "Connection refused", and no failure type) shows
        that reason in the Failure column of the Messages tab."""
        lead = self.lead_exec.with_user(self.env.user)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "model": "crm.lead",
                    "res_id": lead.id,
                    "subject": "Recibimos su respuesta",
                    "body_html": "<p>Gracias por su respuesta.</p>",
                    "recipient_ids": [(6, 0, lead.partner_id.ids)],
                }
            )
        )
        mail.write({"state": "exception", "failure_reason": "111 Connection refused"})
        self.assertRecordValues(
            self._messages(lead),
            [
                {
                    "state": "failed",
                    "failure_type": False,
                    "failure_reason": "111 Connection refused",
                    "failure": "111 Connection refused",
                }
            ],
        )

    @users("hmr_exec")
    def test_no_template_code_before_a_prospect_is_chosen(self):
        """D7 (issue 11): opened from the Messages tab, before any prospect is chosen, the
        composer shows no template code; choosing one writes the text for them."""
        composer = self.env["hmr.message.composer"].new(
            {"channel": "email", "mail_template_id": self.template_email.id}
        )
        self.assertFalse(composer.body)
        self.assertFalse(composer.subject)
        composer.lead_ids = self.lead_exec.with_user(self.env.user)
        self.assertIn("Hello Ana,", composer.body)
        self.assertNotIn("{{", composer.subject)

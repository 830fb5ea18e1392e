import ast
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_photos")
class TestHmrMessages(HmrTreatmentsCommon):
    """D7, C12, S1.3 (issue 11): what the clinic's templates send prospects is in their
    Messages; the manager edits every template the clinic sends; a photo step sends the
    reminders it counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_photo_case()

    def _messages(self, lead):
        self.env.flush_all()
        self.env["hmr.crm.message"].invalidate_model()
        return self.env["hmr.crm.message"].search([("lead_id", "=", lead.id)])

    def test_photo_reminder_is_listed_in_messages(self):
        """D7, S1.3 (issue 11): the photo reminder is kept once sent and listed in the
        prospect's Messages (sent), for the executive of the prospect."""
        with self.mock_mail_gateway():
            self.case._send_photo_reminders()
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(self._new_mails.recipient_ids, self.case.partner_id)
        messages = self._messages(self.case.lead_id).with_user(self.user_executive)
        reminder = messages.filtered(lambda m: m.model == "hmr.treatment.case")
        self.assertEqual(len(reminder), 1)
        self.assertRecordValues(
            reminder, [{"state": "sent", "channel": "email", "res_id": self.case.id}]
        )
        self.assertEqual(reminder.user_id, self.user_executive)

    def test_failed_reminder_reads_failed(self):
        """D7 (issue 11): a reminder the mail server refused is listed failed, with its
        reason."""
        self.case._send_photo_reminders()
        refused = OSError("Connection refused")
        with patch.object(type(self.env["ir.mail_server"]), "_connect__", side_effect=refused):
            self.env["mail.mail"].sudo().process_email_queue()
        reminder = self._messages(self.case.lead_id).filtered(
            lambda m: m.model == "hmr.treatment.case"
        )
        self.assertEqual(reminder.state, "failed")
        self.assertIn("Connection refused", reminder.failure_reason)

    def test_photo_step_needs_its_reminder_template(self):
        """S1.3, S4 (issue 11): a photo step that sends reminders has their email; one
        that sends none says so (no reminder) and counts none."""
        with self.assertRaises(ValidationError):
            self.photo_step.reminder_template_id = False
        self.photo_step.write({"reminder_max_count": 0, "reminder_template_id": False})
        with self.mock_mail_gateway():
            self.case._send_photo_reminders()
        self.assertEqual(self.case.photo_reminder_count, 0)
        self.assertFalse(self._new_mails)
        process = self.env["hmr.process"].create({"name": "Beard"})
        new_step = self.env["hmr.process.step"].create(
            {"process_id": process.id, "name": "Photos", "kind": "photos"}
        )
        self.assertEqual(new_step.reminder_template_id, self.reminder_template)

    def test_manager_templates_menu_holds_every_template_sent(self):
        """C12, D7 (issue 11): the manager's Email Templates menu lists the photo
        reminder, the web acknowledgment and the executives' digest."""
        action = self.env.ref("hmr_crm_addon.mail_template_action_hmr")
        domain = ast.literal_eval(action.domain)
        templates = self.env["mail.template"].with_user(self.user_manager).search(domain)
        for xmlid in (
            "mail_template_hmr_photo_reminder",
            "mail_template_hmr_web_acknowledgment",
            "mail_template_hmr_incomplete_digest",
            "mail_template_hmr_quote_send",
        ):
            self.assertIn(self.env.ref(f"hmr_treatments_addon.{xmlid}"), templates)
        odoo_user_templates = self.env["mail.template"].search(
            [("model", "=", "res.users")]
        ) - self.env.ref("hmr_treatments_addon.mail_template_hmr_incomplete_digest")
        self.assertFalse(odoo_user_templates & templates, "Odoo's own user emails stay out")

from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """S3.4: the executive's follow-up activity of an accepted quote, once done, is
        the follow-up that stops the 24-hour alert."""
        follow_up_type = self.env.ref(
            "hmr_treatments_addon.mail_activity_type_hmr_follow_up", raise_if_not_found=False
        )
        order_ids = [
            activity.res_id
            for activity in self
            if activity.res_model == "sale.order" and activity.activity_type_id == follow_up_type
        ]
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if order_ids:
            self.env["sale.order"].browse(order_ids)._hmr_mark_followed_up()
        return res

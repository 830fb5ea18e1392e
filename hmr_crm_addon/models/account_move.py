from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """A posted invoice needs posting no more: the manager's "post the invoice"
        activity is done, whoever posted it (as Odoo closes its own automated
        activities)."""
        posted = super()._post(soft=soft)
        posted.activity_feedback(["hmr_crm_addon.mail_activity_type_post_invoice"])
        return posted

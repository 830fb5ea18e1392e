from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """A posted invoice needs posting no more: the manager's "post the invoice"
        activity is done, whoever posted it (as Odoo closes its own automated
        activities). An invoice is dated on the clinic's day, whoever posts it."""
        clinic = self.with_context(tz=self.company_id[:1]._hmr_get_tz())
        posted = super(AccountMove, clinic)._post(soft=soft).with_env(self.env)
        posted.activity_feedback(["hmr_crm_addon.mail_activity_type_post_invoice"])
        return posted

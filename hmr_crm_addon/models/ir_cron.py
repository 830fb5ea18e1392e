from odoo import api, models


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _hmr_process_batches(self, model, domain, method, *args, batch_size=None, order="id"):
        """Call ``method`` on the records of ``model`` matching ``domain`` in batches of
        ``mail.batch_size``, each locked (skipping those a user is editing), checked again
        and committed with its progress. False when the job ran out of time."""
        batch_size = batch_size or (
            int(self.env["ir.config_parameter"].sudo().get_param("mail.batch_size") or 0) or 50
        )
        while records := model.search(domain, limit=batch_size, order=order):
            records = records.try_lock_for_update().filtered_domain(domain)
            if not records:
                break
            getattr(records, method)(*args)
            if not self._commit_progress(len(records), remaining=model.search_count(domain)):
                return False
        return True

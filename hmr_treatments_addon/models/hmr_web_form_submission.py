import hashlib
from datetime import timedelta

from odoo import api, fields, models

RATE_LIMIT_PARAM = "hmr_treatments_addon.web_form_rate_limit"
DEFAULT_RATE_LIMIT = 5
"""Requests accepted from one address per hour on the public form (B1)."""


class HmrWebFormSubmission(models.Model):
    """One request sent through the public web form, kept an hour to limit how many one
    address may send (B1). Only a keyed digest of the address is kept, never the address."""

    _name = "hmr.web.form.submission"
    _description = "Web Form Submission"
    _log_access = False

    client_key = fields.Char(required=True, index=True)
    sent_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    @api.model
    def _get_client_key(self, address):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "")
        return hashlib.sha256(f"{secret}:{address or ''}".encode()).hexdigest()

    @api.model
    def _hmr_register_request(self, address):
        """Count a request of ``address``; return ``False`` when it is over the limit
        (the request is then refused and not counted)."""
        limit = int(
            self.env["ir.config_parameter"].sudo().get_param(RATE_LIMIT_PARAM, DEFAULT_RATE_LIMIT)
        )
        key = self._get_client_key(address)
        since = fields.Datetime.now() - timedelta(hours=1)
        if self.sudo().search_count([("client_key", "=", key), ("sent_at", ">=", since)]) >= limit:
            return False
        self.sudo().create({"client_key": key})
        return True

    @api.autovacuum
    def _gc_old_submissions(self):
        self.sudo().search([("sent_at", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()

import hashlib
from datetime import timedelta

from odoo import api, fields, models

RATE_LIMIT_PARAM = "hmr_treatments_addon.web_form_rate_limit"
DEFAULT_RATE_LIMIT = 5
"""Requests accepted (prospects created) from one address per hour on the public form (B1)."""
FLOOD_LIMIT_PARAM = "hmr_treatments_addon.web_form_flood_limit"
DEFAULT_FLOOD_LIMIT = 20
"""Requests of any kind (valid or not) from one address per minute: more is a flood."""
FLOOD_WINDOW = timedelta(minutes=1)


class HmrWebFormSubmission(models.Model):
    """One request sent through the public web form, kept a day to limit how many one
    address may send (B1). Only a keyed digest of the address is kept, never the address.

    Two limits, so that typos never lock out everyone behind one address (a clinic's
    Wi-Fi, a carrier's NAT): the prospects created per hour count only the ``accepted``
    requests; every request counts against a short, higher limit that stops a flood."""

    _name = "hmr.web.form.submission"
    _description = "Web Form Submission"
    _log_access = False

    client_key = fields.Char(required=True, index=True)
    sent_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    accepted = fields.Boolean(help="The request created a prospect.")

    @api.model
    def _get_client_key(self, address):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "")
        return hashlib.sha256(f"{secret}:{address or ''}".encode()).hexdigest()

    def _get_limit(self, param, default):
        return int(self.env["ir.config_parameter"].sudo().get_param(param, default))

    @api.model
    def _hmr_register_request(self, address):
        """Count a request of ``address``: return it (a record, to mark ``accepted`` once
        the prospect is created), or an empty recordset when the address is over a limit
        (the request is then refused and not counted)."""
        key = self._get_client_key(address)
        now = fields.Datetime.now()
        mine = [("client_key", "=", key)]
        flood = self.sudo().search_count([*mine, ("sent_at", ">=", now - FLOOD_WINDOW)])
        if flood >= self._get_limit(FLOOD_LIMIT_PARAM, DEFAULT_FLOOD_LIMIT):
            return self.browse()
        accepted = self.sudo().search_count(
            [*mine, ("accepted", "=", True), ("sent_at", ">=", now - timedelta(hours=1))]
        )
        if accepted >= self._get_limit(RATE_LIMIT_PARAM, DEFAULT_RATE_LIMIT):
            return self.browse()
        return self.sudo().create({"client_key": key})

    def _hmr_mark_accepted(self):
        self.sudo().write({"accepted": True})

    @api.autovacuum
    def _gc_old_submissions(self):
        self.sudo().search([("sent_at", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()

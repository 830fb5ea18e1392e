from odoo import fields, models


class ResCompany(models.Model):
    """The clinic's own clock: its deadlines and dates follow the clinic's day, whoever
    looks at them (an anonymous visitor has no timezone, the server runs on UTC)."""

    _inherit = "res.company"

    def _hmr_get_tz(self):
        """The clinic's timezone: its address's (the company's contact), as Odoo's own
        stock, purchase and loyalty programs read a company's time (a company has no
        timezone field of its own); UTC when it is not set."""
        company = self[:1] or self.env.company
        return company.sudo().partner_id.tz or "UTC"

    def _hmr_get_date(self, timestamp=None):
        """The clinic's date at ``timestamp`` (a UTC datetime, by default now)."""
        company = self[:1] or self.env.company
        return fields.Date.context_today(company.with_context(tz=company._hmr_get_tz()), timestamp)

from odoo import models


class UtmSource(models.Model):
    """Contact sources (C7) are Odoo's UTM sources; one used by prospects is kept."""

    _name = "utm.source"
    _inherit = ["utm.source", "hmr.catalog.mixin"]

    def _get_usage_fields(self):
        return [("crm.lead", "source_id")]

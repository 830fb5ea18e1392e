from odoo import fields, models


class UtmSource(models.Model):
    """Contact sources (C7) are Odoo's UTM sources; one used by prospects is kept."""

    _name = "utm.source"
    _inherit = ["utm.source", "hmr.catalog.mixin"]

    # as utm.campaign: a clinic archives the sources it never uses (utm finds archived
    # sources by name too, see utm.mixin._find_or_create_record)
    active = fields.Boolean(default=True)
    # a source is read by staff in their own language ("Website" / "Sitio web"), as every
    # other catalog of the clinic
    name = fields.Char(translate=True)

    def _get_usage_fields(self):
        return [("crm.lead", "source_id")]

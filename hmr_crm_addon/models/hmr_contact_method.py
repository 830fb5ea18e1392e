from odoo import fields, models


class HmrContactMethod(models.Model):
    _name = "hmr.contact.method"
    _inherit = ["hmr.catalog.mixin"]
    _description = "Contact Method"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    channel = fields.Selection(
        [
            ("phone", "Phone call"),
            ("whatsapp", "WhatsApp"),
            ("email", "Email"),
            ("sms", "SMS"),
            ("in_person", "In person"),
            ("other", "Other"),
        ],
        required=True,
        default="other",
        help="How the clinic reaches prospects through this method.",
    )

    _name_uniq = models.Constraint("unique(name)", "This contact method already exists.")

    def _get_usage_fields(self):
        return [("crm.lead", "contact_method_id")]

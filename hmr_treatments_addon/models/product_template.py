from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    hmr_quantity_from_grafts = fields.Boolean(
        string="Quoted per Graft",
        help="On a case's quote, the quantity is the doctor's estimate of grafts.",
    )

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hmr_unassigned_prospects_visible = fields.Boolean(
        related="company_id.hmr_unassigned_prospects_visible", readonly=False
    )

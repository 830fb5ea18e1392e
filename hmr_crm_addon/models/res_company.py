from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    hmr_unassigned_prospects_visible = fields.Boolean(
        string="Executives see unassigned prospects",
        help="Sales executives see and edit the prospects nobody is assigned to, "
        "besides their own.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "hmr_unassigned_prospects_visible" in vals:
            # the personal-prospects record rule reads this flag: its cached domain is stale
            self.env.registry.clear_cache()
        return res

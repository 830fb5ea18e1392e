from odoo import fields, models

from .hmr_arco_request import DEFAULT_RETENTION_DAYS, RETENTION_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hmr_arco_retention_days = fields.Integer(
        string="Keep Cancelled Data (days)",
        config_parameter=RETENTION_PARAM,
        default=DEFAULT_RETENTION_DAYS,
        help="A prospect who cancelled their data has it blocked at once; after these days "
        "it is anonymised (a patient's clinical record and invoices are kept).",
    )

    def _hmr_get_clinic_fields(self):
        # the clinic's managers set the retention of cancelled data too
        return [*super()._hmr_get_clinic_fields(), "hmr_arco_retention_days"]

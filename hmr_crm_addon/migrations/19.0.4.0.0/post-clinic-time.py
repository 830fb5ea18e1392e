"""The acceptance date of a quote is the clinic's day: the stored dates, computed on the
day of whoever accepted (UTC for a prospect's visit), are computed again."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    orders = env["sale.order"].search([("hmr_accepted_on", "!=", False)])
    env.add_to_compute(orders._fields["hmr_accepted_on"], orders)
    orders._recompute_recordset(["hmr_accepted_on"])

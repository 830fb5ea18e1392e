from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # the deals whose quote was sent before their expected revenue followed it
    quotes = env["sale.order"].search([("state", "=", "sent"), ("opportunity_id", "!=", False)])
    quotes._hmr_update_deal_revenue()

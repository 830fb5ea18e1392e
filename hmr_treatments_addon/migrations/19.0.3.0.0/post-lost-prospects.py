from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # prospects lost before a loss closed their cases kept them open (and their photo
    # reminders going): they are closed now as losing a prospect closes them, and reopen
    # when the prospect is restored
    lost = env["crm.lead"].with_context(active_test=False).search([("won_status", "=", "lost")])
    lost._hmr_on_lost()

from odoo import SUPERUSER_ID, api
from odoo.tools import sql


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # the quote status is read from the order now: quotes marked finished by hand, or
    # whose invoices are still drafts, take the status their order gives
    orders = env["sale.order"].with_context(active_test=False).search([])
    env.add_to_compute(orders._fields["hmr_quote_status"], orders)
    orders.flush_recordset(["hmr_quote_status"])
    # the prospect messages are a query now (_table_query): the database view they
    # were read from would be left behind, holding on to the columns it reads
    sql.drop_view_if_exists(cr, "hmr_crm_message")

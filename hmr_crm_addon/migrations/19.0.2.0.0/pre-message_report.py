from odoo.tools import sql


def migrate(cr, version):
    # the prospect messages are a query now (_table_query): the database view they
    # were read from would be left behind, holding on to the columns it reads
    sql.drop_view_if_exists(cr, "hmr_crm_message")

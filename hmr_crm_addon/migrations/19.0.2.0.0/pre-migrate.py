"""19.0.2.0.0: DriCloud's statuses become the pipeline's stages (see post-migrate.py).

Before the models load: the funnel is no SQL view any more (it reads the stage tracking),
and the deal status, once a hand-set field, is computed from now on: dropping its column
makes Odoo compute it for every prospect."""

from odoo.tools import SQL, sql


def migrate(cr, version):
    sql.drop_view_if_exists(cr, "hmr_crm_funnel_report")
    if sql.column_exists(cr, "crm_lead", "deal_status"):
        cr.execute(SQL("ALTER TABLE crm_lead DROP COLUMN deal_status"))

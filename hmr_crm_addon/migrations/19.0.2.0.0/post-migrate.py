"""19.0.2.0.0: DriCloud's statuses become the pipeline's stages.

Odoo's stages get their tags and names (the data file is noupdate: an update alone would
skip the stages that exist). Each prospect moves to the stage tagged with its former
``crm_status``; "not interested" becomes Odoo's lost (with the "Not interested" reason),
in the stage it was in. The stage tracking in the chatter is the status history from now
on: the old history table goes (the old columns are dropped by Odoo with their fields)."""

from collections import defaultdict

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, sql
from odoo.tools.convert import convert_file

LOST = "lost"


def get_migration_target(crm_status):
    """Where a prospect with the former ``crm_status`` goes: the tag of its stage, or
    ``LOST`` (Odoo's lost, stage unchanged)."""
    if crm_status == "not_interested":
        return LOST
    return crm_status


def migrate(cr, version):
    # no chatter noise: the migration is no change of the prospects' fate
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "active_test": False})
    convert_file(env, "hmr_crm_addon", "data/crm_stage_data.xml", None, mode="init", noupdate=True)
    cr.execute(SQL("DROP TABLE IF EXISTS hmr_crm_status_history CASCADE"))
    if sql.column_exists(cr, "crm_lead", "crm_status"):
        move_prospects_to_stages(env)


def move_prospects_to_stages(env):
    cr = env.cr
    cr.execute("SELECT id, crm_status FROM crm_lead WHERE crm_status IS NOT NULL")
    ids_by_target = defaultdict(list)
    for lead_id, crm_status in cr.fetchall():
        ids_by_target[get_migration_target(crm_status)].append(lead_id)
    Lead = env["crm.lead"]
    lost = Lead.browse(ids_by_target.pop(LOST, [])).filtered(
        lambda lead: lead.won_status != "lost" or not lead.lost_reason_id
    )
    lost.action_set_lost(lost_reason_id=env.ref("hmr_crm_addon.crm_lost_reason_not_interested").id)
    for status, lead_ids in ids_by_target.items():
        Lead.browse(lead_ids).filtered(lambda lead: lead.type == "opportunity")._hmr_set_status(
            status
        )

"""19.0.2.0.0: the rules that read the removed user field ``hmr_sees_unassigned_prospects`` get
their new domains (Odoo's salesman rules their original ones); the former per-company flag
becomes the setting's group; the manager no longer implies Odoo's technical settings."""

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import sql

RULE_DOMAINS = {
    # as crm/security/crm_security.xml and sale/security/ir_rules.xml define them
    "crm.crm_rule_personal_lead": "['|',('user_id','=',user.id),('user_id','=',False)]",
    "sale.sale_order_personal_rule": "['|',('user_id','=',user.id),('user_id','=',False)]",
    "sale.sale_order_line_personal_rule": "['|',('salesman_id','=',user.id),"
    "('salesman_id','=',False)]",
    # the addons' own, noupdate
    "hmr_crm_addon.hmr_call_rule_executive": "[('lead_id.user_id', '=', user.id)]",
    "hmr_crm_addon.hmr_crm_message_rule_executive": "[('user_id', '=', user.id)]",
    "hmr_treatments_addon.hmr_treatment_case_rule_executive": "[('lead_id.user_id', '=', user.id)]",
}


def restore_rules(cr):
    """In SQL (the treatments addon is not loaded yet), and only the rules as the addons wrote
    them: an administrator's own change stays."""
    for xmlid, domain in RULE_DOMAINS.items():
        cr.execute(
            """UPDATE ir_rule r SET domain_force = %s FROM ir_model_data d
                WHERE d.model = 'ir.rule' AND d.res_id = r.id AND d.module || '.' || d.name = %s
                  AND r.domain_force LIKE '%%hmr_sees_unassigned_prospects%%'""",
            (domain, xmlid),
        )


def migrate(cr, version):
    restore_rules(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    manager = env.ref("hmr_crm_addon.group_hmr_manager")
    manager.implied_ids = [Command.unlink(env.ref("base.group_system").id)]
    if sql.column_exists(cr, "res_company", "hmr_unassigned_prospects_visible"):
        cr.execute("SELECT 1 FROM res_company WHERE hmr_unassigned_prospects_visible LIMIT 1")
        if cr.rowcount:  # executives keep seeing the unassigned prospects
            executive = env.ref("hmr_crm_addon.group_hmr_executive")
            executive._apply_group(env.ref("hmr_crm_addon.group_hmr_see_unassigned"))

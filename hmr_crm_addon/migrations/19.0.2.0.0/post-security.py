"""19.0.2.0.0: the record rules that read the removed user field ``hmr_sees_unassigned_prospects``
get their new domains: Odoo's salesman rules, which the addon used to rewrite, their original
ones (the addons now narrow them with rules of their own), and the addons' ``noupdate`` rules
the ones of their data. The former per-company flag becomes the setting's group; the clinic's
manager no longer implies Odoo's technical settings."""

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import sql

RULE_DOMAINS = {
    # as crm/security/crm_security.xml and sale/security/ir_rules.xml define them
    "crm.crm_rule_personal_lead": "['|',('user_id','=',user.id),('user_id','=',False)]",
    "sale.sale_order_personal_rule": "['|',('user_id','=',user.id),('user_id','=',False)]",
    "sale.sale_order_line_personal_rule": (
        "['|',('salesman_id','=',user.id),('salesman_id','=',False)]"
    ),
    "hmr_crm_addon.hmr_call_rule_executive": "[('lead_id.user_id', '=', user.id)]",
    "hmr_crm_addon.hmr_crm_message_rule_executive": "[('user_id', '=', user.id)]",
    "hmr_treatments_addon.hmr_treatment_case_rule_executive": "[('lead_id.user_id', '=', user.id)]",
}


def restore_rules(env):
    """Only the rules as the addons wrote them: an administrator's own change stays. In SQL:
    the treatments addon's models are not loaded yet."""
    for xmlid, domain in RULE_DOMAINS.items():
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule:
            env.cr.execute(
                "UPDATE ir_rule SET domain_force = %s"
                " WHERE id = %s AND domain_force LIKE '%%hmr_sees_unassigned_prospects%%'",
                (domain, rule.id),
            )


def keep_unassigned_prospects_visible(env):
    """Executives keep seeing the unassigned prospects if a company let them."""
    if not sql.column_exists(env.cr, "res_company", "hmr_unassigned_prospects_visible"):
        return
    env.cr.execute("SELECT 1 FROM res_company WHERE hmr_unassigned_prospects_visible LIMIT 1")
    if env.cr.rowcount:
        env.ref("hmr_crm_addon.group_hmr_executive")._apply_group(
            env.ref("hmr_crm_addon.group_hmr_see_unassigned")
        )


def drop_settings_from_manager(env):
    env.ref("hmr_crm_addon.group_hmr_manager").implied_ids = [
        Command.unlink(env.ref("base.group_system").id)
    ]


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    restore_rules(env)
    keep_unassigned_prospects_visible(env)
    drop_settings_from_manager(env)

"""The prospects' assessing doctors, their record rule and the doctor workload menu
and action moved from HMR CRM to this addon: their records change owner, keeping their
ids (and the relation table keeps its rows)."""

# (name in hmr_crm_addon, name in hmr_treatments_addon)
MOVED_XMLIDS = [
    ("crm_lead_rule_hmr_doctor", "crm_lead_rule_hmr_doctor"),
    ("hmr_crm_doctor_report_action", "hmr_assessment_action_workload"),
    ("hmr_menu_reporting_doctors", "hmr_menu_reporting_doctors"),
]


def migrate(cr, version):
    for old_name, new_name in MOVED_XMLIDS:
        cr.execute(
            """
            UPDATE ir_model_data
               SET module = 'hmr_treatments_addon', name = %s
             WHERE module = 'hmr_crm_addon' AND name = %s
            """,
            [new_name, old_name],
        )
    # uninstalling this addon drops the table, as it would any of its own
    cr.execute(
        """
        UPDATE ir_model_relation
           SET module = (SELECT id FROM ir_module_module WHERE name = 'hmr_treatments_addon')
         WHERE name = 'crm_lead_hmr_doctor_rel'
        """
    )

"""A prospect's portal account reads the cases of their own contact only, no longer those
of the company the staff may have put them under (a family, colleagues). The rule is
noupdate data: the update does not change it by itself. The old links of the cases whose
contact was replaced before cannot be told apart: they keep working until the next change."""

PORTAL_RULE_DOMAIN = "[('partner_id', '=', user.partner_id.id)]"


def migrate(cr, version):
    cr.execute(
        """
        UPDATE ir_rule
           SET domain_force = %s
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'hmr_treatments_addon' AND model = 'ir.rule'
                         AND name = 'hmr_treatment_case_rule_portal')
        """,
        [PORTAL_RULE_DOMAIN],
    )

"""The emails the clinic's templates send prospects are kept once sent (the Messages tab
lists them); a photo step that had no reminder template never sent a reminder: it now
says so (no reminder), as the new rule requires. The templates are noupdate data: the
update does not change them by itself."""

KEPT_TEMPLATES = [
    "mail_template_hmr_photo_reminder",
    "mail_template_hmr_web_acknowledgment",
    "mail_template_hmr_quote_accepted",
    "mail_template_hmr_quote_rejected",
    "mail_template_hmr_quote_talk",
]


def migrate(cr, version):
    cr.execute(
        """
        UPDATE mail_template
           SET auto_delete = FALSE
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'hmr_treatments_addon' AND model = 'mail.template'
                         AND name IN %s)
        """,
        [tuple(KEPT_TEMPLATES)],
    )
    cr.execute(
        """
        UPDATE hmr_process_step
           SET reminder_max_count = 0
         WHERE kind = 'photos' AND reminder_template_id IS NULL AND reminder_max_count > 0
        """
    )

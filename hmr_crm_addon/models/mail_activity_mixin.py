from odoo import models
from odoo.tools import plaintext2html


class MailActivityMixin(models.AbstractModel):
    _inherit = "mail.activity.mixin"

    def _hmr_activity_schedule(self, act_type_xmlid, user, summary=None, note=None, **act_values):
        """Schedule on each record an activity for ``user``, written in ``user``'s
        language whoever schedules it, by the clinic (see ``mail.thread``'s
        ``_hmr_as_clinic``; the models using it have a chatter).

        Odoo writes an activity's summary and note once, at creation, in the creator's
        language (the activity type's default summary included); only its "assigned to
        you" mail follows the assignee's. ``summary`` and ``note`` are lazy translations
        or functions of the record (see ``_hmr_render_text``); ``note`` is plain text,
        escaped here (it may hold what a prospect typed). Records with the same texts
        are scheduled in one batch.

        :return: the activities (sudo)
        """
        records = self._hmr_as_clinic()._hmr_with_lang_of(user)
        batches = {}
        for record in records:
            texts = (record._hmr_render_text(summary), record._hmr_render_text(note))
            batches.setdefault(texts, []).append(record.id)
        activities = self.env["mail.activity"].sudo()
        for (summary_text, note_text), ids in batches.items():
            scheduled = records.browse(ids).activity_schedule(
                act_type_xmlid,
                summary=summary_text,
                note=plaintext2html(note_text) if note_text else "",
                user_id=user.id,
                **act_values,
            )
            if scheduled:
                # the document's name, stored, in the user's language too (not in that
                # of whichever environment flushes next: a scheduled job's, say)
                scheduled.flush_recordset(["res_name"])
                activities |= scheduled
        return activities

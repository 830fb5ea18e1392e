from odoo import SUPERUSER_ID, models
from odoo.tools import plaintext2html
from odoo.tools.translate import LazyGettext


class MailThread(models.AbstractModel):
    """What the clinic writes for a person (activities, notifications, notes) is written
    in that person's language, whoever triggers it: a scheduled action running as OdooBot
    in English, a visitor of the website, a colleague speaking another language.

    Odoo stores a message's body and an activity's summary and note as plain text,
    rendered once in the language of the environment that writes them. The texts given
    to the helpers below are therefore not strings but lazy translations (``_lt(...)``,
    arguments included) or functions of the record returning the text (for texts naming
    the record, whose name may be translated too), rendered for each reader."""

    _inherit = "mail.thread"

    def _hmr_as_clinic(self):
        """``self`` for what the clinic does on its own account (a case moving on, the
        staff told of a prospect's answer), with all rights. When a visitor of the website
        or a prospect triggers it, it is done as OdooBot, the author of everything Odoo's
        scheduled actions do: what it writes is never authored by the public user (who
        has no address) nor by the prospect. Staff who trigger it stay its author, as in
        Odoo."""
        if self.env.user.share:
            return self.with_user(SUPERUSER_ID).with_company(self.env.company)
        return self.sudo()

    def _hmr_with_lang_of(self, reader):
        """``self`` in the language of ``reader`` (a user or a contact); the current one
        when they have none, as Odoo's activity notification does."""
        return self.with_context(lang=reader.lang) if reader.lang else self

    def _hmr_render_text(self, text):
        """The text in the language of ``self``'s environment: ``text`` is a lazy
        translation, or a function of the record (``self``) returning the text."""
        if callable(text):
            return text(self)
        if isinstance(text, LazyGettext):
            return self.env._(text)
        return text or ""

    def _hmr_notify_in_lang(self, partners, subject, body, model_description=None, **kwargs):
        """Notify ``partners`` of this record, each in their own language, from the clinic
        (see ``_hmr_as_clinic``): one message per language, so that telling twenty
        doctors costs what telling two does while each reads their language. ``body`` is
        plain text (escaped here); ``subject``, ``body`` and ``model_description`` are
        texts as ``_hmr_render_text`` takes them."""
        self.ensure_one()
        record = self._hmr_as_clinic()
        messages = self.env["mail.message"]
        for lang, readers in partners.grouped("lang").items():
            record_lang = record.with_context(lang=lang) if lang else record
            values = dict(kwargs)
            if model_description:
                values["model_description"] = record_lang._hmr_render_text(model_description)
            messages |= record_lang.message_notify(
                partner_ids=readers.ids,
                subject=record_lang._hmr_render_text(subject),
                body=plaintext2html(record_lang._hmr_render_text(body)),
                **values,
            )
        return messages

from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

HMR_ADDONS = ("hmr_crm_addon", "hmr_treatments_addon")


@tagged("post_install", "-at_install", "hmr_i18n")
class TestSpanishTranslations(TransactionCase):
    def test_every_string_has_its_es_mx_translation(self):
        """B8: every translatable string of both addons (fields, views, menus, data, mail
        templates, Python and JavaScript messages), as Odoo itself would export it, has a
        non-empty translation in the addon's i18n/es_MX.po."""
        self.env["res.lang"]._activate_lang("es_MX")
        for module in HMR_ADDONS:
            with self.subTest(module=module):
                po_path = Path(get_module_path(module)) / "i18n" / "es_MX.po"
                translated = {
                    entry.msgid
                    for entry in polib.pofile(str(po_path))
                    if entry.msgstr.strip() and not entry.obsolete
                }
                reader = TranslationModuleReader(self.env.cr, modules=[module], lang="es_MX")
                sources = {source for (_mod, _type, _name, _id, source, _value, _c) in reader}
                missing = sorted(sources - translated)
                self.assertFalse(
                    missing,
                    f"{len(missing)} strings of {module} lack an es_MX translation, e.g. "
                    f"{missing[:5]}: re-export the .po (odoo i18n export) and translate them",
                )

    def test_es_mx_has_no_untranslated_entry(self):
        """B8: the shipped es_MX.po files are complete (no empty msgstr)."""
        for module in HMR_ADDONS:
            po_path = Path(get_module_path(module)) / "i18n" / "es_MX.po"
            untranslated = [e.msgid for e in polib.pofile(str(po_path)).untranslated_entries()]
            self.assertFalse(untranslated, f"{module}: {untranslated[:5]}")

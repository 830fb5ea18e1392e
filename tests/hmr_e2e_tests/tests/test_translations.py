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

    def test_mexican_dates_and_currency_in_emails(self):
        """B8: emails to a Spanish-speaking executive show Mexico City time in the Mexican
        date format, and amounts in pesos with Mexican separators."""
        self.env["res.lang"]._activate_lang("es_MX")
        mxn = self.env.ref("base.MXN")
        mxn.active = True
        executive = self.env["res.users"].create(
            {
                "name": "Ejecutiva MX",
                "login": "ejecutiva_mx",
                "email": "ejecutiva.mx@example.mx",
                "lang": "es_MX",
                "tz": "America/Mexico_City",
                "group_ids": [(6, 0, self.env.ref("hmr_crm_addon.group_hmr_executive").ids)],
            }
        )
        pricelist = self.env["product.pricelist"].create({"name": "MXN", "currency_id": mxn.id})
        partner = self.env["res.partner"].create({"name": "Paciente MX", "lang": "es_MX"})
        product = self.env["product.product"].create(
            {"name": "Injerto", "list_price": 1234.5, "taxes_id": [(5, 0, 0)]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": executive.id,
                "pricelist_id": pricelist.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1000})],
            }
        )
        order.write({"hmr_sent_at": "2026-11-23 02:33:00"})  # UTC
        alert = self.env.ref("hmr_treatments_addon.mail_template_hmr_alert_no_answer")
        body = str(alert._render_field("body_html", order.ids, compute_lang=True)[order.id])
        self.assertIn("22/11/26, 20:33", body, "Mexico City time, day/month/year")
        quote = self.env.ref("sale.email_template_edi_sale")
        body = str(quote._render_field("body_html", order.ids, compute_lang=True)[order.id])
        self.assertIn("$\xa01,234,500.00", body)

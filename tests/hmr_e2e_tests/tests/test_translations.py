import importlib.util
import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

HMR_ADDONS = ("hmr_crm_addon", "hmr_treatments_addon")
# the reflection of the code (fields, selections, constraints) is checked by the export test;
# views' arch are translated term by term, also checked there
CODE_MODELS = (
    "ir.model",
    "ir.model.fields",
    "ir.model.fields.selection",
    "ir.model.constraint",
    "ir.model.relation",
    "ir.model.access",
    "ir.rule",
    "ir.ui.view",
)
# terms that read the same in English and Spanish (Odoo's es_419 keeps "Leads" too)
LANGUAGE_NEUTRAL = {"WhatsApp", "SMS", "Facial", "No", "CRM", "HMR CRM", "Leads", "Panel"}
LANGUAGE_NEUTRAL |= {"Google Ads", "Instagram", "TikTok"}  # brand names
# a Spanish source term: an accent or inverted mark, or a Spanish little word
SPANISH = re.compile(r"[áéíóúñ¿¡]|\b(de|del|la|las|los|el|para|con|por|una|que|y)\b", re.IGNORECASE)
DEMO_LOADER = Path(__file__).resolve().parents[3] / "data" / "load_demo.py"


def _load_demo_module():
    """The demo clinic loader (data/load_demo.py), imported as a module."""
    spec = importlib.util.spec_from_file_location("hmr_load_demo", DEMO_LOADER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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

    def _translatable_data(self, module):
        """(xmlid, record, field name) of every translatable field the module's data
        files fill (views excepted: their terms are checked by the export test)."""
        data = self.env["ir.model.data"].search(
            [("module", "=", module), ("model", "not in", CODE_MODELS)]
        )
        for imd in data:
            if imd.model not in self.env:
                continue
            record = self.env[imd.model].browse(imd.res_id).exists()
            for name, field in record._fields.items():
                if field.translate and field.store and not field.compute:
                    yield imd.complete_name, record, name

    def test_data_is_english_with_es_mx_translations(self):
        """B8, issue 9 item 4: every translatable field of every record the addons' data
        files create (processes, steps, photo slots, treatments, sections, departments,
        contact methods, discounts, products, questionnaires, templates, activity types,
        menus, actions...) has an English source, the one exported in the addon's .pot,
        and its own es_MX translation from i18n/es_MX.po: an English user reads English,
        a Spanish one Spanish."""
        self.env["res.lang"]._activate_lang("es_MX")
        self.env["ir.module.module"]._load_module_terms(list(HMR_ADDONS), ["es_MX"], overwrite=True)
        problems = []
        for module in HMR_ADDONS:
            pot = polib.pofile(str(Path(get_module_path(module)) / "i18n" / f"{module}.pot"))
            exports = {
                occurrence: entry.msgid for entry in pot for occurrence, _line in entry.occurrences
            }
            for xmlid, record, name in self._translatable_data(module):
                english = record.with_context(lang="en_US")[name]
                if not english:
                    continue
                english = str(english)
                spanish = str(record.with_context(lang="es_MX")[name])
                where = f"{xmlid} {name}: {english[:60]!r}"
                if spanish == english and english not in LANGUAGE_NEUTRAL:
                    problems.append(f"{where}: no es_MX translation")
                if record._fields[name].type in ("char", "text") and SPANISH.search(english):
                    problems.append(f"{where}: a Spanish source term")
                exported = exports.get(f"model:{record._name},{name}:{xmlid}")
                if exported is not None and exported != english:
                    problems.append(f"{where}: the .pot exports {exported[:60]!r}")
        self.assertFalse(problems, "\n".join(problems))

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


@tagged("post_install", "-at_install", "hmr_i18n")
class TestDemoClinicLanguages(TransactionCase):
    def test_demo_clinic_speaks_both_languages(self):
        """Issue 9 item 4: the demo clinic (data/load_demo.py, run on a database created
        with --load-language=es_MX, where Odoo leaves en_US inactive) has Spanish and
        English active, on the website too, so each user can choose theirs."""
        demo = _load_demo_module()
        demo.setup_languages(self.env)
        active = self.env["res.lang"].search([]).mapped("code")
        self.assertIn("es_MX", active)
        self.assertIn("en_US", active)
        for website in self.env["website"].search([]):
            self.assertEqual(set(website.language_ids.mapped("code")), {"es_MX", "en_US"})

    def test_demo_clinic_archives_unused_sources(self):
        """Issue 9 item 6: the demo clinic archives Odoo's default UTM sources a clinic
        never uses (job boards, mailings, search engine): they no longer sit among the
        prospects' contact sources; the clinic's own and the social networks stay."""
        demo = _load_demo_module()
        demo.archive_unused_sources(self.env)
        sources = self.env["utm.source"].search([]).mapped("name")
        for name in (
            "Search engine",
            "Lead Recall",
            "Newsletter",
            "LinkedIn",
            "Monster",
            "Glassdoor",
            "Craigslist",
        ):
            self.assertNotIn(name, sources)
        for xmlid in ("utm.utm_source_facebook", "hmr_crm_addon.utm_source_instagram"):
            self.assertIn(self.env.ref(xmlid).name, sources)

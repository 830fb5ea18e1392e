from ast import literal_eval

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_catalogs")
class TestCatalogs(HmrCrmCommon):
    def test_starter_catalogs(self):
        """C3, C4, C6, C7, issue 9 item 4: starter sections, departments, contact methods
        and contact sources are shipped, in English with their Spanish translations."""
        self.env["res.lang"]._activate_lang("es_MX")
        self.env["ir.module.module"]._load_module_terms(
            ["hmr_crm_addon"], ["es_MX"], overwrite=True
        )
        sections = self.env["hmr.section"].search([])[:3]
        self.assertEqual(sections.mapped("name"), ["Hair", "Facial", "Body"])
        self.assertEqual(
            sections.with_context(lang="es_MX").mapped("name"), ["Capilar", "Facial", "Corporal"]
        )
        diagnosis = self.env.ref("hmr_crm_addon.hmr_department_diagnosis")
        self.assertIn(diagnosis, self.env["hmr.department"].search([]))
        self.assertEqual(diagnosis.name, "Diagnosis")
        self.assertEqual(diagnosis.with_context(lang="es_MX").name, "Diagnóstico")
        methods = self.env["hmr.contact.method"].search([])
        self.assertEqual(
            set(methods.mapped("channel")), {"phone", "whatsapp", "email", "sms", "in_person"}
        )
        phone = self.env.ref("hmr_crm_addon.hmr_contact_method_phone")
        self.assertEqual(phone.with_context(lang="es_MX").name, "Teléfono")
        website = self.env.ref("hmr_crm_addon.utm_source_website")
        self.assertEqual(website.with_context(lang="en_US").name, "Website")
        self.assertEqual(website.with_context(lang="es_MX").name, "Sitio web")
        # a Spanish user finds it by its Spanish name (the import of the clinic's sheet does)
        self.assertEqual(
            self.env["utm.source"].with_context(lang="es_MX").search([("name", "=", "Sitio web")]),
            website,
        )

    @users("hmr_manager")
    def test_archived_source_leaves_the_choices(self):
        """C7, issue 9 item 6: a source the clinic never uses is archived: it leaves the
        prospects' choices, its prospects keep it, and utm finds it again by name
        rather than creating it twice."""
        source = self.source_instagram.with_user(self.env.user)
        source.action_archive()
        self.assertFalse(source.active)
        self.assertNotIn(source, self.env["utm.source"].search([]))
        self.assertNotIn(source.id, [id_ for id_, _name in self.env["utm.source"].name_search("")])
        self.assertEqual(
            self.env["utm.mixin"]._find_or_create_record("utm.source", source.name), source
        )

    @users("hmr_manager")
    def test_manager_crud_catalogs(self):
        """C3, C4, C6, C7: managers create, read, update and delete unused catalog entries."""
        for model in ("hmr.section", "hmr.department", "hmr.contact.method", "utm.source"):
            with self.subTest(model=model):
                record = self.env[model].create({"name": f"New {model}"})
                record.name = f"Renamed {model}"
                self.assertEqual(
                    self.env[model].search([("id", "=", record.id)]).name, f"Renamed {model}"
                )
                record.unlink()
                self.assertFalse(record.exists())

    @users("hmr_manager")
    def test_catalog_in_use_is_archived_not_deleted(self):
        """C3, C4, C6, C7: deleting an entry that prospects or staff use is refused with
        a clear message; archiving it keeps the prospects' history."""
        self.user_executive.sudo().hmr_department_id = self.env.ref(
            "hmr_crm_addon.hmr_department_sales"
        )
        in_use = [
            self.section_hair,
            self.method_whatsapp,
            self.source_instagram,
            self.env.ref("hmr_crm_addon.hmr_department_sales"),
        ]
        for record in in_use:
            record = record.with_user(self.env.user)
            with self.subTest(model=record._name):
                expected = "Archive it instead" if "active" in record._fields else "history"
                with self.assertRaisesRegex(UserError, expected):
                    record.unlink()
                self.assertTrue(record.exists())
        self.section_hair.with_user(self.env.user).action_archive()
        self.assertFalse(self.section_hair.active)
        self.assertEqual(self.lead_exec.section_id, self.section_hair)

    @users("hmr_manager")
    def test_email_templates_catalog(self):
        """C12: managers edit the email templates ("machotes") of the CRM's documents."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hmr_crm_addon.mail_template_action_hmr"
        )
        template = self.env["mail.template"].create(
            {
                "name": "Bienvenida",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Bienvenido a HMR, {{ object.first_name }}",
                "body_html": "<p>Hola <t t-out='object.first_name'/></p>",
            }
        )
        self.assertIn(template, self.env["mail.template"].search(literal_eval(action["domain"])))
        self.assertEqual(
            template._render_field("subject", self.lead_exec.ids)[self.lead_exec.id],
            "Bienvenido a HMR, Ana",
        )

    def test_emails_carry_no_odoo_advert(self):
        """Issue 9 item 5: the notification layouts that wrap the clinic's emails carry no
        "Powered by Odoo" advert, in English or Spanish, and keep the unfollow link."""
        self.env["res.lang"]._activate_lang("es_MX")
        self.env["ir.module.module"]._load_module_terms(
            ["mail", "hmr_crm_addon"], ["es_MX"], overwrite=True
        )
        for xmlid in ("mail.mail_notification_layout", "mail.mail_notification_light"):
            for lang in ("en_US", "es_MX"):
                arch = self.env["ir.qweb"].with_context(lang=lang)._get_template(xmlid)[0]
                html = etree.tostring(arch, encoding="unicode")
                self.assertNotIn("www.odoo.com", html, (xmlid, lang))
                self.assertIn('id="mail_unfollow"', html, (xmlid, lang))

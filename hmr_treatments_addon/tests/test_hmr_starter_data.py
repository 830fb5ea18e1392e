from odoo.tests import tagged

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_treatments")
class TestHmrStarterData(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the clinic's data is English, translated to es_MX (issue 9 item 4)
        cls.env["res.lang"]._activate_lang("es_MX")
        cls.env["ir.module.module"]._load_module_terms(
            ["hmr_treatments_addon"], ["es_MX"], overwrite=True
        )

    def assertSpanish(self, records, field, values):
        self.assertEqual(records.with_context(lang="es_MX").mapped(field), values)

    def test_hair_process_and_treatments(self):
        """C5, issue 9 item 4: the "Hair Process" ("Proceso Capilar") ships with the
        treatments that follow it."""
        process = self.env.ref("hmr_treatments_addon.hmr_process_hair")
        self.assertEqual(process.name, "Hair Process")
        self.assertSpanish(process, "name", ["Proceso Capilar"])
        fue = self.env.ref("hmr_treatments_addon.hmr_treatment_fue")
        prp = self.env.ref("hmr_treatments_addon.hmr_treatment_prp")
        beard = self.env.ref("hmr_treatments_addon.hmr_treatment_beard")
        self.assertRecordValues(
            fue | prp | beard,
            [
                {
                    "name": "FUE hair transplant",
                    "process_id": process.id,
                    "section_id": self.env.ref("hmr_crm_addon.hmr_section_hair").id,
                },
                {
                    "name": "PRP hair treatment",
                    "process_id": process.id,
                    "section_id": self.env.ref("hmr_crm_addon.hmr_section_hair").id,
                },
                {
                    "name": "Beard transplant",
                    "process_id": process.id,
                    "section_id": self.env.ref("hmr_crm_addon.hmr_section_facial").id,
                },
            ],
        )
        self.assertSpanish(
            fue | prp | beard,
            "name",
            ["Trasplante capilar FUE", "Tratamiento capilar PRP", "Injerto de barba"],
        )
        self.assertIn(
            self.env.ref("hmr_treatments_addon.product_product_hmr_fue_graft"), fue.product_ids
        )
        slots = process.step_ids.photo_slot_ids
        self.assertEqual(
            slots.mapped("name"), ["Front", "Top", "Crown / nape", "Left side", "Right side"]
        )
        self.assertSpanish(
            slots,
            "name",
            ["Frente", "Parte superior", "Coronilla / nuca", "Lado izquierdo", "Lado derecho"],
        )

    def test_service_products(self):
        """C8: the clinic's starter products are services sold in quotes."""
        products = self.env["product.product"].browse(
            self.env.ref(f"hmr_treatments_addon.product_product_hmr_{xmlid}").id
            for xmlid in (
                "assessment",
                "fue_graft",
                "prp_session",
                "mesotherapy_session",
                "beard_graft",
            )
        )
        self.assertEqual(set(products.mapped("type")), {"service"})
        self.assertTrue(all(products.mapped("sale_ok")))
        self.assertEqual(products.mapped("list_price"), [0.0, 45.0, 3500.0, 2500.0, 50.0])

    def test_pricelist_costs(self):
        """C10: "HMR Pricelist" ("Tarifa HMR") prices every starter product, with a lower
        price per graft for large FUE sessions; pricelists are enabled for every employee."""
        pricelist = self.env.ref("hmr_treatments_addon.hmr_pricelist")
        self.assertEqual(pricelist.name, "HMR Pricelist")
        self.assertSpanish(pricelist, "name", ["Tarifa HMR"])
        self.assertEqual(len(pricelist.item_ids), 6)
        graft = self.env.ref("hmr_treatments_addon.product_product_hmr_fue_graft")
        self.assertEqual(pricelist._get_product_price(graft, 1500), 45.0)
        self.assertEqual(pricelist._get_product_price(graft, 2500), 40.0)
        self.assertTrue(self.user_executive.has_group("product.group_product_pricelist"))
        self.assertTrue(self.user_doctor.has_group("product.group_product_pricelist"))

    def test_questionnaire(self):
        """C9: the medical-history questionnaire ships with its five questions; the
        starter treatments ask for it."""
        survey = self.env.ref("hmr_treatments_addon.hmr_survey_hair_history")
        self.assertEqual(survey.title, "Hair medical history")
        self.assertSpanish(survey, "title", ["Historia clínica capilar"])
        self.assertEqual(survey.question_count, 5)
        self.assertEqual(
            survey.question_ids.mapped("question_type"),
            ["simple_choice", "simple_choice", "text_box", "text_box", "text_box"],
        )
        family = self.env.ref("hmr_treatments_addon.hmr_survey_hair_history_q2")
        self.assertEqual(family.suggested_answer_ids.mapped("value"), ["Yes", "No", "I don't know"])
        self.assertSpanish(family.suggested_answer_ids, "value", ["Sí", "No", "No lo sé"])
        self.assertEqual(self.env.ref("hmr_treatments_addon.hmr_treatment_fue").survey_id, survey)

    def test_discounts(self):
        """C11, S2.3 (issue 11): the starter discounts and who may apply them: the
        doctor who prepares the quote applies the promotion and the cash discount too."""
        executive = self.env.ref("hmr_crm_addon.group_hmr_executive")
        doctor = self.env.ref("hmr_crm_addon.group_hmr_doctor")
        manager = self.env.ref("hmr_crm_addon.group_hmr_manager")
        self.assertRecordValues(
            self.env.ref("hmr_treatments_addon.hmr_discount_season")
            | self.env.ref("hmr_treatments_addon.hmr_discount_cash")
            | self.env.ref("hmr_treatments_addon.hmr_discount_management"),
            [
                {"max_percent": 10.0, "group_ids": (executive | doctor).ids},
                {"max_percent": 5.0, "group_ids": (executive | doctor).ids},
                {"max_percent": 25.0, "group_ids": manager.ids},
            ],
        )

    def test_configuration_menus_for_managers(self):
        """C5, C8, C9, C10, C11: the catalogs are under Configuration, which only
        managers see."""
        menu_ids = set(self.env["ir.ui.menu"].with_user(self.user_manager)._visible_menu_ids())
        exec_menu_ids = set(
            self.env["ir.ui.menu"].with_user(self.user_executive)._visible_menu_ids()
        )
        for xmlid in (
            "hmr_menu_config_treatments",
            "hmr_menu_config_processes",
            "hmr_menu_config_products",
            "hmr_menu_config_costs",
            "hmr_menu_config_discounts",
            "hmr_menu_config_questionnaires",
        ):
            menu = self.env.ref(f"hmr_treatments_addon.{xmlid}")
            self.assertIn(menu.id, menu_ids, xmlid)
            self.assertNotIn(menu.id, exec_menu_ids, xmlid)

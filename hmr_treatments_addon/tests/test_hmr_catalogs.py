from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_treatments")
class TestHmrCatalogs(HmrTreatmentsCommon):
    @users("hmr_manager")
    def test_manager_crud_treatment_catalogs(self):
        """C5, C11: a manager creates, reads, updates and deletes processes, treatments
        and discounts (unused records can be deleted)."""
        process = self.env["hmr.process"].create({"name": "Proceso Facial"})
        treatment = self.env["hmr.treatment"].create(
            {"name": "Injerto de cejas", "process_id": process.id, "section_id": self.section.id}
        )
        discount = self.env["hmr.discount"].create(
            {
                "name": "Referido",
                "max_percent": 7.5,
                "group_ids": [Command.set(self.env.ref("hmr_crm_addon.group_hmr_executive").ids)],
                "treatment_ids": [Command.set(treatment.ids)],
            }
        )
        self.assertEqual(process.treatment_count, 1)
        self.assertEqual(treatment.read(["process_id"])[0]["process_id"][0], process.id)
        process.write({"description": "Cejas y barba"})
        treatment.write({"survey_id": self.survey.id, "product_ids": [(4, self.product_graft.id)]})
        discount.write({"max_percent": 8.0})
        self.assertEqual(discount.max_percent, 8.0)
        discount.unlink()
        treatment.unlink()
        process.unlink()
        for record in (discount, treatment, process):
            self.assertFalse(record.exists())

    @users("hmr_manager")
    def test_manager_crud_products_costs_questionnaires(self):
        """C8, C9, C10: a manager maintains the products, their costs (pricelist rules)
        and the questionnaires (surveys and their questions)."""
        product = self.env["product.product"].create(
            {"name": "Microinjerto de cejas", "type": "service", "list_price": 60.0}
        )
        pricelist = self.env["product.pricelist"].create({"name": "Tarifa Convenios"})
        item = self.env["product.pricelist.item"].create(
            {
                "pricelist_id": pricelist.id,
                "applied_on": "1_product",
                "product_tmpl_id": product.product_tmpl_id.id,
                "compute_price": "fixed",
                "fixed_price": 55.0,
            }
        )
        self.assertEqual(pricelist._get_product_price(product, 1.0), 55.0)
        item.fixed_price = 52.0
        self.assertEqual(pricelist._get_product_price(product, 1.0), 52.0)
        survey = self.env["survey.survey"].create(
            {
                "title": "Cuestionario de cejas",
                "question_and_page_ids": [
                    Command.create(
                        {"title": "¿Te has depilado las cejas?", "question_type": "text_box"}
                    )
                ],
            }
        )
        survey.title = "Cuestionario de cejas y barba"
        self.assertEqual(survey.question_count, 1)
        item.unlink()
        pricelist.unlink()
        product.unlink()
        survey.unlink()
        for record in (item, pricelist, product, survey):
            self.assertFalse(record.exists())

    @users("hmr_exec", "hmr_doctor")
    def test_staff_read_but_cannot_write_catalogs(self):
        """C5, C8, C9, C10, C11: executives and doctors read treatments, processes,
        discounts, products and costs, but may not create, change or delete any catalog
        (questionnaires included)."""
        treatment = self.treatment_fue.with_user(self.env.user)
        self.assertEqual(treatment.process_id, self.process)
        self.assertTrue(self.env["hmr.discount"].search([]))
        catalogs = [
            (treatment, {"name": "Otro"}),
            (self.process.with_user(self.env.user), {"name": "Otro"}),
            (self.env.ref("hmr_treatments_addon.hmr_discount_season"), {"max_percent": 50}),
            (self.product_graft.with_user(self.env.user), {"list_price": 1.0}),
            (
                self.env.ref("hmr_treatments_addon.hmr_pricelist_item_fue_graft"),
                {"fixed_price": 1.0},
            ),
            (self.survey.with_user(self.env.user), {"title": "Otro"}),
        ]
        for record, values in catalogs:
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.env.user).write(values)
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.env.user).unlink()
        for model, values in [
            ("hmr.process", {"name": "Otro"}),
            ("hmr.treatment", {"name": "Otro", "process_id": self.process.id}),
            ("hmr.discount", {"name": "Otro", "max_percent": 50}),
            ("product.product", {"name": "Otro"}),
            ("survey.survey", {"title": "Otro"}),
        ]:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].create(values)

    @users("hmr_manager")
    def test_catalogs_in_use_are_archived_not_deleted(self):
        """C5, C9, C11, P2: a treatment followed by a prospect, the process of a
        treatment, the questionnaire of a treatment and a treatment a discount is
        limited to cannot be deleted; archiving them works and keeps the history."""
        self.env["hmr.treatment.case"].create(
            {"lead_id": self.lead_exec.id, "treatment_id": self.treatment_fue.id}
        )
        self.env["hmr.discount"].create(
            {
                "name": "Solo PRP",
                "max_percent": 5,
                "treatment_ids": [(6, 0, self.treatment_prp.ids)],
            }
        )
        treatment_fue = self.treatment_fue.with_user(self.env.user)
        for record in (
            treatment_fue,
            self.treatment_prp.with_user(self.env.user),
            self.process.with_user(self.env.user),
            self.survey.with_user(self.env.user),
        ):
            with self.subTest(model=record._name), self.assertRaises(UserError) as error:
                record.unlink()
            self.assertIn("Archive it instead", str(error.exception))
        treatment_fue.action_archive()
        self.assertFalse(treatment_fue.active)
        case = self.lead_exec.treatment_case_ids
        self.assertEqual(case.treatment_id, treatment_fue, "the case keeps its archived treatment")
        treatment_fue.action_unarchive()
        self.assertTrue(treatment_fue.active)

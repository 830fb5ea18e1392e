from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged, users
from odoo.tools import mute_logger

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_treatments")
class TestHmrDiscount(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.discount_exec = cls.env["hmr.discount"].create(
            {
                "name": "Test promo",
                "max_percent": 10,
                "group_ids": [(6, 0, cls.group_executive.ids)],
            }
        )
        cls.discount_manager = cls.env["hmr.discount"].create(
            {
                "name": "Test dirección",
                "max_percent": 25,
                "group_ids": [(6, 0, cls.group_manager.ids)],
            }
        )

    @users("hmr_exec")
    def test_executive_applies_up_to_the_maximum(self):
        """C11: an executive applies an executive discount up to its maximum, never beyond."""
        discount = self.discount_exec.with_user(self.env.user)
        self.assertTrue(discount._check_can_apply(10))
        self.assertTrue(discount._check_can_apply(2.5))
        with self.assertRaises(UserError) as error:
            discount._check_can_apply(10.5)
        self.assertIn("at most 10%, not 10.5%", str(error.exception))
        for percent in (0, -5):
            with self.assertRaises(UserError):
                discount._check_can_apply(percent)

    @users("hmr_exec", "hmr_doctor")
    def test_manager_discount_refused_to_other_roles(self):
        """C11: a manager-only discount is refused to executives and doctors, even within
        its maximum."""
        with self.assertRaises(UserError) as error:
            self.discount_manager.with_user(self.env.user)._check_can_apply(5)
        self.assertIn("may not apply", str(error.exception))

    @users("hmr_doctor")
    def test_executive_discount_refused_to_doctor(self):
        """C11: a doctor holds none of the roles of an executive discount."""
        with self.assertRaises(UserError):
            self.discount_exec.with_user(self.env.user)._check_can_apply(5)

    def test_manager_applies_manager_and_executive_discounts(self):
        """C11: the manager role includes the executive one: a manager applies both; the
        check also works for another user than the current one."""
        self.assertTrue(self.discount_manager._check_can_apply(25, user=self.user_manager))
        self.assertTrue(self.discount_exec._check_can_apply(10, user=self.user_manager))
        with self.assertRaises(UserError):
            self.discount_manager._check_can_apply(25, user=self.user_executive)

    def test_discount_limited_to_treatments(self):
        """C11: a discount limited to some treatments is refused on the others; one
        without treatments applies to all."""
        self.discount_exec.treatment_ids = self.treatment_prp
        self.assertTrue(
            self.discount_exec._check_can_apply(
                5, user=self.user_executive, treatments=self.treatment_prp
            )
        )
        with self.assertRaises(UserError) as error:
            self.discount_exec._check_can_apply(
                5, user=self.user_executive, treatments=self.treatment_prp | self.treatment_fue
            )
        self.assertIn("does not apply to Test FUE", str(error.exception))
        self.assertTrue(
            self.discount_manager._check_can_apply(
                5, user=self.user_manager, treatments=self.treatment_fue
            )
        )

    def test_maximum_between_0_and_100(self):
        """C11: the maximum of a discount is more than 0% and at most 100%."""
        self.discount_exec.max_percent = 100
        for wrong in (0, -1, 100.5):
            with (
                self.subTest(max_percent=wrong),
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError) as error,
                self.env.cr.savepoint(),
            ):
                self.discount_exec.max_percent = wrong
                self.discount_exec.flush_recordset()
            self.assertIn(
                "more than 0% and at most 100%",
                self.env["hmr.discount"]._sql_error_to_message(error.exception),
            )

    def test_someone_may_apply_every_discount(self):
        """C11: a discount nobody may apply is refused; by default only managers may."""
        with self.assertRaises(ValidationError):
            self.discount_exec.group_ids = [Command.clear()]
        discount = self.env["hmr.discount"].create({"name": "Nuevo", "max_percent": 3})
        self.assertEqual(discount.group_ids, self.group_manager)

    def test_roles_offered_are_the_clinic_roles(self):
        """C11: the roles offered for a discount are the HMR CRM ones."""
        domain = self.env["hmr.discount"]._domain_group_ids()
        offered = self.env["res.groups"].search(domain)
        self.assertEqual(
            offered,
            self.group_executive
            | self.group_manager
            | self.env.ref("hmr_crm_addon.group_hmr_doctor"),
        )


@tagged("post_install", "-at_install", "hmr_treatments")
class TestHmrDiscountOnQuotes(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case = cls._new_case("Diana Descuento")
        cls._send_all_photos(cls.case)
        cls.doctor = cls.case.doctor_id
        cls.season = cls.env.ref("hmr_treatments_addon.hmr_discount_season")  # 10%
        cls.cash = cls.env.ref("hmr_treatments_addon.hmr_discount_cash")  # 5%
        cls.management = cls.env.ref("hmr_treatments_addon.hmr_discount_management")  # 25%

    def _doctor_quote(self):
        """The quote the doctor prepares once they assessed the case."""
        assessment = self.case.assessment_ids.with_user(self.doctor)
        assessment.write({"hair_loss_scale": "4", "donor_area": "good", "graft_estimate": 2000})
        order = self.env["sale.order"].browse(assessment.action_done()["res_id"])
        return order.order_line.filtered(lambda line: line.price_unit > 0)[:1]

    def test_starter_discounts_for_doctors(self):
        """C11, S2.3 (issue 11): the doctor builds the quote: the starter promotion and
        cash discounts are theirs to apply too; the management one stays the managers'."""
        doctor_group = self.env.ref("hmr_crm_addon.group_hmr_doctor")
        self.assertIn(doctor_group, self.season.group_ids)
        self.assertIn(doctor_group, self.cash.group_ids)
        self.assertNotIn(doctor_group, self.management.group_ids)

    def test_doctor_applies_a_discount_on_their_quote(self):
        """C11, S2.3 (issue 11): the doctor applies the promotion to the quote they
        prepare, within its maximum; beyond it, or the managers' one, is refused."""
        line = self._doctor_quote().with_user(self.doctor)
        line.write({"hmr_discount_id": self.season.id, "discount": 10})
        self.assertEqual(line.discount, 10)
        with self.assertRaises(UserError):
            line.write({"discount": 12})
        with self.assertRaises(UserError):
            line.write({"hmr_discount_id": self.management.id, "discount": 20})

    def test_lower_unit_price_is_a_discount(self):
        """C11 (issue 11): a unit price below the price list is a rebate under the same
        limits as a discount, whoever edits it: refused without a named discount or
        beyond the role's maximum, allowed within it; with the line's discount, the two
        add up."""
        line = self._doctor_quote()
        list_price = line.price_unit
        for user in (self.doctor, self.user_executive):
            with self.subTest(user=user.login), self.assertRaises(ValidationError) as error:
                line.with_user(user).write({"price_unit": list_price * 0.9})
            self.assertIn("below its price list price", str(error.exception))
            self.assertIn("10% off", str(error.exception))
        as_executive = line.with_user(self.user_executive)
        with self.assertRaisesRegex(UserError, "at most 10%, not 20%"):
            as_executive.write({"price_unit": list_price * 0.8, "hmr_discount_id": self.season.id})
        as_executive.write({"price_unit": list_price * 0.95, "hmr_discount_id": self.season.id})
        self.assertAlmostEqual(line.price_unit, list_price * 0.95)
        with self.assertRaisesRegex(UserError, "not 14.5%"), self.env.cr.savepoint():
            as_executive.write({"discount": 10})  # 5% lower price, then 10% off
        line.invalidate_recordset()
        self.assertEqual(line.discount, 0)
        line.with_user(self.user_manager).write(
            {"price_unit": list_price * 0.8, "hmr_discount_id": self.management.id}
        )
        self.assertAlmostEqual(line.price_unit, list_price * 0.8)
        # a price above the list price is no discount
        line.with_user(self.doctor).write(
            {"price_unit": list_price * 1.1, "hmr_discount_id": False}
        )
        self.assertAlmostEqual(line.price_unit, list_price * 1.1)

    def test_no_global_discount_on_a_treatment_quote(self):
        """C11 (issue 11): Odoo's global discount (a line with a negative price) would
        give a rebate beyond every limit: a treatment's quote refuses it, and its form
        does not offer Odoo's discount button."""
        line = self._doctor_quote()
        order = line.order_id
        # the discount product an administrator sets up the first time
        order.company_id.sale_discount_product_id = self.env["product.product"].create(
            {"name": "Discount", "type": "service"}
        )
        wizard = (
            self.env["sale.order.discount"]
            .with_user(self.user_executive)
            .create({"sale_order_id": order.id, "discount_type": "amount", "discount_amount": 500})
        )
        with self.assertRaisesRegex(ValidationError, "negative price"):
            wizard.action_apply_discount()
        arch = order.with_user(self.doctor).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertRegex(arch, r'name="so_button_below_order_lines"[^>]*invisible="hmr_case_id"')

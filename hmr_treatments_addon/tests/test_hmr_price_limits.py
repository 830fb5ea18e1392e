from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_treatments")
class TestHmrPriceLimits(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        cls.season = cls.env.ref("hmr_treatments_addon.hmr_discount_season")  # 10%
        cls.management = cls.env.ref("hmr_treatments_addon.hmr_discount_management")  # 25%

    def _case_line(self):
        order = self._new_sent_quote(self.lead_ana)
        return order.order_line.filtered(lambda line: line.price_unit > 0)[:1]

    # ------------------------------------------------------------
    # A price below the list is a discount, whoever edits
    # ------------------------------------------------------------

    def test_down_payment_flag_opens_no_door(self):
        """C11 (issue 12): a line with a product is priced by the list even flagged as a
        down payment (Odoo's own down payments carry no product)."""
        line = self._case_line().with_user(self.user_executive)
        with self.assertRaisesRegex(ValidationError, "90% off"):
            line.write({"is_downpayment": True, "price_unit": line.price_unit / 10})

    def test_quantity_or_product_change_keeps_the_limits(self):
        """C11 (issue 12): a price kept by hand while the quantity or the product changes
        is judged against the new list price."""
        product = self.env["product.product"].create(
            {"name": "Dear session", "type": "service", "list_price": 1000.0}
        )
        line = self._case_line().with_user(self.user_executive)
        line.write({"price_unit": line.price_unit})
        with self.assertRaisesRegex(ValidationError, "below its price list price"):
            line.write({"product_id": product.id, "price_unit": line.price_unit})

    def test_quotes_without_case_obey_the_staff_limits(self):
        """C11 (issue 12): the clinic's staff may not give a rebate on a quote without a
        case either (nor by taking the case off a quote); the manager applies the
        managers' discount; Odoo's users outside the clinic's roles keep Odoo's rules."""
        for user in (self.user_executive, self.user_doctor):
            with self.subTest(user=user.login), self.assertRaises(ValidationError):
                self.env["sale.order"].with_user(user).sudo(False).create(
                    {
                        "partner_id": self.lead_exec.partner_id.id,
                        "order_line": [
                            Command.create({"product_id": self.product_fue.id, "price_unit": 4500})
                        ],
                    }
                )
        line = self._case_line()
        with self.assertRaises(ValidationError):
            line.order_id.with_user(self.user_executive).write(
                {"hmr_case_id": False, "order_line": [Command.update(line.id, {"price_unit": 1})]}
            )
        order = self._new_quote(self.lead_exec)
        order.order_line.with_user(self.user_manager).write(
            {"price_unit": 45000 * 0.8, "hmr_discount_id": self.management.id}
        )
        self.assertEqual(order.order_line.price_unit, 36000)
        sales = self.env["res.users"].create(
            {
                "name": "Odoo salesman",
                "login": "odoo_salesman",
                "group_ids": [Command.set(self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        order.user_id = sales
        order.order_line.with_user(sales).write({"price_unit": 100, "hmr_discount_id": False})
        self.assertEqual(order.order_line.price_unit, 100)

    # ------------------------------------------------------------
    # The accepted quote keeps its terms
    # ------------------------------------------------------------

    def _accepted_quote(self):
        order = self._new_sent_quote(self.lead_ana)
        order._hmr_record_answer("accepted")
        return order

    def test_accepted_quote_is_locked(self):
        """S3.1, C11 (issue 12): signed, the quote is locked even before its confirmation
        (a payment still due); confirmed, it stays locked."""
        order = self._accepted_quote()
        self.assertEqual(order.state, "sent")
        self.assertTrue(order.locked)
        order.action_confirm()
        self.assertTrue(order.locked)
        confirmed = self._new_sent_quote(self.lead_bruno)
        confirmed.action_confirm()
        self.assertTrue(confirmed.locked, "a treatment's quote is locked once confirmed")

    def test_accepted_quote_refuses_every_edit(self):
        """S3.1, C11 (issue 12): nobody, the manager included, changes the lines, prices,
        discounts, products, quantities, validity or price list of an accepted quote."""
        order = self._accepted_quote()
        line = order.order_line.filtered("product_id")[:1]
        other = self.env["product.product"].create({"name": "Other", "type": "service"})
        pricelist = self.env["product.pricelist"].create({"name": "Other list"})
        for user in (self.user_executive, self.user_doctor, self.user_manager):
            for values in (
                {"product_uom_qty": 5},
                {"price_unit": line.price_unit * 2},
                {"discount": 5, "hmr_discount_id": self.season.id},
                {"product_id": other.id},
                {"name": "Something else"},
            ):
                with self.subTest(user=user.login, values=values), self.assertRaises(UserError):
                    line.with_user(user).write(values)
            for values in ({"validity_date": "2099-01-01"}, {"pricelist_id": pricelist.id}):
                with self.subTest(user=user.login, values=values), self.assertRaises(UserError):
                    order.with_user(user).write(values)
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.env["sale.order.line"].with_user(user).create(
                    {"order_id": order.id, "product_id": other.id}
                )
            with self.subTest(user=user.login), self.assertRaises(UserError):
                line.with_user(user).unlink()

    def test_only_a_manager_unlocks(self):
        """S3.1 (issue 12): the executive may not unlock an accepted quote (button or
        write); the manager unlocks and cancels it, and prepares a new version."""
        order = self._accepted_quote()
        with self.assertRaises(AccessError):
            order.with_user(self.user_executive).action_unlock()
        with self.assertRaises(AccessError):
            order.with_user(self.user_executive).write({"locked": False})
        as_manager = order.with_user(self.user_manager)
        as_manager.action_unlock()
        as_manager.action_cancel()
        self.assertEqual(order.state, "cancel")
        new_version = as_manager.copy()
        self.assertFalse(new_version.locked)
        new_version.order_line[:1].product_uom_qty = 3

    def test_odoo_flows_go_on_after_acceptance(self):
        """S3.1, D8 (issue 12): the accepted quote is still confirmed, invoiced (with a
        down payment first) and its invoices posted."""
        order = self._accepted_quote()
        order.action_confirm()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 10})
        )
        wizard.create_invoices()
        final = order._create_invoices(final=True)
        (order.invoice_ids - final).action_post()
        final.action_post()
        self.assertEqual(order.hmr_quote_status, "finished")
        self.assertTrue(order.locked)

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_round


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    hmr_discount_id = fields.Many2one(
        "hmr.discount", string="Clinic Discount", index="btree_not_null", ondelete="restrict"
    )

    @api.onchange("hmr_discount_id")
    def _onchange_hmr_discount_id(self):
        if self.hmr_discount_id:
            self.discount = self.hmr_discount_id.max_percent

    @api.constrains(
        "discount",
        "hmr_discount_id",
        "price_unit",
        "product_id",
        "product_uom_id",
        "product_uom_qty",
        "is_downpayment",
    )
    def _check_hmr_discount(self):
        """On the quotes of a case, and on every quote the clinic's staff edit, a discount
        is one of the clinic's named discounts, within its limit and applied by someone
        allowed to. A unit price below the price list's is a discount too (the rebate it
        gives, with the line's discount), under the same limits, however it came to be
        (the price, the product or the quantity changed): otherwise editing the price
        would give any rebate."""
        lines = self.filtered(lambda sol: sol.order_id._hmr_has_price_limits())
        for line in lines.filtered(lambda sol: not sol.display_type):
            if line.currency_id.compare_amounts(line.price_unit, 0.0) < 0:
                # a negative line (Odoo's global discount) is a rebate beyond every limit
                raise ValidationError(
                    self.env._(
                        "A treatment's quote takes the clinic's discounts line by line, "
                        "not a line with a negative price (%(line)s).",
                        line=line.name,
                    )
                )
            percent = line._hmr_get_rebate_percent()
            if float_compare(percent, 0.0, precision_digits=2) <= 0:
                continue
            if not line.hmr_discount_id:
                raise ValidationError(line._hmr_get_missing_discount_message(percent))
            line.hmr_discount_id._check_can_apply(
                percent, treatments=line.order_id.hmr_case_id.treatment_id
            )

    def _hmr_get_list_price(self):
        """The unit price the clinic's price list gives the line (as Odoo would set it,
        taxes included when its taxes are), or 0 when there is no product."""
        self.ensure_one()
        # Odoo's down payments carry no product: a line with a product is priced by the
        # list, whatever its flags say
        if not self.product_id:
            return 0.0
        line = self.with_company(self.company_id)
        taxes = line.product_id.taxes_id._filter_taxes_by_company(line.company_id)
        return line.product_id._get_tax_included_unit_price_from_price(
            line._get_pricelist_price(),
            product_taxes=taxes,
            fiscal_position=line.order_id.fiscal_position_id,
        )

    def _hmr_get_rebate_percent(self):
        """The rebate the line gives off its price list price, in percent (2 decimals):
        its discount, and a unit price lowered below the list price."""
        self.ensure_one()
        list_price = self._hmr_get_list_price()
        percent = self.discount
        if list_price > 0:
            net = self.price_unit * (1 - self.discount / 100)
            percent = max(percent, (1 - net / list_price) * 100)
        return float_round(percent, precision_digits=2)

    # ------------------------------------------------------------
    # CRUD: THE ACCEPTED QUOTE KEEPS ITS TERMS
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            vals.get("order_id") for vals in vals_list if not vals.get("is_downpayment")
        )
        orders.exists()._hmr_check_terms_editable()
        return super().create(vals_list)

    def _get_protected_fields(self):
        # the clinic's discount is part of the price the prospect signed
        return [*super()._get_protected_fields(), "hmr_discount_id"]

    def _check_line_unlink(self):
        # no line leaves a quote the prospect accepted (Odoo's down payments aside)
        locked = self.filtered(
            lambda line: line.order_id._hmr_is_terms_locked() and not line.is_downpayment
        )
        return super()._check_line_unlink() | locked

    def _hmr_get_missing_discount_message(self, percent):
        self.ensure_one()
        if float_compare(self.discount, percent, precision_digits=2) >= 0:
            return self.env._(
                "Choose one of the clinic's discounts to give %(percent)s%% off.",
                percent=self.discount,
            )
        return self.env._(
            "The unit price of %(product)s is below its price list price (%(price)s): that "
            "is %(percent)s%% off. Choose one of the clinic's discounts that allows it, "
            "or keep the price list price.",
            product=self.product_id.display_name,
            price=self.currency_id.format(self._hmr_get_list_price()),
            percent=f"{percent:g}",
        )

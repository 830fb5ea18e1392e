from odoo import api, fields, models
from odoo.exceptions import UserError

# D8: DriCloud's quote statuses, in the manual's order
QUOTE_STATUSES = [
    ("accepted", "Accepted"),
    ("in_progress", "In Progress"),
    ("finished", "Finished"),
    ("rejected", "Rejected"),
]


class SaleOrder(models.Model):
    """The CRM's quotes (presupuestos) with DriCloud's status, its dates, and the one
    click that turns a quote into an invoice (D8); their fate moves the prospect (D1, D4)."""

    _inherit = "sale.order"

    hmr_quote_status = fields.Selection(
        QUOTE_STATUSES,
        string="Quote Status",
        compute="_compute_hmr_quote_status",
        store=True,
        readonly=False,
        tracking=True,
        copy=False,
        index=True,
        help="Chosen at creation and changed later. Kept consistent with the order: "
        "accepted confirms it, rejected cancels it; a confirmed order is accepted, a "
        "fully invoiced one finished, a cancelled one rejected.",
    )
    hmr_issued_on = fields.Date(
        string="Issue Date",
        compute="_compute_hmr_issued_on",
        store=True,
        readonly=False,
        copy=False,
        help="Day the quote (presupuesto) was issued.",
    )
    hmr_accepted_on = fields.Date(
        string="Acceptance Date",
        compute="_compute_hmr_accepted_on",
        store=True,
        help="Day the quote was accepted (signed or confirmed).",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("state", "invoice_status", "signed_on")
    def _compute_hmr_quote_status(self):
        for order in self:
            order.hmr_quote_status = order._hmr_get_quote_status_from_state()

    def _hmr_get_quote_status_from_state(self):
        """The quote status the order's state implies: a quote signed by the prospect
        (still to be paid before Odoo confirms it) is accepted too; a confirmed order
        marked finished by hand stays finished."""
        self.ensure_one()
        if self.state == "cancel":
            return "rejected"
        if self.state == "sale":
            if self.invoice_status == "invoiced" or self.hmr_quote_status == "finished":
                return "finished"
            return "accepted"
        return "accepted" if self.signed_on else "in_progress"

    @api.depends("create_date")
    def _compute_hmr_issued_on(self):
        for order in self:
            if not order.hmr_issued_on:
                order.hmr_issued_on = fields.Date.context_today(order, order.create_date)

    @api.depends("state", "signed_on", "date_order")
    def _compute_hmr_accepted_on(self):
        for order in self:
            accepted_at = order.state != "cancel" and (
                order.signed_on or (order.state == "sale" and order.date_order)
            )
            order.hmr_accepted_on = (
                fields.Date.context_today(order, accepted_at) if accepted_at else False
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hmr_prepare_crm_values(vals)
        orders = super().create(vals_list)
        # D8: a status chosen at creation puts the order in line with it
        for order, vals in zip(orders, vals_list, strict=True):
            status = vals.get("hmr_quote_status")
            if status and status != order._hmr_get_quote_status_from_state():
                order._hmr_apply_quote_status(status)
        return orders

    def write(self, vals):
        status = vals.get("hmr_quote_status")
        if status and not self.env.context.get("hmr_quote_status_sync"):
            vals = {key: value for key, value in vals.items() if key != "hmr_quote_status"}
            res = super().write(vals) if vals else True
            for order in self:
                order._hmr_apply_quote_status(status)
        else:
            res = super().write(vals)
        if "state" in vals:
            # the fate of the quotes moves their prospects (D1, D4): sudo, as whoever may
            # change the quote (the prospect on the portal, a doctor) may not write the
            # prospect; tracking stays on (sending a quote turns it off for the order)
            self.opportunity_id.sudo().with_context(
                tracking_disable=False
            )._hmr_sync_status_from_quotes()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_hmr_invoice(self):
        """D8: one click turns the quote into an invoice, confirming it first when
        needed, and opens the invoice (the one already made when nothing is left)."""
        self.ensure_one()
        if self.state == "cancel":
            raise UserError(self.env._("A rejected quote cannot be invoiced."))
        if self.state in ("draft", "sent"):
            self.action_confirm()
        if self.invoice_status != "to invoice" and self.invoice_ids:
            return self.action_view_invoice()
        invoices = self._create_invoices()
        return self.action_view_invoice(invoices)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _hmr_prepare_crm_values(self, vals):
        """A quote of a prospect comes from its contact source, as quotes made from
        the prospect's form do (B5: quotes by source)."""
        if vals.get("opportunity_id") and "source_id" not in vals:
            lead = self.env["crm.lead"].browse(vals["opportunity_id"])
            if lead.sudo().source_id:
                vals["source_id"] = lead.sudo().source_id.id
        return vals

    def _hmr_apply_quote_status(self, status):
        """Apply a quote status chosen by hand to the order: accepted or finished
        confirm it, rejected cancels it, in progress takes a rejected quote back."""
        self.ensure_one()
        if status in ("accepted", "finished") and self.state in ("draft", "sent"):
            self.action_confirm()
        elif status == "rejected" and self.state != "cancel":
            self.action_cancel()
        elif status == "in_progress":
            if self.state == "cancel":
                self.action_draft()
            elif self.state == "sale":
                raise UserError(
                    self.env._(
                        "%(order)s is accepted: it cannot be in progress again. "
                        "Reject it first if the prospect changed their mind.",
                        order=self.name,
                    )
                )
        if status != self.hmr_quote_status:
            self.with_context(hmr_quote_status_sync=True).write({"hmr_quote_status": status})

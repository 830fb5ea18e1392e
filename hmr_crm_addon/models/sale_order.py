from odoo import api, fields, models
from odoo.exceptions import UserError

# DriCloud's quote statuses, in the manual's order
QUOTE_STATUSES = [
    ("accepted", "Accepted"),
    ("in_progress", "In Progress"),
    ("finished", "Finished"),
    ("rejected", "Rejected"),
]


class SaleOrder(models.Model):
    """The CRM's quotes (presupuestos) with DriCloud's status, its dates, and the one
    click that turns a quote into an invoice; their fate moves the prospect."""

    _inherit = "sale.order"

    hmr_quote_status = fields.Selection(
        QUOTE_STATUSES,
        string="Quote Status",
        compute="_compute_hmr_quote_status",
        store=True,
        tracking=True,
        index=True,
        help="Follows the order: rejected when cancelled, accepted when signed by the "
        "prospect or confirmed, finished when invoiced and its invoices posted, in "
        "progress otherwise.",
    )
    hmr_initial_status = fields.Selection(
        QUOTE_STATUSES,
        string="Initial Status",
        store=False,
        inverse="_inverse_hmr_initial_status",
        help="The status the quote is created with (in progress when empty), reached "
        "through the order's own actions: accepted confirms it, finished also invoices "
        "it, rejected cancels it. Afterwards the order's buttons change it.",
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

    @api.depends("state", "signed_on", "invoice_status", "order_line.invoice_lines.move_id.state")
    def _compute_hmr_quote_status(self):
        for order in self:
            if order.state == "cancel":
                order.hmr_quote_status = "rejected"
            elif order.invoice_status == "invoiced" and set(order.invoice_ids.mapped("state")) <= {
                "posted",
                "cancel",
            }:
                order.hmr_quote_status = "finished"
            elif order.state == "sale" or order.signed_on:
                # signed on the portal, still to be paid before Odoo confirms it
                order.hmr_quote_status = "accepted"
            else:
                order.hmr_quote_status = "in_progress"

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

    def _inverse_hmr_initial_status(self):
        # the status chosen at creation is reached the way a user would reach it
        for order in self:
            status = order.hmr_initial_status
            if status == "rejected":
                order.action_cancel()
            elif status in ("accepted", "finished"):
                order.action_confirm()
            if status == "finished":
                # invoices are created as superuser: posting them takes Billing rights
                order._create_invoices().with_env(order.env).action_post()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hmr_prepare_crm_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            # the fate of the quotes moves their prospects: sudo, as whoever may
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
        """One click turns the quote into an invoice, confirming it first when
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
        the prospect's form do (quotes are analysed by source)."""
        if vals.get("opportunity_id") and "source_id" not in vals:
            lead = self.env["crm.lead"].browse(vals["opportunity_id"])
            if lead.sudo().source_id:
                vals["source_id"] = lead.sudo().source_id.id
        return vals

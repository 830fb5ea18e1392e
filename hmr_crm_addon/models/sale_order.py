from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

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
        "prospect or confirmed, finished when invoiced and its invoices posted (a draft "
        "invoice is not enough), in progress otherwise.",
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
            elif order._hmr_is_invoice_posted():
                order.hmr_quote_status = "finished"
            elif order.state == "sale" or order.signed_on:
                # signed on the portal, still to be paid before Odoo confirms it
                order.hmr_quote_status = "accepted"
            else:
                order.hmr_quote_status = "in_progress"

    def _hmr_is_invoice_posted(self):
        """Nothing left to invoice and every invoice posted (cancelled ones aside), at
        least one: the sale is made. Lines of no quantity count as invoiced in Odoo:
        without any invoice, a quote is not finished."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda move: move.state != "cancel")
        return (
            self.invoice_status == "invoiced"
            and bool(invoices)
            and all(move.state == "posted" for move in invoices)
        )

    @api.depends("create_date")
    def _compute_hmr_issued_on(self):
        for order in self:
            if not order.hmr_issued_on:
                order.hmr_issued_on = order.company_id._hmr_get_date(order.create_date)

    @api.depends("state", "signed_on", "date_order")
    def _compute_hmr_accepted_on(self):
        # the clinic's day, whoever accepted (the prospect's visit has no timezone)
        for order in self:
            accepted_at = order.state != "cancel" and (
                order.signed_on or (order.state == "sale" and order.date_order)
            )
            order.hmr_accepted_on = (
                order.company_id._hmr_get_date(accepted_at) if accepted_at else False
            )

    @api.depends("company_id")
    def _compute_validity_date(self):  # pylint: disable=missing-return
        # the validity counts from the clinic's day, not the server's (UTC) one: Odoo's
        # compute, per company, on the clinic's clock
        for company, orders in self.grouped("company_id").items():
            super(SaleOrder, orders.with_context(tz=company._hmr_get_tz()))._compute_validity_date()

    def _compute_is_expired(self):
        """A quote is valid until the end of its last valid day in the clinic (Odoo judges
        it on the server's UTC date: from 18:00 in Mexico City the prospect was told the
        quote had expired), for every visitor alike."""
        res = super()._compute_is_expired()
        for order in self.filtered(lambda o: o.state in ("draft", "sent") and o.validity_date):
            order.is_expired = order.validity_date < order.company_id._hmr_get_date()
        return res

    def _inverse_hmr_initial_status(self):
        # the status chosen at creation is reached the way a user would reach it
        allowed = self._hmr_get_allowed_initial_statuses()
        for order in self:
            status = order.hmr_initial_status
            if status and status not in allowed:
                raise AccessError(self._hmr_get_initial_status_refusal(status))
            if status == "rejected":
                order.action_cancel()
            elif status in ("accepted", "finished"):
                order.action_confirm()
            if status == "finished":
                # invoices are created as superuser: posting them takes Billing rights
                order._create_invoices().with_env(order.env).action_post()

    @api.model
    def _hmr_get_allowed_initial_statuses(self):
        """The statuses the user may create a quote with: what they may do to it. Anyone
        who prepares quotes leaves it in progress; confirming (accepted) or cancelling
        (rejected) it is the sales executive's; finishing it also posts its invoice,
        which takes Billing rights (the managers')."""
        user = self.env.user
        allowed = {"in_progress"}
        if user.has_group("hmr_crm_addon.group_hmr_executive"):
            allowed |= {"accepted", "rejected"}
        if user.has_group("account.group_account_invoice"):
            allowed.add("finished")
        return allowed

    @api.model
    def _hmr_get_initial_status_refusal(self, status):
        if status == "finished":
            return self.env._(
                "Only the users who post invoices (the managers) may create a finished "
                "quote: create it accepted and invoice it; a manager posts the invoice."
            )
        label = dict(self._fields["hmr_initial_status"]._description_selection(self.env))[status]
        return self.env._("You may not create a quote with the status %(status)s.", status=label)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The status at creation offers only what the user may do."""
        res = super().fields_get(allfields, attributes)
        initial_status = res.get("hmr_initial_status")
        if initial_status and "selection" in initial_status:
            allowed = self._hmr_get_allowed_initial_statuses()
            initial_status["selection"] = [
                option for option in initial_status["selection"] if option[0] in allowed
            ]
        return res

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
            if vals["state"] == "sent":
                self._hmr_update_deal_revenue()
        return res

    def _hmr_update_deal_revenue(self):
        """A sent quote makes its prospect a deal worth the quote: its expected revenue
        follows the quote as Odoo's does on confirmation (never lowered), so the panel's
        columns and the forecast show what the clinic's deals are worth before they are
        signed. Sudo, as the doctor who sends the quote may not write the prospect."""
        for order in self.filtered("opportunity_id"):
            order.opportunity_id.sudo()._update_revenues_from_so(order)

    def _create_invoices(self, grouped=False, final=False, date=None):
        # the invoice is dated, and falls due, on the clinic's day, whoever invoices
        clinic = self.with_context(tz=self.company_id[:1]._hmr_get_tz())
        invoices = super(SaleOrder, clinic)._create_invoices(
            grouped=grouped, final=final, date=date
        )
        return invoices.with_env(self.env)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_hmr_invoice(self):
        """One click turns the quote into an invoice, confirming it first when
        needed, and opens the invoice (the one already made when nothing is left). A
        user who may not post it leaves it to a manager, who is asked to."""
        self.ensure_one()
        self.check_access("write")
        if self.state == "cancel":
            raise UserError(self.env._("A rejected quote cannot be invoiced."))
        if self.state in ("draft", "sent"):
            self.action_confirm()
        if self.invoice_status != "to invoice" and self.invoice_ids:
            return self.action_view_invoice()
        invoices = self._create_invoices()
        if not self.env.user.has_group("account.group_account_invoice"):
            self._hmr_ask_to_post(invoices)
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

    def _hmr_ask_to_post(self, invoices):
        """The clinic's managers post its invoices: the one who will is given an
        activity on each new invoice (there is nobody to ask without a manager)."""
        poster = self._hmr_get_invoice_poster()
        if poster:
            invoices._hmr_activity_schedule(
                "hmr_crm_addon.mail_activity_type_post_invoice",
                poster,
                summary=_lt("Post the invoice"),
                note=lambda move: move.env._(
                    "%(user)s invoiced the quote %(quote)s: check and post the invoice.",
                    user=self.env.user.name,
                    quote=move.invoice_origin or "",
                ),
            )

    def _hmr_get_invoice_poster(self):
        """Who posts the invoices of the quote: the first of the clinic's managers who
        may post invoices, before Odoo's administrators (who hold the role to set the
        clinic up, and lead Odoo's default sales team)."""
        self.ensure_one()
        group = self.env.ref("hmr_crm_addon.group_hmr_manager").sudo()
        posters = group.all_user_ids.filtered(
            lambda user: (
                user.active and not user.share and user.has_group("account.group_account_invoice")
            )
        ).sorted("id")
        clinic = posters.filtered(lambda user: not user.has_group("base.group_system"))
        return (clinic or posters)[:1]

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import html2plaintext, plaintext2html

CALL_STATES = [("planned", "To Do"), ("done", "Made"), ("cancelled", "Cancelled")]
CALL_OUTCOMES = [
    ("interested", "Interested"),
    ("call_back", "Call Back Later"),
    ("no_answer", "No Answer"),
    ("not_interested", "Not Interested"),
    ("wrong_number", "Wrong Number"),
]
CALL_PERIODS = [
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("future", "Future"),
    ("closed", "Made or Cancelled"),
]


class HmrCall(models.Model):
    """D6: a phone call to a prospect at a day and time, by a sales executive.

    Odoo's activities have a day but no time, and its meetings (calendar.event) are
    readable by every employee (only their "private" flag hides them, from managers
    too) and know nothing of a call's outcome: a call is its own small record, with
    the prospect's access rules, shown in a calendar, and its executive is reminded
    at the time by a cron triggered at that very time (as calendar's alarms are)."""

    _name = "hmr.call"
    _inherit = ["mail.thread"]
    _description = "Prospect Call"
    # the calls to make first ("planned" sorts after "done" and "cancelled": descending),
    # by when to make them: the overdue ones lead
    _order = "state desc, call_at, id"
    _rec_names_search = ["lead_id", "partner_id"]

    lead_id = fields.Many2one(
        "crm.lead",
        string="Prospect",
        required=True,
        ondelete="cascade",
        index=True,
        tracking=True,
        domain="[('type', '=', 'opportunity')]",
    )
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Contact")
    phone = fields.Char(related="lead_id.phone")
    stage_id = fields.Many2one(related="lead_id.stage_id")
    user_id = fields.Many2one(
        "res.users",
        string="Sales Executive",
        required=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        related="lead_id.company_id", store=True, index="btree_not_null", string="Company"
    )
    call_at = fields.Datetime(
        string="Date and Time",
        required=True,
        tracking=True,
        index=True,
        default=lambda self: self._default_call_at(),
    )
    state = fields.Selection(
        CALL_STATES, string="Status", default="planned", required=True, tracking=True, index=True
    )
    called_at = fields.Datetime(string="Made On", tracking=True, copy=False)
    outcome = fields.Selection(CALL_OUTCOMES, tracking=True, copy=False)
    notes = fields.Text()
    period = fields.Selection(
        CALL_PERIODS,
        string="When",
        compute="_compute_period",
        search="_search_period",
        help="Overdue, today's or future calls to make (in your time zone).",
    )
    # the reminder went out for this time (exactly once, see the cron)
    reminded_at = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _get_past_grace(self):
        """How late a call to make may still be planned: the time to fill the form in."""
        return timedelta(minutes=5)

    @api.model
    def _default_call_at(self):
        # the next full hour
        now = fields.Datetime.now()
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("lead_id.contact_name", "lead_id.name", "call_at")
    @api.depends_context("tz")
    def _compute_display_name(self):
        for call in self:
            when = (
                fields.Datetime.context_timestamp(call, call.call_at).strftime("%d/%m/%Y %H:%M")
                if call.call_at
                else ""
            )
            prospect = call.lead_id.contact_name or call.lead_id.name or ""
            call.display_name = f"{prospect} - {when}" if when else prospect

    @api.depends("call_at", "state")
    @api.depends_context("tz")
    def _compute_period(self):
        end = self._get_today_bounds()[1]
        now = fields.Datetime.now()
        for call in self:
            if call.state != "planned" or not call.call_at:
                call.period = "closed"
            elif call.call_at < now:
                call.period = "overdue"
            elif call.call_at < end:
                call.period = "today"
            else:
                call.period = "future"

    def _search_period(self, operator, value):
        if operator != "in":
            return NotImplemented
        end = self._get_today_bounds()[1]
        now = fields.Datetime.now()
        planned = Domain("state", "=", "planned")
        domains = {
            "overdue": planned & Domain("call_at", "<", now),
            "today": planned & Domain("call_at", ">=", now) & Domain("call_at", "<", end),
            "future": planned & Domain("call_at", ">=", max(now, end)),
            "closed": Domain("state", "!=", "planned"),
        }
        return Domain.OR(domains[period] for period in value if period in domains)

    @api.model
    def _get_today_bounds(self):
        """Today, in the user's time zone, as naive UTC datetimes [start, end)."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        today = fields.Date.context_today(self)
        start = tz.localize(datetime.combine(today, time.min)).astimezone(pytz.UTC)
        start = start.replace(tzinfo=None)
        return start, start + timedelta(days=1)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("user_id")
    def _check_user_is_sales_executive(self):
        if non_executives := self.user_id._hmr_get_non_executives():
            raise ValidationError(
                self.env._(
                    "%(user)s cannot make the calls of prospects: "
                    "they lack the Sales Executive role.",
                    user=non_executives[0].name,
                )
            )

    def _check_call_at_not_past(self):
        """A call to make is planned now or later: one planned in the past would show
        overdue at once (a wrong date, most likely). A call already made keeps its time.
        Called when a time is given (creation, a new time), not when a call that became
        overdue is set to do again."""
        limit = fields.Datetime.now() - self._get_past_grace()
        for call in self:
            if call.state == "planned" and call.call_at and call.call_at < limit:
                raise ValidationError(
                    self.env._(
                        "The call to %(prospect)s cannot be planned in the past: choose a "
                        "later time, or record it as made with its outcome.",
                        prospect=call.lead_id.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._check_call_at_not_past()
        calls._schedule_reminders()
        return calls

    def write(self, vals):
        if "call_at" in vals:
            # moved to another time: remind again at the new time
            vals = dict(vals, reminded_at=False)
        res = super().write(vals)
        if "call_at" in vals:
            self._check_call_at_not_past()
        if "call_at" in vals or vals.get("state") == "planned":
            self._schedule_reminders()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_mark_done(self):
        """The call was made: record when and how it went. Without an outcome, the call
        opens in a dialog asking for it (the list's button too), whose own button marks
        it made. An interested prospect still a lead becomes a contact, as in DriCloud."""
        self.check_access("write")
        planned = self.filtered(lambda call: call.state == "planned")
        if len(planned) == 1 and not planned.outcome:
            return planned._get_outcome_dialog_action()
        for call in planned:
            if not call.outcome:
                raise UserError(
                    self.env._(
                        "Choose the outcome of the call to %(call)s first.", call=call.display_name
                    )
                )
            call.write({"state": "done", "called_at": call.called_at or fields.Datetime.now()})
            call._log_on_prospect()
            if call.outcome == "interested" and call.lead_id.hmr_status == "lead":
                call.lead_id._hmr_set_status("contact")
        return True

    def _get_outcome_dialog_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("How did the call go?"),
            "res_model": "hmr.call",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("hmr_crm_addon.hmr_call_view_form_done").id, "form")],
            "target": "new",
        }

    def action_cancel(self):
        self.check_access("write")
        self.filtered(lambda call: call.state == "planned").write({"state": "cancelled"})

    def action_reset_to_planned(self):
        self.check_access("write")
        self.filtered(lambda call: call.state != "planned").write(
            {"state": "planned", "called_at": False}
        )

    def action_open_prospect(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _log_on_prospect(self):
        """B7: the prospect's chatter tells the call and how it went."""
        self.ensure_one()
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        text = self.env._(
            "Call made by %(user)s: %(outcome)s.", user=self.user_id.name, outcome=outcome
        )
        if self.notes:
            text = f"{text}\n{self.notes}"
        self.lead_id.message_post(body=plaintext2html(text), subtype_xmlid="mail.mt_note")

    def _schedule_reminders(self):
        """Wake the reminder cron up at each call's time."""
        times = {call.call_at for call in self if call.state == "planned" and call.call_at}
        cron = self.env.ref("hmr_crm_addon.ir_cron_hmr_call_reminders", raise_if_not_found=False)
        if times and cron:
            cron.sudo()._trigger_list(times)

    def _get_reminder_due_domain(self):
        now = fields.Datetime.now()
        return Domain(
            [
                ("state", "=", "planned"),
                ("reminded_at", "=", False),
                ("call_at", "<=", now),
                # a call planned long ago and never reminded (cron off): not at 3 a.m.
                ("call_at", ">=", now - timedelta(hours=self._get_reminder_window_hours())),
            ]
        )

    @api.model
    def _get_reminder_window_hours(self):
        return 12

    def _send_reminders(self):
        """Remind each executive of the call, now: in their inbox (or by email, as they
        chose) and as a notification in the web client. The marker is written in the
        same transaction, so each call is reminded once."""
        self.write({"reminded_at": fields.Datetime.now()})
        for call in self:
            call = call._hmr_with_lang_of(call.user_id)
            subject = call.env._("Call %(prospect)s now", prospect=call.lead_id.display_name)
            body = call.env._(
                "It is time to call %(prospect)s (%(phone)s).",
                prospect=call.lead_id.display_name,
                phone=call.phone or "-",
            )
            if call.notes:
                body = f"{body}\n{call.notes}"
            call.message_notify(
                partner_ids=call.user_id.partner_id.ids,
                subject=subject,
                body=plaintext2html(body),
                model_description=call.env._("Call"),
            )
            call.user_id._bus_send(
                "simple_notification",
                {
                    "type": "warning",
                    "sticky": True,
                    "title": subject,
                    "message": html2plaintext(plaintext2html(body)),
                },
            )

    @api.model
    def _cron_send_call_reminders(self):
        domain, order = self._get_reminder_due_domain(), "call_at, id"
        self.env["ir.cron"]._hmr_process_batches(self, domain, "_send_reminders", order=order)

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import plaintext2html
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

ANSWERS = [("accepted", "Accepted"), ("rejected", "Rejected"), ("talk", "Asked to talk")]
# what the prospect accepted besides its lines: the quote's terms, kept once accepted
HMR_TERMS_FIELDS = ("validity_date", "pricelist_id", "partner_id", "fiscal_position_id")


class SaleOrder(models.Model):
    """The quote of a treatment case and the prospect's answer to it (S2.4-S3.4)."""

    _inherit = "sale.order"

    hmr_case_id = fields.Many2one(
        "hmr.treatment.case", string="Treatment Case", index="btree_not_null", copy=False
    )
    hmr_sent_at = fields.Datetime(string="Quote Sent On", readonly=True, copy=False)
    hmr_answer = fields.Selection(
        ANSWERS, string="Prospect's Answer", readonly=True, copy=False, tracking=True
    )
    hmr_answered_at = fields.Datetime(string="Answered On", readonly=True, copy=False)
    hmr_answer_message = fields.Text(string="Prospect's Message", readonly=True, copy=False)
    # the answer still to tell the prospect and the executive (S3.2), see the cron
    hmr_answer_to_notify_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    # markers written with the alert they stand for: each alert goes out once (Q6)
    hmr_no_answer_alerted_at = fields.Datetime(readonly=True, copy=False)
    hmr_followed_up_at = fields.Datetime(
        string="Followed Up On",
        readonly=True,
        copy=False,
        help="When the sales executive marked the follow-up of the accepted quote done.",
    )
    hmr_follow_up_alerted_at = fields.Datetime(readonly=True, copy=False)

    # the hourly alert cron looks for the few quotes still waiting for their alert
    _hmr_no_answer_alert_idx = models.Index(
        "(hmr_sent_at) WHERE state = 'sent' AND hmr_answer IS NULL"
        " AND hmr_no_answer_alerted_at IS NULL"
    )
    _hmr_follow_up_alert_idx = models.Index(
        "(hmr_answered_at) WHERE hmr_answer = 'accepted' AND hmr_followed_up_at IS NULL"
        " AND hmr_follow_up_alerted_at IS NULL"
    )

    def write(self, vals):
        if "locked" in vals and not vals["locked"]:
            self._hmr_check_can_unlock()
        if any(field in vals for field in HMR_TERMS_FIELDS):
            self._hmr_check_terms_editable()
        res = super().write(vals)
        if vals.get("state") == "sent":
            self.filtered(lambda o: o.hmr_case_id and not o.hmr_sent_at)._hmr_on_quote_sent()
        return res

    # ------------------------------------------------------------
    # PRICE LIMITS AND THE ACCEPTED QUOTE'S TERMS
    # ------------------------------------------------------------

    def _hmr_has_price_limits(self):
        """Whether the clinic's discount limits hold on the quote's lines: on a treatment's
        quote whoever edits it, and on every quote the clinic's staff edit (not Odoo's
        superuser, nor its users outside the clinic's roles). Constraints run as
        superuser: the user is who edits."""
        self.ensure_one()
        if self.hmr_case_id:
            return True
        user = self.env.user
        return not user._is_superuser() and (
            user.has_group("hmr_crm_addon.group_hmr_executive")
            or user.has_group("hmr_crm_addon.group_hmr_doctor")
        )

    def _should_be_locked(self):
        """The quote of a treatment is what the prospect accepted and signed: confirmed,
        it is locked (Odoo's lock: its lines' products, quantities, prices and discounts
        are kept; invoicing, down payments and deliveries go on)."""
        return super()._should_be_locked() or bool(self.hmr_case_id)

    def _hmr_is_terms_locked(self):
        self.ensure_one()
        return bool(self.locked and self.hmr_case_id)

    def _hmr_check_terms_editable(self):
        """Refuse to change what the prospect accepted: lines added or removed, the
        validity, the price list, the customer, the fiscal position."""
        locked = self.filtered(lambda order: order._hmr_is_terms_locked())
        if locked:
            raise UserError(
                self.env._(
                    "The prospect accepted the quote %(quote)s: its terms can no longer "
                    "change. A manager may cancel it and prepare a new quote.",
                    quote=", ".join(locked.mapped("name")),
                )
            )

    def _hmr_check_can_unlock(self):
        """Only a manager reopens a quote the prospect accepted (the Unlock button of
        Odoo's form is the sales managers', and so is its method)."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        if any(order._hmr_is_terms_locked() for order in self):
            raise AccessError(
                self.env._("Only a manager may unlock a quote the prospect accepted.")
            )

    # ------------------------------------------------------------
    # THE PROSPECT'S EMAILS: ODOO'S SEND AND CONFIRMATION, IN THE CLINIC'S WORDS
    # ------------------------------------------------------------

    def _find_mail_template(self):
        """The quote of a treatment case is sent with the clinic's email (it greets the
        prospect by name and links their page), not Odoo's generic quotation email."""
        self.ensure_one()
        if (
            self.hmr_case_id
            and self.state in ("draft", "sent")
            and not self.env.context.get("proforma")
        ):
            return self.env.ref("hmr_treatments_addon.mail_template_hmr_quote_send")
        return super()._find_mail_template()

    def _get_confirmation_template(self):
        """Accepting and signing the quote of a treatment case confirms it: Odoo's
        confirmation email is then the clinic's acknowledgment, with the signed quote
        attached, the only email the prospect gets for it."""
        self.ensure_one()
        if self.hmr_case_id:
            return self.env.ref("hmr_treatments_addon.mail_template_hmr_quote_accepted")
        return super()._get_confirmation_template()

    # ------------------------------------------------------------
    # THE PROSPECT'S ANSWER (S3.1, S3.2)
    # ------------------------------------------------------------

    def _hmr_on_quote_sent(self):
        # Odoo's composer marks the quote sent with tracking disabled (message_post with
        # mark_so_as_sent): the case's move is tracked all the same (B7)
        orders = self.with_context(tracking_disable=False)
        orders.sudo().write({"hmr_sent_at": fields.Datetime.now()})
        orders.hmr_case_id.sudo()._advance("quote")

    def _hmr_get_answer_refusal(self):
        """Why the prospect cannot answer this quote now, or ``False`` when they can.

        Accepting or rejecting is final; asking to talk is not, and may be repeated
        until the prospect accepts or rejects. The portal shows this text too."""
        self.ensure_one()
        if self.hmr_answer == "accepted":
            return self.env._("You already accepted this quote.")
        if self.hmr_answer == "rejected":
            return self.env._("You already rejected this quote.")
        if self.state == "draft":
            return self.env._(
                "This quote is not ready yet: your sales executive will send it to you."
            )
        if self.state != "sent" or (self.hmr_case_id and self.hmr_case_id.state != "open"):
            return self.env._("This quote can no longer be answered.")
        if self.is_expired:
            return self.env._("This quote expired: ask your sales executive for a new one.")
        return False

    def _hmr_check_can_answer(self):
        """Refuse a repeated, late or out-of-order answer with a clear message."""
        refusal = self._hmr_get_answer_refusal()
        if refusal:
            raise UserError(refusal)

    def _hmr_record_answer(self, answer, message=None):
        """Record the prospect's answer and move the case on. Callers check
        ``_hmr_check_can_answer()`` first: the portal records an acceptance once Odoo's
        own signature succeeded.

        Telling the prospect and the executive (S3.2) is queued for the quote cron,
        triggered at once, as Odoo does for its order emails (``sale.async_emails``):
        the prospect's request stays light (Q7), and a failing mail never undoes an
        answer. With the cron archived, they are told right away."""
        self.ensure_one()
        self.sudo().write(
            {
                "hmr_answer": answer,
                "hmr_answered_at": fields.Datetime.now(),
                "hmr_answer_message": message,
                "hmr_answer_to_notify_at": fields.Datetime.now(),
            }
        )
        # the case moves on by the clinic, not by the visitor who answered
        case = self.hmr_case_id._hmr_as_clinic()
        if answer == "accepted":
            # signed, still to be paid or confirmed: its terms are the prospect's already
            self.sudo().action_lock()
            case._advance("answer")
        elif answer == "rejected":
            case._close("lost")
        cron = self.env.ref(
            "hmr_treatments_addon.ir_cron_hmr_quote_alerts", raise_if_not_found=False
        )
        if cron and cron.sudo().active:
            cron.sudo()._trigger()
        else:
            self._hmr_notify_answers()

    def _hmr_answer_as_prospect(self, answer, message=None, author=None):
        """The prospect rejects the quote or asks to talk (``answer``), with what they
        typed (``message``, escaped): said in the quote's chatter as ``author`` (who
        speaks for the prospect, by default the quote's customer), then recorded. Callers
        check ``_hmr_check_can_answer()`` first."""
        self.ensure_one()
        author = author or self.partner_id
        self._track_set_author(author)
        if answer == "rejected":
            self._action_cancel()
            # as Odoo does: cache the lines' currency, which the flush of the cancel needs
            # and a visitor cannot read
            self.order_line.fetch(["currency_id"])
        self.message_post(
            author_id=author.id,
            body=plaintext2html(self._hmr_get_answer_chatter_text(answer, message)),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self._hmr_record_answer(answer, message)

    def _hmr_notify_answers(self):
        """S3.2: each recorded answer mails the prospect its template, and gives the
        executive an activity, which emails them too (once: the marker is cleared in
        the same transaction). An acceptance is acknowledged by Odoo's confirmation
        email of the signed quote (see ``_get_confirmation_template``), not twice."""
        # by the clinic: the prospect's own answer does not make them (or the public
        # user) the author of the mails
        orders = self._hmr_as_clinic().filtered("hmr_answer_to_notify_at")
        for answer, answered in orders.grouped("hmr_answer").items():
            if answer == "accepted":
                continue
            template = orders.env.ref(f"hmr_treatments_addon.mail_template_hmr_quote_{answer}")
            template.send_mail_batch(answered.ids)
        for order in orders:
            order._hmr_schedule_executive_activity(*order._hmr_get_answer_activity())
        orders.write({"hmr_answer_to_notify_at": False})

    def _hmr_get_answer_chatter_text(self, answer, message=None):
        """What the prospect's rejection or request to talk says in the quote's chatter,
        posted as the prospect: in their contact's language, whatever page language they
        browse in, as it is their own word, shown on their page too (the executive reads
        their activity in their own language)."""
        self.ensure_one()
        env = self._hmr_with_lang_of(self.partner_id).env
        if answer == "rejected":
            if message:
                return env._("Rejected the quote: %(reason)s", reason=message)
            return env._("Rejected the quote.")
        if message:
            return env._("Asked to talk to the sales executive: %(message)s", message=message)
        return env._("Asked to talk to the sales executive.")

    def _hmr_get_answer_activity(self):
        """The executive's activity for the answer: (activity type xmlid, note), the note
        a lazy translation, written in the executive's language."""
        self.ensure_one()
        message = self.hmr_answer_message or "-"
        if self.hmr_answer == "accepted":
            return (
                "hmr_treatments_addon.mail_activity_type_hmr_follow_up",
                _lt("The prospect accepted the quote: follow up within the day."),
            )
        if self.hmr_answer == "rejected":
            return (
                "mail.mail_activity_data_todo",
                _lt("The prospect rejected the quote: %(reason)s", reason=message),
            )
        return (
            "mail.mail_activity_data_call",
            _lt("The prospect asks to talk: %(message)s", message=message),
        )

    def _hmr_schedule_executive_activity(self, activity_xmlid, note):
        """The executive hears of each answer by an activity in their language, which
        emails them too. ``note`` may hold what the prospect typed: it is escaped."""
        executive = self.user_id or self.hmr_case_id.user_id
        if executive:
            self._hmr_activity_schedule(activity_xmlid, executive, note=note)

    def _hmr_mark_followed_up(self):
        self.filtered(lambda o: not o.hmr_followed_up_at).sudo().write(
            {"hmr_followed_up_at": fields.Datetime.now()}
        )
        self.hmr_case_id.sudo()._advance("follow_up")

    # ------------------------------------------------------------
    # 24-HOUR ALERTS (S3.3, S3.4)
    # ------------------------------------------------------------

    @api.model
    def _hmr_get_unanswered_domain(self, step):
        """Quotes of the step's process sent ``deadline_hours`` ago that the prospect has
        not answered at all (asking to talk is an answer: the executive already has a
        call activity for it)."""
        limit = fields.Datetime.now() - timedelta(hours=step.deadline_hours)
        return Domain(
            [
                ("hmr_case_id.process_id", "=", step.process_id.id),
                ("hmr_case_id.state", "=", "open"),
                ("state", "=", "sent"),
                ("user_id", "!=", False),
                ("hmr_answer", "=", False),
                ("hmr_sent_at", "<=", limit),
                ("hmr_no_answer_alerted_at", "=", False),
            ]
        )

    @api.model
    def _hmr_get_no_follow_up_domain(self, step):
        limit = fields.Datetime.now() - timedelta(hours=step.deadline_hours)
        return Domain(
            [
                ("hmr_case_id.process_id", "=", step.process_id.id),
                ("hmr_case_id.state", "=", "open"),
                ("user_id", "!=", False),
                ("hmr_answer", "=", "accepted"),
                ("hmr_answered_at", "<=", limit),
                ("hmr_followed_up_at", "=", False),
                ("hmr_follow_up_alerted_at", "=", False),
            ]
        )

    @api.model
    def _cron_hmr_quote_alerts(self):
        """Tell the prospects and executives of the answers recorded (S3.2, triggered by
        each answer), then alert the executives, once each, of quotes unanswered and of
        accepted quotes nobody followed up within the process's limits (the steps'
        ``deadline_hours``, S3.3, S3.4)."""
        Step, send = self.env["hmr.process.step"], "_hmr_send_alert"
        batches = [(Domain("hmr_answer_to_notify_at", "!=", False), "_hmr_notify_answers")]
        batches += [
            (self._hmr_get_unanswered_domain(s), send, "hmr_no_answer_alerted_at", "no_answer")
            for s in Step.search([("kind", "=", "answer")])
        ]
        batches += [
            (self._hmr_get_no_follow_up_domain(s), send, "hmr_follow_up_alerted_at", "no_follow_up")
            for s in Step.search([("kind", "=", "follow_up")])
        ]
        for domain, *method in batches:
            if not self.env["ir.cron"]._hmr_process_batches(self, domain, *method):
                return

    def _hmr_send_alert(self, marker, alert):
        """Queue the alert and write its marker in the same transaction (exactly-once)."""
        self.write({marker: fields.Datetime.now()})
        template = self.env.ref(f"hmr_treatments_addon.mail_template_hmr_alert_{alert}")
        template.send_mail_batch(self.ids)

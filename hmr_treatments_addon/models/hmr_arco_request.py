import base64
import io
import json
import zipfile
from datetime import datetime, time, timedelta

from pytz import UTC, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import html2plaintext

# Mexico's data-protection law gives the clinic 20 working days to answer a request
ANSWER_WORKING_DAYS = 20
# the managers are warned this many working days before the legal deadline
REMINDER_WORKING_DAYS_BEFORE = 5
# how long cancelled data stays blocked before it is anonymised, unless configured
DEFAULT_RETENTION_DAYS = 30
RETENTION_PARAM = "hmr_treatments_addon.arco_retention_days"
OPEN_STATES = ("received", "in_progress")


class HmrArcoRequest(models.Model):
    """A request of a prospect exercising their rights over their personal data under
    Mexico's data-protection law (access, rectification, cancellation, opposition), with
    its legal clock. Answering carries out the right: access delivers an archive of the
    prospect's data and photos, cancellation blocks the data at once (and a scheduled
    action anonymises it after the clinic's retention), opposition withdraws the
    voluntary uses."""

    _name = "hmr.arco.request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "ARCO Request"
    _order = "request_date desc, id desc"

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    lead_id = fields.Many2one(
        "crm.lead", string="Prospect", required=True, ondelete="restrict", index=True, tracking=True
    )
    case_id = fields.Many2one(
        "hmr.treatment.case",
        string="Treatment",
        ondelete="set null",
        index="btree_not_null",
        domain="[('lead_id', '=', lead_id)]",
        help="The treatment whose page the prospect used, when they started it there.",
    )
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Contact", store=True)
    user_id = fields.Many2one(
        related="lead_id.user_id", string="Sales Executive", store=True, index="btree_not_null"
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index="btree_not_null")
    request_type = fields.Selection(
        [
            ("access", "Access"),
            ("rectification", "Rectification"),
            ("cancellation", "Cancellation"),
            ("opposition", "Opposition"),
        ],
        string="Right",
        required=True,
        tracking=True,
    )
    channel = fields.Selection(
        [("staff", "Staff"), ("portal", "Prospect's page")],
        required=True,
        default="staff",
        readonly=True,
    )
    request_date = fields.Datetime(
        string="Received On", required=True, default=fields.Datetime.now, tracking=True
    )
    description = fields.Text(string="Request", required=True, help="What the prospect asked.")
    state = fields.Selection(
        [
            ("received", "Received"),
            ("in_progress", "In Progress"),
            ("answered", "Answered"),
            ("refused", "Refused"),
        ],
        string="Status",
        default="received",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    answer = fields.Text(tracking=True, copy=False)
    answered_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    answer_date = fields.Datetime(string="Answered On", readonly=True, copy=False)
    deadline_date = fields.Date(
        string="Deadline",
        compute="_compute_deadlines",
        store=True,
        help="The legal deadline: 20 working days of the company's working calendar after "
        "the request was received (its public holidays taken off).",
    )
    reminder_date = fields.Date(
        string="Warn Managers On",
        compute="_compute_deadlines",
        store=True,
        help="Five working days before the deadline the managers get an activity.",
    )
    deadline_reminded = fields.Boolean(readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    archive_id = fields.Many2one(
        "ir.attachment", string="Data Archive", readonly=True, copy=False, ondelete="set null"
    )
    blocked_date = fields.Datetime(
        string="Data Blocked On",
        readonly=True,
        copy=False,
        help="When the cancellation blocked the prospect's data.",
    )
    anonymized_date = fields.Datetime(string="Anonymised On", readonly=True, copy=False)

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("request_date", "company_id.resource_calendar_id")
    def _compute_deadlines(self):
        for request in self:
            request.deadline_date = request._hmr_add_working_days(ANSWER_WORKING_DAYS)
            request.reminder_date = request._hmr_add_working_days(
                ANSWER_WORKING_DAYS - REMINDER_WORKING_DAYS_BEFORE
            )

    @api.depends("deadline_date", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = bool(
                request.state in OPEN_STATES
                and request.deadline_date
                and request.deadline_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        overdue = Domain(
            [
                ("state", "in", OPEN_STATES),
                ("deadline_date", "<", fields.Date.context_today(self)),
            ]
        )
        return overdue if True in value else ~overdue

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("hmr.arco.request")
        return super().create(vals_list)

    @api.model
    def _hmr_create_from_portal(self, case, request_type, message):
        """The prospect starts a request from the page of ``case`` (checked by the
        caller): it is the clinic's record, created on their behalf, and the staff are
        told."""
        arco = (
            self._hmr_as_clinic()
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "lead_id": case.lead_id.id,
                    "case_id": case.id,
                    "request_type": request_type,
                    "channel": "portal",
                    "description": message,
                }
            )
        )
        arco._hmr_notify_staff_of_portal_request()
        return arco

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_start(self):
        self.ensure_one()
        self.check_access("write")
        self._hmr_check_open()
        self.state = "in_progress"

    def action_answer(self):
        """Answer the request and carry out the right it asks for."""
        self.ensure_one()
        self.check_access("write")
        self._hmr_check_open()
        if not (self.answer or "").strip():
            raise UserError(self.env._("Write the answer to the prospect first."))
        if self.request_type == "access" and not self.archive_id:
            self._hmr_generate_archive()
        self.write(
            {
                "state": "answered",
                "answered_by_id": self.env.user.id,
                "answer_date": fields.Datetime.now(),
            }
        )
        self._hmr_close_deadline_activities()
        # the prospect hears of the answer before a cancellation silences them
        self._hmr_notify_prospect_of_answer()
        getattr(self, f"_hmr_apply_{self.request_type}")()

    def action_refuse(self):
        self.ensure_one()
        self.check_access("write")
        self._hmr_check_open()
        if not (self.answer or "").strip():
            raise UserError(self.env._("Write the reason of the refusal first."))
        self.write(
            {
                "state": "refused",
                "answered_by_id": self.env.user.id,
                "answer_date": fields.Datetime.now(),
            }
        )
        self._hmr_close_deadline_activities()
        self._hmr_notify_prospect_of_answer()

    def action_generate_archive(self):
        """Build (again) the archive of the prospect's data for an access request."""
        self.ensure_one()
        self.check_access("write")
        if self.request_type != "access":
            raise UserError(self.env._("Only an access request delivers the prospect's data."))
        if self.anonymized_date:
            raise UserError(self.env._("The prospect's data was anonymised."))
        self._hmr_generate_archive()

    def action_download_archive(self):
        self.ensure_one()
        self.check_access("read")
        if not self.archive_id:
            raise UserError(self.env._("No archive was generated yet."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.archive_id.id}?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------
    # THE LEGAL CLOCK
    # ------------------------------------------------------------

    def _hmr_add_working_days(self, days):
        """The date of the ``days``-th working day after the day the request was
        received, by the company's working calendar (its public holidays are the
        calendar's global time off). Without a calendar: Monday to Friday."""
        self.ensure_one()
        if not self.request_date:
            return False
        calendar = (self.company_id or self.env.company).resource_calendar_id
        tz = timezone(calendar.tz or self.env.user.tz or "UTC")
        received = UTC.localize(self.request_date).astimezone(tz).date()
        start = tz.localize(datetime.combine(received + timedelta(days=1), time.min))
        if calendar:
            end = calendar.plan_days(days, start, compute_leaves=True)
            return end and end.astimezone(tz).date()
        day = received
        while days:
            day += timedelta(days=1)
            days -= day.weekday() < 5
        return day

    def _hmr_check_open(self):
        if self.state not in OPEN_STATES:
            raise UserError(self.env._("This request was already answered."))

    def _get_deadline_reminder_domain(self):
        return Domain(
            [
                ("state", "in", OPEN_STATES),
                ("deadline_reminded", "=", False),
                ("reminder_date", "<=", fields.Date.context_today(self)),
            ]
        )

    def _hmr_remind_managers(self):
        """One activity per manager on each request whose deadline nears, once."""
        managers = self.env.ref("hmr_crm_addon.group_hmr_manager").sudo().all_user_ids
        managers = managers.filtered(lambda user: user.active and not user.share)
        for request in self:
            for manager in managers:
                request._hmr_with_lang_of(manager).with_context(
                    mail_activity_quick_update=True
                ).activity_schedule(
                    "hmr_treatments_addon.mail_activity_type_hmr_arco_deadline",
                    date_deadline=request.deadline_date,
                    user_id=manager.id,
                )
        self.write({"deadline_reminded": True})

    @api.model
    def _cron_remind_arco_deadlines(self):
        self.env["ir.cron"]._hmr_process_batches(
            self, self._get_deadline_reminder_domain(), "_hmr_remind_managers"
        )

    def _hmr_close_deadline_activities(self):
        self.sudo().activity_feedback(["hmr_treatments_addon.mail_activity_type_hmr_arco_deadline"])

    # ------------------------------------------------------------
    # NOTIFICATIONS
    # ------------------------------------------------------------

    def _hmr_notify_staff_of_portal_request(self):
        """The prospect started the request from their page: their executive and the
        managers are told, each in their language."""
        self.ensure_one()
        managers = self.env.ref("hmr_crm_addon.group_hmr_manager").sudo().all_user_ids
        users = (managers | self.sudo().user_id).filtered(
            lambda user: user.active and not user.share
        )
        if users:
            self._hmr_notify_in_lang(
                users.partner_id,
                subject=lambda request: request.env._(
                    "New data-protection request %(name)s", name=request.name
                ),
                body=lambda request: request.env._(
                    "%(prospect)s asked for the %(right)s of their data on their page: the "
                    "answer is due by %(deadline)s.",
                    prospect=request.lead_id.display_name,
                    right=dict(request._fields["request_type"]._description_selection(request.env))[
                        request.request_type
                    ],
                    deadline=request.deadline_date,
                ),
            )

    def _hmr_notify_prospect_of_answer(self):
        """The answer goes to the prospect by email (and shows on their page)."""
        self.ensure_one()
        partner = self.sudo().partner_id
        if not partner.email:
            return
        self._hmr_notify_in_lang(
            partner,
            subject=lambda request: request.env._(
                "Answer to your request %(name)s", name=request.name
            ),
            body=lambda request: request.answer,
        )

    # ------------------------------------------------------------
    # THE RIGHTS
    # ------------------------------------------------------------

    def _hmr_apply_access(self):
        """The archive was generated: the prospect downloads it from their page."""

    def _hmr_apply_rectification(self):
        """The staff corrected the data themselves before answering."""

    def _hmr_apply_opposition(self):
        """The voluntary uses stop: the marketing and before/after consents are withdrawn
        (recorded in the consents' history) and no marketing email reaches the prospect."""
        self._hmr_withdraw_consents(("marketing", "photo_publication"))
        self._hmr_blacklist_email()

    def _hmr_withdraw_consents(self, purposes):
        partner = self.lead_id.sudo().partner_id
        staff = self.env.user if not self.env.user._is_public() else None
        for purpose in purposes:
            partner._hmr_withdraw_consent(purpose, "arco", staff_user=staff, note=self.name)

    def _hmr_apply_cancellation(self):
        """Block the prospect's data at once: no message, no reminder, no alert, no
        processing; the retention then anonymises it (``_cron_anonymize_cancelled``)."""
        self.ensure_one()
        lead = self.lead_id.sudo().with_context(active_test=False)
        self._hmr_withdraw_consents(("marketing", "photo_publication", "privacy_notice"))
        self._hmr_blacklist_email()
        self._hmr_blacklist_phone()
        lead._hmr_arco_block()
        self.blocked_date = fields.Datetime.now()

    def _hmr_get_emails(self):
        lead = self.lead_id.sudo()
        return {email for email in (lead.email_from, lead.partner_id.email) if email}

    def _hmr_blacklist_email(self):
        message = self.env._("Data-protection request %(name)s", name=self.name)
        for email in self._hmr_get_emails():
            self.env["mail.blacklist"].sudo()._add(email, message=message)

    def _hmr_blacklist_phone(self):
        lead = self.lead_id.sudo()
        message = self.env._("Data-protection request %(name)s", name=self.name)
        numbers = {
            lead._phone_format(number=number, force_format="E164")
            for number in (lead.phone, lead.partner_id.phone)
            if number
        } - {False}
        if numbers:
            self.env["phone.blacklist"].sudo()._add(list(numbers), message=message)

    # ------------------------------------------------------------
    # RETENTION: ANONYMISE AFTER THE BLOCKING PERIOD
    # ------------------------------------------------------------

    @api.model
    def _hmr_get_retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        return int(value) if value and str(value).isdigit() else DEFAULT_RETENTION_DAYS

    def _get_anonymize_due_domain(self):
        limit = fields.Datetime.now() - timedelta(days=self._hmr_get_retention_days())
        return Domain(
            [
                ("request_type", "=", "cancellation"),
                ("blocked_date", "!=", False),
                ("blocked_date", "<=", limit),
                ("anonymized_date", "=", False),
            ]
        )

    def _hmr_anonymize(self):
        for request in self:
            lead = request.lead_id.sudo().with_context(active_test=False)
            # the archives of the prospect's access requests hold everything: they go first
            lead.hmr_arco_request_ids.archive_id.unlink()
            lead._hmr_arco_anonymize()
        self.write({"anonymized_date": fields.Datetime.now()})

    @api.model
    def _cron_anonymize_cancelled(self):
        self.env["ir.cron"]._hmr_process_batches(
            self, self._get_anonymize_due_domain(), "_hmr_anonymize"
        )

    # ------------------------------------------------------------
    # ACCESS: THE ARCHIVE OF THE PROSPECT'S DATA
    # ------------------------------------------------------------

    def _hmr_generate_archive(self):
        self.ensure_one()
        self.check_access("write")
        content = self._hmr_build_archive()
        old = self.archive_id
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{self.name.replace('/', '-')}.zip",
                    "raw": content,
                    "mimetype": "application/zip",
                    "res_model": self._name,
                    "res_id": self.id,
                    "public": False,
                }
            )
        )
        self.archive_id = attachment
        old.sudo().unlink()
        return attachment

    def _hmr_build_archive(self):
        """A zip of the prospect's data (JSON files) and original photos: only what
        belongs to this request's prospect (their lead, its cases and quotes)."""
        self.ensure_one()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, content in self._hmr_get_archive_files():
                archive.writestr(path, content)
        return buffer.getvalue()

    def _hmr_get_archive_files(self):
        lead = self.lead_id.sudo()
        # the archive is the prospect's: in their language, whoever of the staff answers
        lang = lead.lang_id.code or lead.partner_id.lang or self.env.lang
        lead = lead.with_context(active_test=False, bin_size=False, lang=lang)
        cases = lead.treatment_case_ids
        orders = lead.order_ids | cases.order_ids
        yield "contact.json", self._hmr_json(lead._hmr_arco_export_contact())
        yield "consents.json", self._hmr_json(lead._hmr_arco_export_consents())
        for case in cases:
            folder = f"treatments/{case.id}"
            yield f"{folder}/treatment.json", self._hmr_json(case._hmr_arco_export())
            for photo in case.photo_ids:
                extension = (photo.mimetype or "image/jpeg").split("/")[-1].replace("jpeg", "jpg")
                name = f"{photo.slot_sequence:02d}-{photo.slot_id.id}.{extension}"
                yield f"{folder}/photos/{name}", base64.b64decode(photo.image)
        for order in orders:
            yield f"quotes/{order.id}.json", self._hmr_json(self._hmr_export_order(order))
        documents = [(lead._name, lead.ids), (cases._name, cases.ids), (orders._name, orders.ids)]
        yield "messages.json", self._hmr_json(self._hmr_export_messages(documents))

    @api.model
    def _hmr_json(self, data):
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    @api.model
    def _hmr_export_order(self, order):
        return {
            "reference": order.name,
            "date": order.date_order,
            "valid_until": order.validity_date,
            "state": order.state,
            "currency": order.currency_id.name,
            "lines": [
                {
                    "description": line.name,
                    "quantity": line.product_uom_qty,
                    "unit_price": line.price_unit,
                    "discount": line.discount,
                    "subtotal": line.price_subtotal,
                }
                for line in order.order_line
            ],
            "total": order.amount_total,
        }

    @api.model
    def _hmr_export_messages(self, documents):
        """What the clinic wrote to the prospect and the prospect wrote: never the staff's
        internal notes."""
        domain = Domain.OR(
            Domain([("model", "=", model), ("res_id", "in", ids)])
            for model, ids in documents
            if ids
        )
        domain &= Domain(
            [
                ("message_type", "in", ("email", "comment", "email_outgoing")),
                ("is_internal", "=", False),
                ("subtype_id.internal", "=", False),
            ]
        )
        messages = self.env["mail.message"].sudo().search(domain, order="date, id")
        return [
            {
                "date": message.date,
                "from": message.email_from or message.author_id.name,
                "subject": message.subject or "",
                "body": html2plaintext(message.body or ""),
            }
            for message in messages
        ]

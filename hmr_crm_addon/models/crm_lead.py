from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize
from odoo.tools.misc import clean_context

from ..tools.phone_key import phone_key

# D1: DriCloud's statuses, in its order (PACIENTE - LEAD - CONTACTO - ACUERDO - CLIENTE -
# NO INTERESADO); the status places the prospect in a tab of the CRM panel. ("New Lead":
# "Lead" is already the name of the prospects' model, translated "Prospecto"; this one is
# DriCloud's "Lead")
CRM_STATUSES = [
    ("patient", "Patient"),
    ("lead", "New Lead"),
    ("contact", "Contact"),
    ("deal", "Deal"),
    ("client", "Client"),
    ("not_interested", "Not Interested"),
]
# D4: how the negotiation of a deal goes, from the quote delivered to won or lost
DEAL_STATUSES = [
    ("quote_sent", "Quote Delivered"),
    ("negotiation", "Negotiating"),
    ("won", "Won"),
    ("lost", "Lost"),
]
# statuses of prospects still to be worked before a quote
PRE_DEAL_STATUSES = ("patient", "lead", "contact")


class CrmLead(models.Model):
    """A prospect of the clinic is a crm.lead with a person behind it: first name,
    surnames, birth date, how we reach them and where they came from."""

    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    first_name = fields.Char(tracking=True)
    last_name = fields.Char(string="Surnames", tracking=True)
    birth_date = fields.Date(tracking=True)
    age = fields.Integer(compute="_compute_age", help="Age in years, from the birth date.")
    whatsapp = fields.Char(string="WhatsApp", help="Leave empty when it is the phone number.")  # pylint: disable=attribute-string-redundant
    contact_method_id = fields.Many2one("hmr.contact.method", tracking=True, index="btree_not_null")
    section_id = fields.Many2one(
        "hmr.section", string="Clinic Section", tracking=True, index="btree_not_null"
    )
    capture_date = fields.Date(
        default=fields.Date.context_today, copy=False, help="Day the prospect was captured."
    )
    doctor_ids = fields.Many2many(
        "res.users",
        "crm_lead_hmr_doctor_rel",
        "lead_id",
        "user_id",
        string="Assessing Doctors",
        copy=False,
        help="Diagnosis doctors given this prospect to assess: they may read it.",
    )
    source_id = fields.Many2one(string="Contact Source")
    user_id = fields.Many2one(domain=lambda self: self._get_sales_executive_domain())

    # D1-D5: the CRM panel
    crm_status = fields.Selection(
        CRM_STATUSES,
        string="CRM Status",
        default="lead",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        group_expand=True,
        help="Places the prospect in its tab of the CRM panel. Kept consistent with the "
        "pipeline: a won prospect is a client, a lost one is not interested, a quote "
        "sent makes it a deal.",
    )
    crm_status_date = fields.Datetime(
        string="In Status Since", default=fields.Datetime.now, readonly=True, copy=False
    )
    deal_status = fields.Selection(
        DEAL_STATUSES,
        tracking=True,
        index="btree_not_null",
        copy=False,
        group_expand=True,
        help="How the negotiation goes, from the quote delivered to won or lost. "
        "Follows the fate of the prospect's quotes.",
    )
    hmr_sale_comment = fields.Text(
        string="Sale Comments", tracking=True, help="How the sale is going, in a few words."
    )
    hmr_status_history_ids = fields.One2many(
        "hmr.crm.status.history", "lead_id", string="Status History"
    )
    # D6: calls at a time of day
    # the calls are the sales executives' only: Odoo's plain salesmen open the lead without
    hmr_call_ids = fields.One2many(
        "hmr.call", "lead_id", string="Calls", groups="hmr_crm_addon.group_hmr_executive"
    )
    hmr_call_count = fields.Integer(
        compute="_compute_hmr_call_count",
        string="Call Count",
        groups="hmr_crm_addon.group_hmr_executive",
    )
    hmr_next_call_at = fields.Datetime(
        string="Next Call",
        compute="_compute_hmr_next_call_at",
        store=True,
        help="The earliest call still to make.",
    )
    # B6: possible duplicates (same email, or same phone whatever its Mexican variant)
    hmr_phone_key = fields.Char(
        string="Phone Key",
        compute="_compute_hmr_phone_key",
        store=True,
        index="btree_not_null",
        copy=False,
        help="The phone as +<country code><number>, with its Mexican variants folded: "
        "how duplicates are found.",
    )
    hmr_duplicate_info = fields.Char(
        compute="_compute_hmr_duplicates",
        string="Possible Duplicates",
        help="Other prospects with the same email or phone, and who holds them.",
    )
    hmr_is_duplicate = fields.Boolean(
        string="Possible Duplicate",
        compute="_compute_hmr_duplicates",
        search="_search_hmr_is_duplicate",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("birth_date")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for lead in self:
            lead.age = relativedelta(today, lead.birth_date).years if lead.birth_date else 0

    def _compute_hmr_call_count(self):
        counts = dict(
            self.env["hmr.call"]._read_group(
                [("lead_id", "in", self._origin.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.hmr_call_count = counts.get(lead._origin, 0)

    @api.depends("hmr_call_ids.call_at", "hmr_call_ids.state")
    def _compute_hmr_next_call_at(self):
        for lead in self:
            planned = lead.hmr_call_ids.filtered(lambda c: c.state == "planned")
            lead.hmr_next_call_at = min(planned.mapped("call_at"), default=False)

    @api.depends("phone", "country_id")
    def _compute_hmr_phone_key(self):
        default_code = str(self.env.company.country_id.phone_code or "") or None
        for lead in self:
            code = lead.country_id.phone_code
            lead.hmr_phone_key = phone_key(lead.phone, str(code) if code else default_code)

    @api.depends("email_normalized", "hmr_phone_key")
    def _compute_hmr_duplicates(self):
        # sudo: a duplicate held by another executive, or lost, must be flagged too
        Lead = self.sudo().with_context(active_test=False)
        for lead in self:
            duplicates = Lead.search(lead._get_prospect_duplicate_domain(), limit=10)
            lead.hmr_is_duplicate = bool(duplicates)
            lead.hmr_duplicate_info = ", ".join(
                f"{duplicate.display_name} ({duplicate.user_id.name or '-'})"
                for duplicate in duplicates
            )

    def _search_hmr_is_duplicate(self, operator, value):
        if operator != "in":
            return NotImplemented
        if True in value and False in value:
            return Domain.TRUE
        self.flush_model(["email_normalized", "hmr_phone_key"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM crm_lead
                 WHERE email_normalized IN (
                        SELECT email_normalized FROM crm_lead
                         WHERE email_normalized IS NOT NULL
                      GROUP BY email_normalized HAVING COUNT(*) > 1)
                    OR hmr_phone_key IN (
                        SELECT hmr_phone_key FROM crm_lead
                         WHERE hmr_phone_key IS NOT NULL
                      GROUP BY hmr_phone_key HAVING COUNT(*) > 1)
                """
            )
        )
        domain = Domain("id", "in", [row[0] for row in rows])
        return domain if True in value else ~domain

    # ------------------------------------------------------------
    # CONSTRAINTS AND ONCHANGE
    # ------------------------------------------------------------

    @api.constrains("birth_date")
    def _check_birth_date(self):
        today = fields.Date.context_today(self)
        if any(lead.birth_date and lead.birth_date > today for lead in self):
            raise ValidationError(self.env._("The birth date cannot be in the future."))

    @api.constrains("user_id")
    def _check_user_is_not_doctor(self):
        # a diagnosis doctor assesses prospects, never holds one; Odoo's own salesmen,
        # outside the clinic's roles, may (its website, surveys and assignment give them)
        doctors = self.user_id.filtered(
            lambda user: user.has_group("hmr_crm_addon.group_hmr_doctor")
        )
        if non_executives := doctors._hmr_get_non_executives():
            raise ValidationError(
                self.env._(
                    "%(user)s cannot be the sales executive of a prospect: "
                    "they lack the Sales Executive role.",
                    user=non_executives[0].name,
                )
            )

    @api.model
    def _get_sales_executive_domain(self):
        """The users who may hold prospects: the clinic's sales executives."""
        executive = self.env.ref("hmr_crm_addon.group_hmr_executive", raise_if_not_found=False)
        domain = Domain("share", "=", False)
        if executive:  # missing while the addon installs
            domain &= Domain("all_group_ids", "in", executive.id)
        return list(domain)

    @api.onchange("first_name", "last_name")
    def _onchange_prospect_names(self):
        full_name = self._get_prospect_full_name(self.first_name, self.last_name)
        if full_name:
            # the title follows the names unless someone typed another one
            if not self.name or self.name == self.contact_name:
                self.name = full_name
            self.contact_name = full_name

    @api.onchange("email_from", "phone")
    def _onchange_warn_duplicate_prospect(self):
        # sudo: a duplicate held by another executive must be flagged too
        duplicates = self.sudo().search(self._get_prospect_duplicate_domain(), limit=3)
        if duplicates:
            return {
                "warning": {
                    "title": self.env._("Possible duplicate"),
                    "message": self.env._(
                        "Other prospects share this email or phone: %(names)s",
                        names=", ".join(
                            f"{lead.display_name} ({lead.user_id.name or '-'})"
                            for lead in duplicates
                        ),
                    ),
                }
            }
        return None

    def _get_prospect_duplicate_domain(self):
        """Other prospects with the same normalized email or phone (B6: the phone's key
        folds the Mexican variants +52, +52 1, 044... onto one number)."""
        criteria = []
        if self.email_normalized:
            criteria.append(Domain("email_normalized", "=", self.email_normalized))
        if self.phone_sanitized:
            criteria.append(Domain("phone_sanitized", "=", self.phone_sanitized))
        if self.hmr_phone_key:
            criteria.append(Domain("hmr_phone_key", "=", self.hmr_phone_key))
        if not criteria:
            return Domain.FALSE
        return Domain.OR(criteria) & Domain("id", "!=", self._origin.id or 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._prepare_prospect_names(vals)
        self._create_prospect_partners(vals_list)
        leads = super().create(vals_list)
        leads._hmr_start_status_history()
        # D1: a status chosen at creation puts the pipeline in line with it
        for lead in leads.filtered(lambda lead: lead.crm_status not in PRE_DEAL_STATUSES):
            lead._hmr_apply_crm_status()
        return leads

    def write(self, vals):
        if {"first_name", "last_name"} & vals.keys() and len(self) == 1:
            vals = dict(vals)
            self._prepare_prospect_names(
                vals, vals.get("first_name", self.first_name), vals.get("last_name", self.last_name)
            )
            if self.partner_id and vals.get("contact_name"):
                self.partner_id.name = vals["contact_name"]
        old_statuses = None
        if {"crm_status", "deal_status"} & vals.keys():
            old_statuses = {lead.id: (lead.crm_status, lead.deal_status) for lead in self}
        res = super().write(vals)
        if old_statuses is not None:
            self._hmr_after_status_write(old_statuses, vals)
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_hmr_schedule_call(self):
        """D2, D6: plan a call to the prospect at a day and time."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Schedule a Call"),
            "res_model": "hmr.call",
            "view_mode": "form",
            "views": [(self.env.ref("hmr_crm_addon.hmr_call_view_form_quick").id, "form")],
            "target": "new",
            "context": {
                "default_lead_id": self.id,
                "default_user_id": (self.user_id or self.env.user).id,
            },
        }

    def action_hmr_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("hmr_crm_addon.hmr_call_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {
            "default_lead_id": self.id,
            "default_user_id": (self.user_id or self.env.user).id,
        }
        return action

    def action_hmr_send_message(self):
        """D7: email or SMS to the selected prospects, now or at a date and time."""
        return self._hmr_open_message_composer()

    def action_hmr_send_email(self):
        return self._hmr_open_message_composer("email")

    def action_hmr_send_sms(self):
        return self._hmr_open_message_composer("sms")

    def action_hmr_view_duplicates(self):
        """B6: the possible duplicates the user may open."""
        self.ensure_one()
        duplicates = (
            self.sudo()
            .with_context(active_test=False)
            .search(self._get_prospect_duplicate_domain())
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Possible Duplicates"),
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("hmr_crm_addon.crm_lead_view_list_hmr_panel").id, "list"),
                (False, "form"),
            ],
            "domain": [("id", "in", (duplicates | self).ids), ("active", "in", [True, False])],
        }

    # ------------------------------------------------------------
    # CRM STATUS (D1-D5) KEPT CONSISTENT WITH THE PIPELINE
    # ------------------------------------------------------------

    def _handle_won_lost(self, old_status_by_lead, new_status_by_lead):
        res = super()._handle_won_lost(old_status_by_lead, new_status_by_lead)
        self._hmr_sync_status_from_pipeline(old_status_by_lead, new_status_by_lead)
        return res

    def _hmr_sync_status_from_pipeline(self, old_status_by_lead, new_status_by_lead):
        """Odoo's won and lost move the CRM status: won is a client, lost is not
        interested; restored, the prospect goes back to the status it had before."""
        neutral = {"is_lost": False, "is_won": False}
        for lead in self:
            status = lead._hmr_get_status_from_pipeline(
                old_status_by_lead.get(lead.id, neutral), new_status_by_lead.get(lead.id, neutral)
            )
            if status and status != lead.crm_status:
                values = {"crm_status": status}
                deal_status = lead._hmr_get_deal_status_for(status)
                if deal_status != lead.deal_status:
                    values["deal_status"] = deal_status
                lead.with_context(hmr_status_sync=True).write(values)

    def _hmr_get_status_from_pipeline(self, old, new):
        self.ensure_one()
        if new["is_won"] and not old["is_won"]:
            return "client"
        if new["is_lost"] and not old["is_lost"]:
            return "not_interested"
        if old["is_lost"] and not new["is_lost"] and self.crm_status == "not_interested":
            return self._hmr_get_previous_status()
        if old["is_won"] and not new["is_won"] and self.crm_status == "client":
            return self._hmr_get_previous_status()
        return False

    def _hmr_get_previous_status(self):
        """The status before the prospect was won or lost (a contact when unknown)."""
        self.ensure_one()
        previous = (
            self.env["hmr.crm.status.history"]
            .sudo()
            .search(
                [
                    ("lead_id", "=", self.id),
                    ("crm_status", "not in", ["client", "not_interested"]),
                ],
                order="date_start desc, id desc",
                limit=1,
            )
        )
        return previous.crm_status or ("deal" if self.deal_status else "contact")

    def _hmr_get_deal_status_for(self, status):
        """The deal status that goes with the CRM status ``status``."""
        self.ensure_one()
        if status == "deal":
            if self.deal_status in ("quote_sent", "negotiation"):
                return self.deal_status
            return "quote_sent" if self._hmr_has_sent_quote() else "negotiation"
        if status == "client":
            return "won" if self.deal_status else False
        if status == "not_interested":
            return "lost" if self.deal_status else False
        return False

    def _hmr_has_sent_quote(self):
        self.ensure_one()
        return "sent" in self.sudo().order_ids.mapped("state")

    def _hmr_after_status_write(self, old_statuses, vals):
        changed = self.filtered(lambda lead: lead.crm_status != old_statuses[lead.id][0])
        if changed:
            changed._hmr_log_status_change()
        if self.env.context.get("hmr_status_sync"):
            return
        # chosen by hand: the pipeline follows (B7: every change is tracked)
        for lead in changed:
            lead._hmr_apply_crm_status()
        if "deal_status" in vals:
            self.filtered(
                lambda lead: lead.deal_status != old_statuses[lead.id][1]
            )._hmr_apply_deal_status()

    def _hmr_apply_crm_status(self):
        """Make the deal status and Odoo's won / lost agree with a CRM status chosen by
        hand: a client is won, a prospect not interested is lost, any other status is
        back in the pipeline."""
        self.ensure_one()
        lead = self.with_context(hmr_status_sync=True)
        deal_status = lead._hmr_get_deal_status_for(lead.crm_status)
        if deal_status != lead.deal_status:
            lead.write({"deal_status": deal_status})
        if lead.crm_status == "client":
            if lead.won_status != "won":
                lead.action_set_won()
        elif lead.crm_status == "not_interested":
            if lead.won_status != "lost":
                lead.action_set_lost()
        elif lead.won_status == "lost":
            lead.action_restore()
        elif lead.won_status == "won":
            lead.write({"stage_id": lead._hmr_get_open_stage().id})

    def _hmr_apply_deal_status(self):
        """A deal status chosen by hand: a won deal makes a client; any other one makes
        the prospect a deal."""
        for lead in self:
            if lead.deal_status == "won":
                if lead.won_status != "won":
                    lead.action_set_won()
                elif lead.crm_status != "client":
                    lead.write({"crm_status": "client"})
            elif lead.deal_status in ("quote_sent", "negotiation") and lead.crm_status != "deal":
                lead.write({"crm_status": "deal"})

    def _hmr_get_open_stage(self):
        """The stage of a prospect that leaves the won stage: the last stage still open."""
        self.ensure_one()
        return self._stage_find(domain=[("is_won", "=", False)], order="sequence desc, id desc")

    def _hmr_start_status_history(self):
        now = fields.Datetime.now()
        History = self.env["hmr.crm.status.history"].sudo()
        started = History.search_fetch(
            [("lead_id", "in", self.ids), ("date_end", "=", False)], ["lead_id"]
        ).lead_id
        History.create(
            [
                {"lead_id": lead.id, "crm_status": lead.crm_status, "date_start": now}
                for lead in self - started
            ]
        )

    def _hmr_log_status_change(self):
        """Close the period of the former status and open the new one (B5: time spent
        in each status)."""
        now = fields.Datetime.now()
        History = self.env["hmr.crm.status.history"].sudo()
        History.search([("lead_id", "in", self.ids), ("date_end", "=", False)]).write(
            {"date_end": now}
        )
        History.create(
            [
                {"lead_id": lead.id, "crm_status": lead.crm_status, "date_start": now}
                for lead in self
            ]
        )
        self.with_context(hmr_status_sync=True).write({"crm_status_date": now})

    def _hmr_sync_status_from_quotes(self):
        """D1, D4: the fate of the prospect's quotes moves it on. A quote sent makes it a
        deal (quote delivered), a quote confirmed wins it (a client), every quote
        cancelled loses the deal; the prospect stays a deal until someone says it is not
        interested. Statuses chosen by hand beyond these (client, not interested) stay."""
        for lead in self:
            states = set(lead.order_ids.mapped("state"))
            if "sale" in states:
                if lead.won_status != "won":
                    lead.action_set_won()
            elif "sent" in states:
                if lead.crm_status in PRE_DEAL_STATUSES:
                    lead.write({"crm_status": "deal"})
                elif lead.crm_status == "deal" and lead.deal_status in (False, "lost"):
                    lead.with_context(hmr_status_sync=True).write({"deal_status": "quote_sent"})
            elif states == {"cancel"} and lead.crm_status == "deal" and lead.deal_status != "lost":
                lead.with_context(hmr_status_sync=True).write({"deal_status": "lost"})

    # ------------------------------------------------------------
    # MESSAGES (D7)
    # ------------------------------------------------------------

    def _hmr_open_message_composer(self, channel=None):
        context = {"default_lead_ids": self.ids}
        if channel:
            context["default_channel"] = channel
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send a Message"),
            "res_model": "hmr.message.composer",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def _message_sms(self, body, **kwargs):
        # D7: the SMS composer of the CRM schedules SMS: the message is posted now and
        # its SMS sent at the date (mail.message.schedule), as Odoo does for emails
        scheduled_date = self.env.context.get("hmr_sms_scheduled_date")
        if scheduled_date and "scheduled_date" not in kwargs:
            kwargs["scheduled_date"] = scheduled_date
        return super()._message_sms(body, **kwargs)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _hmr_get_prospect_page_url(self):
        """The full URL of the prospect's own page, which every email to them links, or
        ``False`` while they have none (the treatments addon gives them one)."""
        self.ensure_one()
        return False

    @api.model
    def _hmr_disable_automatic_enrichment(self):
        self.env["ir.config_parameter"].sudo().set_param("crm.iap.lead.enrich.setting", "manual")
        cron = self.env.ref("crm_iap_enrich.ir_cron_lead_enrichment", raise_if_not_found=False)
        if cron:
            cron.sudo().active = False

    @api.model
    def _get_prospect_full_name(self, first_name, last_name):
        return " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())

    @api.model
    def _prepare_prospect_names(self, vals, first_name=None, last_name=None):
        """Fill the lead title and contact name from first name and surnames."""
        full_name = self._get_prospect_full_name(
            first_name if first_name is not None else vals.get("first_name"),
            last_name if last_name is not None else vals.get("last_name"),
        )
        if full_name:
            vals["contact_name"] = full_name
            vals.setdefault("name", full_name)
        return vals

    @api.model
    def _prepare_prospect_partner_values(self, vals):
        return {
            "name": vals["contact_name"],
            "email": vals.get("email_from"),
            "phone": vals.get("phone"),
            "is_company": False,
        }

    @api.model
    def _create_prospect_partners(self, vals_list):
        """A prospect is a person: their individual contact, never a child of a company,
        so that no prospect can ever reach another one's quotes; the patient's existing
        one when known, else a new one (created in one batch). What is not a person's
        opportunity keeps Odoo's way: an inbound email or a lead to qualify gets its
        contact at the conversion, a company's opportunity keeps its company."""
        default_type = self.default_get(["type"]).get("type")
        todo = [
            vals
            for vals in vals_list
            if vals.get("contact_name")
            and vals.get("type", default_type) == "opportunity"
            and not any(
                vals.get(key) for key in ("partner_id", "partner_name", "commercial_partner_id")
            )
        ]
        for vals in todo:
            vals["partner_id"] = self._find_prospect_partner(vals).id
        if not (todo := [vals for vals in todo if not vals["partner_id"]]):
            return
        # clean_context drops the pipeline's defaults (default_type='opportunity' is no
        # partner type): replacing the context is the point here
        context = clean_context(self.env.context)
        partner_model = self.env["res.partner"].sudo().with_context(context)  # pylint: disable=context-overridden
        partners = partner_model.create(
            [self._prepare_prospect_partner_values(vals) for vals in todo]
        )
        for vals, partner in zip(todo, partners, strict=True):
            vals["partner_id"] = partner.id

    @api.model
    def _find_prospect_partner(self, vals):
        """The patient's existing individual contact (never a company nor a company's
        contact): by email when the prospect has one, else by phone among the contacts
        without email (one with an email may be a relative sharing the family phone)."""
        domain = Domain([("is_company", "=", False), ("parent_id", "=", False)])
        if email := email_normalize(vals.get("email_from") or ""):
            domain &= Domain("email_normalized", "=", email)
        elif vals.get("phone") and (
            phone := self._phone_format(
                number=vals["phone"], country=self.env["res.country"].browse(vals.get("country_id"))
            )
        ):
            domain &= Domain("phone_sanitized", "=", phone) & Domain("email", "=", False)
        else:
            return self.env["res.partner"]
        return self.env["res.partner"].sudo().search(domain, order="id", limit=1)

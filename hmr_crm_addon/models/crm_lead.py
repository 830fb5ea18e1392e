from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize
from odoo.tools.misc import clean_context, format_date

from ..tools.phone_key import phone_key

# D4: how the negotiation of a deal goes, from the quote delivered to won or lost
DEAL_STATUSES = [
    ("quote_sent", "Quote Delivered"),
    ("negotiation", "Negotiating"),
    ("won", "Won"),
    ("lost", "Lost"),
]
# stages of prospects still to be worked before a quote
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
    # the clinic's day: a prospect of the web form at 19:00 in Mexico City is captured that day
    capture_date = fields.Date(
        default=lambda self: self.env.company._hmr_get_date(),
        copy=False,
        help="Day the prospect was captured.",
    )
    source_id = fields.Many2one(string="Contact Source")
    user_id = fields.Many2one(domain=lambda self: self._get_sales_executive_domain())

    # the CRM panel is the pipeline; its stages are tagged with DriCloud's statuses
    hmr_status = fields.Selection(related="stage_id.hmr_status", string="Panel Status")
    deal_status = fields.Selection(
        DEAL_STATUSES,
        compute="_compute_deal_status",
        store=True,
        index="btree_not_null",
        group_expand=True,
        help="How the negotiation goes, from the quote delivered to won or lost: "
        "follows the prospect's quotes and Odoo's won / lost.",
    )
    hmr_sale_comment = fields.Text(
        string="Sale Comments", tracking=True, help="How the sale is going, in a few words."
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

    @api.depends("stage_id.hmr_status", "won_status", "order_ids.state")
    def _compute_deal_status(self):
        for lead in self:
            states = set(lead.order_ids.mapped("state"))
            was_deal = bool(states) or lead.hmr_status == "deal"
            if lead.won_status != "pending":
                lead.deal_status = lead.won_status if was_deal else False
            elif lead.hmr_status != "deal":
                lead.deal_status = False
            elif "sent" in states:
                lead.deal_status = "quote_sent"
            elif states == {"cancel"}:
                lead.deal_status = "lost"
            else:
                lead.deal_status = "negotiation"

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
        return super().create(vals_list)

    def write(self, vals):
        previous_executives = self._hmr_get_previous_executives(vals)
        handed_over = self.browse([lead.id for lead in previous_executives])
        # the hand-over tells the new executive once, of everything: not Odoo's "you have
        # been assigned" per prospect, quote and call
        quiet = handed_over.with_context(mail_auto_subscribe_no_notify=True)
        for leads in (self - handed_over, quiet):
            for group, group_vals in leads._hmr_split_by_names(vals):
                super(CrmLead, group).write(group_vals)
                if group_vals is not vals and group_vals.get("contact_name"):
                    group.partner_id.write({"name": group_vals["contact_name"]})
        for lead in handed_over:
            lead._hmr_hand_over(previous_executives[lead])
        return True

    def _hmr_split_by_names(self, vals):
        """(prospects, values) to write: the title follows each prospect's own names, one
        write per resulting name when ``vals`` change names."""
        if not self:
            return []
        if not {"first_name", "last_name"} & vals.keys():
            return [(self, vals)]

        def names(lead):
            return vals.get("first_name", lead.first_name), vals.get("last_name", lead.last_name)

        return [
            (leads, self._prepare_prospect_names(dict(vals), first_name, last_name))
            for (first_name, last_name), leads in self.grouped(names).items()
        ]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_hmr_schedule_call(self):
        """D2, D6: plan a call to the prospect at a day and time."""
        self.ensure_one()
        self.check_access("read")
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
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id("hmr_crm_addon.hmr_call_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {
            "default_lead_id": self.id,
            "default_user_id": (self.user_id or self.env.user).id,
        }
        return action

    def action_hmr_send_message(self):
        """D7: email or SMS to the selected prospects, now or at a date and time."""
        self.check_access("read")
        return self._hmr_open_message_composer()

    def action_hmr_send_email(self):
        self.check_access("read")
        return self._hmr_open_message_composer("email")

    def action_hmr_send_sms(self):
        self.check_access("read")
        return self._hmr_open_message_composer("sms")

    def action_hmr_view_duplicates(self):
        """B6: the possible duplicates the user may open."""
        self.ensure_one()
        self.check_access("read")
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
    # PANEL STATUS: THE STAGE
    # ------------------------------------------------------------

    def _hmr_set_status(self, status):
        """Move the prospects to the stage (of their team) tagged ``status``."""
        for team, leads in self.grouped("team_id").items():
            stage = leads._stage_find(team_id=team.id, domain=[("hmr_status", "=", status)])
            if stage:
                leads.filtered(lambda lead, stage=stage: lead.stage_id != stage).stage_id = stage

    def _hmr_sync_status_from_quotes(self):
        """The fate of the prospect's quotes moves it on: a quote sent makes a pending
        prospect a deal, a quote confirmed wins it, even one marked not interested who
        signed after all (never a lost prospect with an accepted quote)."""
        for lead in self.filtered(lambda lead: lead.won_status != "won"):
            states = set(lead.order_ids.mapped("state"))
            if "sale" in states:
                lead.action_set_won()
            elif (
                lead.won_status == "pending"
                and "sent" in states
                and lead.hmr_status in PRE_DEAL_STATUSES
            ):
                lead._hmr_set_status("deal")

    # ------------------------------------------------------------
    # HAND-OVER TO ANOTHER EXECUTIVE
    # ------------------------------------------------------------

    def _hmr_get_previous_executives(self, vals):
        """{prospect: its executive} for the prospects that ``vals`` give to another
        executive (not those given to nobody, nor those nobody held). A lead given to an
        Odoo salesman outside the clinic's roles is assigned Odoo's way."""
        new_user = vals.get("user_id")
        if not new_user:
            return {}
        # Odoo's own code sometimes writes the user as a record rather than its id
        if not isinstance(new_user, models.BaseModel):
            new_user = self.env["res.users"].browse(new_user)
        if not new_user.sudo().has_group("hmr_crm_addon.group_hmr_executive"):
            return {}
        return {lead: lead.user_id for lead in self if lead.user_id and lead.user_id != new_user}

    def _hmr_get_open_quotes(self):
        """The quotes still being negotiated (quotation, sent): their salesperson follows
        the prospect. Confirmed and cancelled ones keep theirs: who won or lost them."""
        return self.order_ids.filtered(lambda order: order.state in ("draft", "sent"))

    def _hmr_get_followed_documents(self):
        """The documents whose followers and activities follow the prospect besides its
        quotes: the prospect itself (other addons add theirs)."""
        return [self]

    def _hmr_hand_over(self, previous):
        """The prospect went from ``previous`` to its new executive: hand over what the
        previous one held of it (its open quotes, their open activities there, the calls
        still to make) and stop telling them of it (they no longer read it), then tell the
        new executive once, in their language, of all they now hold. What is done or closed
        keeps its executive: the history stays true."""
        self.ensure_one()
        executive = self.user_id
        # by the clinic: the executive giving away a prospect may not write the colleague's
        # activities; Odoo's own "assigned" notices are replaced by the one below
        lead = self.sudo().with_context(
            mail_auto_subscribe_no_notify=True, mail_activity_quick_update=True
        )
        quotes = lead._hmr_get_open_quotes().filtered(lambda order: order.user_id == previous)
        quotes.write({"user_id": executive.id})
        documents = [quotes, *lead._hmr_get_followed_documents()]
        activities = lead.env["mail.activity"]
        for records in documents:
            activities |= records.activity_ids.filtered(lambda act: act.user_id == previous)
        activities.write({"user_id": executive.id})
        calls = lead._hmr_hand_over_calls(previous)
        for records in (*documents, calls):
            records.message_unsubscribe(partner_ids=previous.partner_id.ids)
        if executive != self.env.user:
            self._hmr_notify_hand_over(previous, quotes, activities, calls)

    def _hmr_hand_over_calls(self, previous):
        """The calls ``previous`` still had to make go to the new executive (a call is made
        by an executive only: the prospect's calls stay when it goes to someone else)."""
        calls = self.hmr_call_ids.filtered(
            lambda call: call.state == "planned" and call.user_id == previous
        )
        if self.user_id._hmr_get_non_executives():
            return calls.browse()
        calls.write({"user_id": self.user_id.id})
        return calls

    def _hmr_notify_hand_over(self, previous, quotes, activities, calls):
        # an executive who gave their prospect away no longer reads it
        executive = self.sudo().user_id

        def body(lead):
            # the reader's language and time zone: the calls' times are theirs
            env = lead.with_context(tz=executive.tz or lead.env.context.get("tz")).env
            lines = [self._hmr_hand_over_line(env, previous)]
            if quotes:
                names = ", ".join(quotes.mapped("name"))
                lines.append(env._("Quotes: %(quotes)s", quotes=names))
            for activity in activities.with_env(env):
                lines.append(
                    env._(
                        "Activity: %(type)s, %(summary)s (%(document)s, due %(deadline)s)",
                        type=activity.activity_type_id.name,
                        summary=activity.summary or "-",
                        document=activity.res_name,
                        deadline=format_date(env, activity.date_deadline),
                    )
                )
            if calls:
                times = ", ".join(calls.with_env(env).sorted("call_at").mapped("display_name"))
                lines.append(env._("Calls to make: %(calls)s", calls=times))
            return "\n".join(lines)

        self._hmr_notify_in_lang(
            executive.partner_id,
            subject=lambda lead: lead.env._(
                "Prospect handed over to you: %(prospect)s", prospect=lead.display_name
            ),
            body=body,
        )

    def _hmr_hand_over_line(self, env, previous):
        """Who handed the prospect over (the user making the change, a manager say: not the
        clinic the notice comes from) and, when that is someone else, whose it was; in
        ``env``'s language."""
        giver = self.env.user
        prospect = self.with_env(env).display_name
        if previous != giver:
            return env._(
                "%(user)s handed the prospect %(prospect)s over to you (it was %(previous)s's).",
                user=giver.name,
                prospect=prospect,
                previous=previous.name,
            )
        return env._(
            "%(user)s handed the prospect %(prospect)s over to you.",
            user=giver.name,
            prospect=prospect,
        )

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

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, html2plaintext


class CrmLead(models.Model):
    _inherit = "crm.lead"

    treatment_case_ids = fields.One2many("hmr.treatment.case", "lead_id", string="Treatments")
    treatment_case_count = fields.Integer(
        compute="_compute_treatment_case_count", string="Treatment Count"
    )
    doctor_ids = fields.Many2many(
        "res.users",
        "crm_lead_hmr_doctor_rel",  # created by HMR CRM, where the field was first: data stays
        "lead_id",
        "user_id",
        string="Assessing Doctors",
        copy=False,
        help="Diagnosis doctors given this prospect to assess: they may read it.",
    )
    # the prospect's consents as the staff see them on the prospect (the history included)
    hmr_marketing_consent = fields.Boolean(
        related="partner_id.hmr_marketing_consent", string="Accepts Marketing"
    )
    hmr_photo_publication_consent = fields.Boolean(
        related="partner_id.hmr_photo_publication_consent",
        string="Photos in Before/After Material",
    )
    hmr_privacy_consent_date = fields.Datetime(
        related="partner_id.hmr_privacy_consent_date", string="Privacy Consent On"
    )
    hmr_consent_log_ids = fields.One2many(
        related="partner_id.hmr_consent_log_ids", string="Consents History"
    )
    hmr_arco_request_ids = fields.One2many(
        "hmr.arco.request", "lead_id", string="Data-Protection Requests"
    )
    hmr_arco_request_count = fields.Integer(
        compute="_compute_hmr_arco_request_count", string="ARCO Requests"
    )
    hmr_arco_blocked = fields.Boolean(
        string="Data Blocked",
        readonly=True,
        copy=False,
        index=True,
        help="The prospect cancelled their data: it is no longer processed, and it is "
        "anonymised after the clinic's retention.",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("treatment_case_ids")
    def _compute_treatment_case_count(self):
        counts = dict(
            self.env["hmr.treatment.case"]._read_group(
                self._get_treatment_case_domain(), ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.treatment_case_count = counts.get(lead._origin, 0)

    @api.depends("hmr_arco_request_ids")
    def _compute_hmr_arco_request_count(self):
        counts = dict(
            self.env["hmr.arco.request"]._read_group(
                [("lead_id", "in", self._origin.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.hmr_arco_request_count = counts.get(lead._origin, 0)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_treatment_cases(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "hmr_treatments_addon.hmr_treatment_case_action"
        )
        action["domain"] = self._get_treatment_case_domain()
        action["context"] = {"default_lead_id": self.id}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_treatment_case_domain(self):
        return [("lead_id", "in", self._origin.ids)]

    def _hmr_get_prospect_page_url(self):
        """The page of the prospect's open treatment case (the latest one)."""
        self.ensure_one()
        case = self.sudo().treatment_case_ids.filtered(lambda c: c.state == "open")[-1:]
        if not case:
            return super()._hmr_get_prospect_page_url()
        return case.get_base_url() + case.get_portal_url()

    # ------------------------------------------------------------
    # HAND-OVER TO ANOTHER EXECUTIVE, LOSS AND RESTORATION
    # ------------------------------------------------------------

    def _hmr_get_open_quotes(self):
        """Also the quotes accepted whose case is still open: the follow-up of the
        acceptance (and its alert) is the new executive's."""
        accepted = self.order_ids.filtered(
            lambda order: order.state == "sale" and order.hmr_case_id.state == "open"
        )
        return super()._hmr_get_open_quotes() | accepted

    def _hmr_get_followed_documents(self):
        return [*super()._hmr_get_followed_documents(), self.treatment_case_ids]

    def write(self, vals):
        former_contacts = self._hmr_get_former_contacts(vals)
        if not {"active", "probability", "stage_id"} & vals.keys():
            res = super().write(vals)
        else:
            # Odoo's loss archives, then sets the probability to 0: the fate is read after
            # each write, whichever of Odoo's ways (Lost button, restore, unarchive) made it
            were_lost = self.filtered(lambda lead: lead.won_status == "lost")
            res = super().write(vals)
            (self - were_lost).filtered(lambda lead: lead.won_status == "lost")._hmr_on_lost()
            were_lost.filtered(lambda lead: lead.won_status != "lost")._hmr_on_restored()
        for lead, former in former_contacts.items():
            lead.with_context(active_test=False).treatment_case_ids._hmr_leave_contact(former)
        return res

    def _hmr_get_former_contacts(self, vals):
        """The prospects whose contact ``vals`` replaces, with the contact they had."""
        if "partner_id" not in vals:
            return {}
        return {
            lead: lead.partner_id
            for lead in self
            if lead.partner_id and lead.partner_id.id != vals["partner_id"]
        }

    def _hmr_on_lost(self):
        """A prospect lost closes its cases in progress, except those whose quote the
        prospect may still sign (who signs is a client after all)."""
        cases = self.sudo().treatment_case_ids.filtered(
            lambda case: (
                case.state == "open"
                and not case.order_ids.filtered(lambda order: order.state == "sent")
            )
        )
        cases._hmr_close_with_prospect()

    def _hmr_on_restored(self):
        """A prospect restored takes up the cases its loss closed, where they were."""
        cases = self.sudo().treatment_case_ids.filtered("closed_with_prospect")
        cases._hmr_reopen_with_prospect()

    # ------------------------------------------------------------
    # CONSENTS: recorded by the staff with their name, for a consent the prospect
    # gave or withdrew in front of them (phone, in person, in writing)
    # ------------------------------------------------------------

    def action_hmr_marketing_consent_given(self):
        return self._hmr_staff_consent("marketing", True)

    def action_hmr_marketing_consent_withdrawn(self):
        return self._hmr_staff_consent("marketing", False)

    def action_hmr_photo_consent_given(self):
        return self._hmr_staff_consent("photo_publication", True)

    def action_hmr_photo_consent_withdrawn(self):
        return self._hmr_staff_consent("photo_publication", False)

    def _hmr_staff_consent(self, purpose, given):
        """Record, with the rights of the staff member on the prospect, the consent the
        prospect gave or withdrew in front of them."""
        self.ensure_one()
        self.check_access("write")
        if not self.env.user.has_group("hmr_crm_addon.group_hmr_executive"):
            raise UserError(self.env._("Only the clinic's staff can record a consent."))
        if not self.partner_id:
            raise UserError(self.env._("The prospect has no contact yet: save their email first."))
        partner = self.partner_id
        if given:
            partner._hmr_give_consent(purpose, "staff", staff_user=self.env.user)
        else:
            partner._hmr_withdraw_consent(purpose, "staff", staff_user=self.env.user)
        return True

    # ------------------------------------------------------------
    # PUBLIC WEB FORM (B1)
    # ------------------------------------------------------------

    @api.model
    def _hmr_create_from_web_form(self, values, treatment, team=None):
        """A visitor of the website becomes a prospect: their own contact (with their
        language and consent to the privacy notice), source "website", the sales executive
        given by the clinic's rule, and the case of the chosen treatment.

        The clinic creates them (``_hmr_as_clinic``): the messages of the prospect's
        creation and of the executive's assignment are not authored by the public user.

        :param dict values: the checked fields of the form (names, email, phone...)
        :return: the treatment case (sudo)
        """
        lead_model = self._hmr_as_clinic().with_context(mail_create_nosubscribe=True)
        executive = lead_model._hmr_take_web_executive(team)
        lead_values = lead_model._prepare_prospect_names(
            self._hmr_prepare_web_lead_values(values, executive, team)
        )
        # an email typed by a visitor proves no identity: they get a contact of their own,
        # never a known patient's (whose language and consent they would overwrite)
        partner = lead_model.env["res.partner"].create(
            {
                **lead_model._prepare_prospect_partner_values(lead_values),
                "lang": values.get("lang") or False,
            }
        )
        lead = lead_model.create({**lead_values, "partner_id": partner.id})
        lead.partner_id._hmr_record_privacy_consent("web_form")
        return lead.env["hmr.treatment.case"].create(
            {"lead_id": lead.id, "treatment_id": treatment.id}
        )

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.user.share:
            for vals in vals_list:
                self._hmr_give_public_lead_to_executive(vals)
        return super().create(vals_list)

    @api.model
    def _hmr_give_public_lead_to_executive(self, vals):
        """A lead a visitor or a patient creates (Odoo's website contact form, a public
        survey) goes to a sales executive, by the clinic's rule, unless it already
        names one: the team's default salesperson may be a plain Odoo user."""
        user = self.env["res.users"].browse(vals.get("user_id"))
        if user and not user._hmr_get_non_executives():
            return
        team = self.env["crm.team"].browse(vals.get("team_id"))
        if executive := self._hmr_take_web_executive(team) or self._hmr_take_web_executive():
            vals["user_id"] = executive.id

    @api.model
    def _hmr_prepare_web_lead_values(self, values, executive, team):
        source = self.env.ref("hmr_crm_addon.utm_source_website", raise_if_not_found=False)
        return {
            "type": "opportunity",
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "email_from": values["email_from"],
            "phone": values.get("phone") or False,
            "description": values.get("description") or False,
            "source_id": source.id if source else False,
            "user_id": executive.id or False,
            "team_id": (team.id if team else False) or False,
            "lang_id": self._hmr_get_lang_id(values.get("lang")),
        }

    @api.model
    def _hmr_get_lang_id(self, code):
        return self.env["res.lang"]._get_data(code=code).id or False if code else False

    @api.model
    def _hmr_get_web_executive_domain(self, team=None):
        """Who may be given the website's prospects: the active sales executives (not the
        managers, who see every prospect anyway), restricted to the members of the
        website's sales team when it has members."""
        managers = self.env.ref("hmr_crm_addon.group_hmr_manager").sudo().all_user_ids
        domain = Domain(self._get_sales_executive_domain()) & Domain("id", "not in", managers.ids)
        if team and team.member_ids:
            domain &= Domain("id", "in", team.member_ids.ids)
        return domain

    @api.model
    def _hmr_take_web_executive(self, team=None):
        """B1, the clinic's rule: the executive with the fewest open prospects (ties: the
        lowest id). The chosen executive's row is written in the same transaction, so that
        two forms sent at the same time cannot both go to the same executive unseen: the
        second one fails on that row and is retried by the HTTP layer, then sees the new
        count. No executive: the prospect stays unassigned for the managers."""
        users = self.env["res.users"].sudo().search(self._hmr_get_web_executive_domain(team))
        if not users:
            return users
        counts = dict(
            self.sudo()._read_group(
                [("user_id", "in", users.ids), ("won_status", "=", "pending")],
                ["user_id"],
                ["__count"],
            )
        )
        executive = min(users, key=lambda user: (counts.get(user, 0), user.id))
        self.env.cr.execute(
            SQL("UPDATE res_users SET write_date = write_date WHERE id = %s", executive.id)
        )
        return executive

    # ------------------------------------------------------------
    # DATA-PROTECTION RIGHTS (ACCESS, CANCELLATION)
    # ------------------------------------------------------------

    def action_view_hmr_arco_requests(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "hmr_treatments_addon.hmr_arco_request_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def _hmr_arco_export_contact(self):
        """The prospect's contact data as the clinic holds it."""
        self.ensure_one()
        partner = self.partner_id
        return {
            "name": self.contact_name or partner.name,
            "first_name": self.first_name,
            "surnames": self.last_name,
            "birth_date": self.birth_date,
            "email": self.email_from or partner.email,
            "phone": self.phone or partner.phone,
            "whatsapp": self.whatsapp,
            "address": partner.contact_address or "",
            "language": self.lang_id.name or partner.lang,
            "source": self.source_id.name,
            "contact_method": self.contact_method_id.name,
            "sales_executive": self.user_id.name,
            "stage": self.stage_id.name,
            "created_on": self.create_date,
            "description": self.description and html2plaintext(self.description),
        }

    def _hmr_arco_export_consents(self):
        self.ensure_one()
        Log = self.env["hmr.consent.log"]
        # the words the prospect reads, not the codes
        labels = {
            name: dict(Log._fields[name]._description_selection(self.env))
            for name in ("purpose", "action", "channel")
        }
        partner = self.partner_id
        email = self.email_from or partner.email
        blacklisted = bool(
            email and self.env["mail.blacklist"].sudo()._search([("email", "=", email)], limit=1)
        )
        return {
            "privacy_notice_accepted_on": partner.hmr_privacy_consent_date,
            "privacy_notice_version": partner.hmr_privacy_notice_version,
            "privacy_consent_channel": partner.hmr_privacy_consent_channel,
            "marketing_emails_refused": blacklisted,
            "marketing_consent": partner.hmr_marketing_consent,
            "photo_publication_consent": partner.hmr_photo_publication_consent,
            "history": [
                {
                    "date": log.date,
                    "purpose": labels["purpose"].get(log.purpose),
                    "action": labels["action"].get(log.action),
                    "channel": labels["channel"].get(log.channel),
                    "notice_version": log.notice_version,
                }
                for log in partner.sudo().hmr_consent_log_ids
            ],
        }

    def _hmr_arco_block(self):
        """Cancellation: stop every processing of these prospects at once. Their open
        quotes are cancelled, their cases closed (no reminder, no alert), their calls and
        to-dos dropped, the prospect no longer follows any document (no message reaches
        them) and is lost; a portal account is closed."""
        self.write({"hmr_arco_blocked": True})
        cases = self.treatment_case_ids
        orders = self.order_ids | cases.order_ids
        orders.filtered(lambda order: order.state in ("draft", "sent"))._action_cancel()
        cases.filtered(lambda case: case.state == "open")._close("lost")
        cases.write({"closed_with_prospect": False, "next_photo_reminder_at": False})
        self.hmr_call_ids.filtered(lambda call: call.state == "planned").write(
            {"state": "cancelled"}
        )
        partners = self.partner_id
        for documents in (self, cases, orders):
            documents.message_unsubscribe(partner_ids=partners.ids)
            documents.activity_ids.unlink()
            self.env["mail.scheduled.message"].search(
                [("model", "=", documents._name), ("res_id", "in", documents.ids)]
            ).unlink()
        self._hmr_arco_cancel_queued_mails()
        partners.user_ids.filtered("share").write({"active": False})
        # a won prospect (a patient) stays won, blocked; the others are lost
        self.filtered(lambda lead: lead.active and not lead.stage_id.is_won).action_set_lost()

    def _hmr_arco_cancel_queued_mails(self):
        """The emails to these prospects still in Odoo's queue never leave (the answer to
        their data-protection request excepted: they are told of it)."""
        addresses = {
            address
            for lead in self
            for address in (lead.email_from, lead.partner_id.email)
            if address
        }
        recipients = Domain("recipient_ids", "in", self.partner_id.ids)
        for address in addresses:
            recipients |= Domain("email_to", "ilike", address)
        self.env["mail.mail"].search(
            Domain("state", "in", ("outgoing", "exception"))
            & Domain("model", "!=", "hmr.arco.request")
            & recipients
        ).cancel()

    def _hmr_arco_is_patient(self):
        """A prospect who bought a treatment has a clinical and fiscal record the law
        makes the clinic keep (the quotes accepted, the invoices)."""
        self.ensure_one()
        if (self.order_ids | self.treatment_case_ids.order_ids).filtered(
            lambda order: order.state == "sale"
        ):
            return True
        return bool(
            self.partner_id
            and self.env["account.move"].search_count(
                [("partner_id", "=", self.partner_id.id), ("state", "=", "posted")], limit=1
            )
        )

    def _hmr_arco_anonymize(self):
        """After the retention, erase what the clinic no longer needs: for a prospect who
        never became a patient, everything (photos, answers, assessments, quotes,
        messages, cases) and their names and contact data; for a patient, their contact
        and marketing data only, the clinical record (cases, assessments, photos) and the
        fiscal one (accepted quotes, invoices, the name on them) being kept."""
        for lead in self:
            partner = lead.partner_id
            if lead._hmr_arco_is_patient():
                lead.write(lead._hmr_arco_prepare_patient_values())
                partner.write({"email": False, "phone": False})
                continue
            cases = lead.treatment_case_ids
            orders = lead.order_ids | cases.order_ids
            documents = [(lead._name, lead.ids), (cases._name, cases.ids)]
            documents += [(orders._name, orders.ids), (partner._name, partner.ids)]
            for model, ids in documents:
                self.env["mail.message"].search(
                    [("model", "=", model), ("res_id", "in", ids)]
                ).unlink()
            cases.photo_ids.unlink()
            cases.survey_user_input_id.unlink()
            orders.unlink()
            cases.unlink()
            lead.hmr_call_ids.unlink()
            lead.write(lead._hmr_arco_prepare_anonymous_values())
            if partner:
                partner.write(lead._hmr_arco_prepare_anonymous_partner_values())

    def _hmr_arco_prepare_patient_values(self):
        return {"email_from": False, "phone": False, "whatsapp": False, "description": False}

    def _hmr_arco_prepare_anonymous_values(self):
        name = self.env._("Anonymised prospect")
        return {
            **self._hmr_arco_prepare_patient_values(),
            "name": name,
            "contact_name": False,
            "first_name": False,
            "last_name": False,
            "birth_date": False,
            "partner_name": False,
            "function": False,
            "street": False,
            "street2": False,
            "city": False,
            "zip": False,
            "website": False,
            "hmr_sale_comment": False,
        }

    def _hmr_arco_prepare_anonymous_partner_values(self):
        return {
            "name": self.env._("Anonymised prospect"),
            "email": False,
            "phone": False,
            "street": False,
            "street2": False,
            "city": False,
            "zip": False,
            "vat": False,
            "website": False,
            "comment": False,
            "function": False,
            "image_1920": False,
        }

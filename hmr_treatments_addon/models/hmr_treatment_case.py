import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import html2plaintext
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# the to-dos the process gives the staff on the case: they end with the case
PROCESS_ACTIVITY_TYPES = [
    "hmr_treatments_addon.mail_activity_type_hmr_assessment",
    "hmr_treatments_addon.mail_activity_type_hmr_quote",
]


class HmrTreatmentCase(models.Model):
    """One treatment followed by one prospect (P2): the prospect goes through the
    treatment's process, with its own chatter, activities and attachments (P5)."""

    _name = "hmr.treatment.case"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Treatment Case"
    _order = "id"
    _rec_names_search = ["treatment_id", "lead_id"]
    # the assessing doctors only read the case, yet must be able to comment on it
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name")
    active = fields.Boolean(default=True, tracking=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Prospect",
        required=True,
        ondelete="cascade",
        index=True,
        tracking=True,
    )
    treatment_id = fields.Many2one(
        "hmr.treatment",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    process_id = fields.Many2one(related="treatment_id.process_id", store=True, index=True)
    user_id = fields.Many2one(
        related="lead_id.user_id", string="Sales Executive", store=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(related="lead_id.partner_id", store=True, index="btree_not_null")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index="btree_not_null")

    # the process: the current step and the state of the whole case
    step_id = fields.Many2one(
        "hmr.process.step",
        tracking=True,
        index=True,
        copy=False,
        group_expand="_read_group_step_ids",
        domain="[('process_id', '=', process_id)]",
    )
    step_kind = fields.Selection(related="step_id.kind", store=True)
    state = fields.Selection(
        [("open", "In Progress"), ("done", "Done"), ("lost", "Lost")],
        default="open",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    step_date = fields.Datetime(
        string="Step Since", copy=False, help="When the case entered its current step."
    )
    closed_with_prospect = fields.Boolean(
        readonly=True,
        copy=False,
        help="Closed because its prospect was lost: restoring the prospect reopens it.",
    )
    # step "photos" (S1)
    photo_ids = fields.One2many("hmr.case.photo", "case_id", string="Photos")
    photo_count = fields.Integer(compute="_compute_photo_state", store=True)
    photo_required_count = fields.Integer(compute="_compute_photo_state", store=True)
    photos_complete = fields.Boolean(compute="_compute_photo_state", store=True)
    missing_photo_slot_ids = fields.Many2many(
        "hmr.photo.slot", compute="_compute_missing_photo_slot_ids", string="Missing Photos"
    )
    photo_reminder_count = fields.Integer(copy=False, readonly=True)
    next_photo_reminder_at = fields.Datetime(copy=False, readonly=True, index="btree_not_null")
    # step "assessment" (S2)
    doctor_id = fields.Many2one(
        "res.users", string="Diagnosis Doctor", tracking=True, index="btree_not_null", copy=False
    )
    awaiting_doctor = fields.Boolean(
        copy=False, readonly=True, index=True, help="No diagnosis doctor could take it yet."
    )
    assessment_ids = fields.One2many("hmr.assessment", "case_id", string="Assessments")
    # steps "quote", "answer", "follow-up" (S2.3-S3.4)
    order_ids = fields.One2many("sale.order", "hmr_case_id", string="Quotes")
    # the prospect's own page (B2): portal.mixin gives the access token of the link
    survey_user_input_id = fields.Many2one(
        "survey.user_input",
        string="Questionnaire Answers",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups="base.group_user",
        help="The prospect's answers to the questionnaire of the treatment.",
    )
    hmr_arco_request_count = fields.Integer(
        related="lead_id.hmr_arco_request_count", string="ARCO Requests"
    )
    hmr_privacy_consent_date = fields.Datetime(
        related="partner_id.hmr_privacy_consent_date",
        string="Privacy Consent On",
        groups="base.group_user",
    )

    _lead_treatment_uniq = models.Constraint(
        "unique(lead_id, treatment_id)",
        "This treatment is already assigned to this prospect "
        "(if the assignment was archived, restore it instead).",
    )

    @api.depends_context("lang")
    @api.depends("treatment_id.name", "lead_id.contact_name", "lead_id.name")
    def _compute_name(self):
        for case in self:
            prospect = case.lead_id.contact_name or case.lead_id.name
            case.name = " \N{EN DASH} ".join(
                part for part in (case.treatment_id.name, prospect) if part
            )

    @api.depends_context("lang")  # the name is translated: so is the name Odoo shows
    def _compute_display_name(self):
        return super()._compute_display_name()

    @api.depends("photo_ids.slot_id", "process_id.step_ids.photo_slot_ids")
    def _compute_photo_state(self):
        for case in self:
            slots = case._get_photo_slots()
            filled = case.photo_ids.slot_id & slots
            case.photo_count = len(filled)
            case.photo_required_count = len(slots)
            case.photos_complete = len(filled) == len(slots)

    @api.depends("photo_ids.slot_id", "process_id")
    def _compute_missing_photo_slot_ids(self):
        for case in self:
            case.missing_photo_slot_ids = case._get_photo_slots() - case.photo_ids.slot_id

    @api.model
    def _read_group_step_ids(self, steps, domain):
        process_ids = self.env.context.get("default_process_id")
        if process_ids:
            return steps.search([("process_id", "=", process_ids)])
        return steps

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        cases = super().create(vals_list)
        cases._start_process()
        return cases

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_mark_lost(self):
        self.ensure_one()
        self.check_access("write")
        self._close("lost")

    def action_reopen(self):
        self.ensure_one()
        self.check_access("write")
        if self.state == "open":
            return
        self.write({"state": "open", "closed_with_prospect": False})
        self._enter_step(self.step_id)

    def action_create_quote(self):
        """S2.3: the quote of the case, prefilled from the treatment's products (the
        graft estimate as quantity where a product is quoted per graft) and the clinic's
        pricelist. The doctor then saves it or sends it (S2.4)."""
        self.ensure_one()
        self.check_access("read")
        order = self.order_ids.filtered(lambda o: o.state in ("draft", "sent"))[:1]
        if not order:
            order = self.env["sale.order"].create(self._prepare_quote_values())
            self.sudo().activity_feedback(["hmr_treatments_addon.mail_activity_type_hmr_quote"])
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_assessment(self):
        """Open the doctor's current assessment of the case."""
        self.ensure_one()
        self.check_access("read")
        assessment = self.assessment_ids.filtered(lambda a: a.state == "open")[:1]
        assessment = assessment or self.assessment_ids[:1]
        if not assessment:
            raise UserError(self.env._("No diagnosis doctor was given this case yet."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "hmr.assessment",
            "res_id": assessment.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_view_quotes(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale.action_quotations_with_onboarding"
        )
        action.update(
            domain=[("hmr_case_id", "=", self.id)],
            context={"default_hmr_case_id": self.id, "create": False},
        )
        return action

    def action_send_photo_reminder(self):
        """Send the reminder of the missing photos now (S1.3)."""
        self.ensure_one()
        self.check_access("write")
        if self.step_kind != "photos" or self.photos_complete:
            raise UserError(self.env._("This prospect has no photo missing."))
        self._send_photo_reminders()

    # ------------------------------------------------------------
    # PROCESS ENGINE: each kind of step has its behaviour here, the
    # order of the steps and their settings are data (S4)
    # ------------------------------------------------------------

    def _get_photo_slots(self):
        self.ensure_one()
        return self.process_id._get_step("photos").photo_slot_ids

    def _start_process(self):
        for case in self:
            first_step = case.process_id._get_first_step()
            if first_step:
                case._enter_step(first_step)

    def _get_next_step(self):
        self.ensure_one()
        steps = self.process_id.step_ids
        if self.step_id not in steps:
            return steps[:1]
        return steps[list(steps).index(self.step_id) + 1 :][:1]

    def _advance(self, from_kind):
        """Leave the current step when it is of kind ``from_kind``: enter the next
        one, or close the case after the last step."""
        for case in self.filtered(lambda c: c.state == "open" and c.step_kind == from_kind):
            next_step = case._get_next_step()
            if next_step:
                case._enter_step(next_step)
            else:
                case._close("done")

    def _enter_step(self, step):
        self.ensure_one()
        self.write({"step_id": step.id, "step_date": fields.Datetime.now()})
        getattr(self, f"_enter_step_{step.kind}")()

    def _close(self, state):
        self.write({"state": state, "next_photo_reminder_at": False})
        self._release_doctor()
        # reopened, the case's step schedules them again
        self.sudo().activity_unlink(PROCESS_ACTIVITY_TYPES)

    def _hmr_close_with_prospect(self):
        """The prospect was lost: no reminder, no doctor, no to-do for the case any more,
        until the prospect is restored (see ``_hmr_reopen_with_prospect``)."""
        self._close("lost")
        self.write({"closed_with_prospect": True})

    def _hmr_reopen_with_prospect(self):
        """The lost prospect was restored: the cases its loss closed go on where they
        were, their step starting again (the photo reminder, the least-loaded doctor, the
        quote to prepare)."""
        for case in self.filtered("closed_with_prospect"):
            case.action_reopen()

    def _enter_step_photos(self):
        if self.photos_complete:
            self._advance("photos")
        else:
            # S1.3: the prospect hears what is missing right away, then at the cadence
            self.next_photo_reminder_at = fields.Datetime.now()

    def _enter_step_assessment(self):
        self._notify_doctors_new_assessment()
        self._assign_least_loaded_doctor()

    def _enter_step_quote(self):
        responsible = self.doctor_id or self.user_id
        if responsible:
            self._hmr_activity_schedule(
                "hmr_treatments_addon.mail_activity_type_hmr_quote",
                responsible,
                note=lambda case: case.env._("Prepare the quote of %(case)s.", case=case.name),
            )

    def _enter_step_answer(self):
        """Nothing to do: the prospect answers on the portal (S3.1)."""

    def _enter_step_follow_up(self):
        """The acceptance schedules the follow-up (S3.4), see sale.order."""

    def _on_photos_changed(self):
        """Called by the photos after every upload or removal. Complete cases move on
        by the clinic, whoever sent the last photo (the prospect on their page)."""
        self.flush_recordset(["photos_complete"])
        complete = self.filtered("photos_complete")._hmr_as_clinic()
        complete.write({"next_photo_reminder_at": False})
        complete._advance("photos")

    # ------------------------------------------------------------
    # PHOTO REMINDERS (S1.2, S1.3)
    # ------------------------------------------------------------

    def _get_photo_reminder_due_domain(self):
        return Domain(
            [
                ("state", "=", "open"),
                ("step_kind", "=", "photos"),
                ("photos_complete", "=", False),
                ("next_photo_reminder_at", "<=", fields.Datetime.now()),
            ]
        )

    def _send_photo_reminders(self):
        """Mail each prospect what is still missing, and plan the next reminder in the
        same transaction (the marker makes the cron exactly-once). Past the maximum
        number of reminders, the sales executive gets an activity instead."""
        now = fields.Datetime.now()
        by_step = self.grouped("step_id")
        for step, cases in by_step.items():
            exhausted = cases.filtered(
                lambda c, step=step: c.photo_reminder_count >= step.reminder_max_count
            )
            to_remind = cases - exhausted
            if to_remind and step.reminder_template_id:
                step.reminder_template_id.send_mail_batch(to_remind.ids)
            for count, group in to_remind.grouped("photo_reminder_count").items():
                group.write(
                    {
                        "photo_reminder_count": count + 1,
                        "next_photo_reminder_at": now
                        + timedelta(hours=step.reminder_interval_hours),
                    }
                )
            if exhausted:
                exhausted.write({"next_photo_reminder_at": False})
                exhausted._schedule_executive_activity(
                    _lt("The prospect did not send the missing photos after the reminders.")
                )

    @api.model
    def _cron_send_photo_reminders(self, batch_size=None):
        domain, order = self._get_photo_reminder_due_domain(), "next_photo_reminder_at, id"
        self.env["ir.cron"]._hmr_process_batches(
            self, domain, "_send_photo_reminders", batch_size=batch_size, order=order
        )

    # ------------------------------------------------------------
    # DIGEST OF INCOMPLETE PROFILES (S1.4)
    # ------------------------------------------------------------

    def _get_incomplete_profile_domain(self):
        return Domain(
            [
                ("state", "=", "open"),
                ("step_kind", "=", "photos"),
                ("photos_complete", "=", False),
                ("user_id", "!=", False),
            ]
        )

    @api.model
    def _cron_send_incomplete_profiles_digest(self):
        """One message per sales executive listing all their incomplete prospects."""
        domain = self._get_incomplete_profile_domain()
        [(executives,)] = self._read_group(domain, aggregates=["user_id:recordset"])
        template = self.env.ref("hmr_treatments_addon.mail_template_hmr_incomplete_digest")
        template.send_mail_batch(executives.ids)
        self.env["ir.cron"]._commit_progress(len(executives))

    # ------------------------------------------------------------
    # DIAGNOSIS DOCTORS (S2.1, S2.2)
    # ------------------------------------------------------------

    def _notify_doctors_new_assessment(self):
        """S2.1: one message to all diagnosis doctors, whoever gets the assessment (one
        per language spoken by the doctors)."""
        doctors = self.env["res.users"]._hmr_get_diagnosis_doctors()
        if not doctors:
            return
        self._hmr_notify_in_lang(
            doctors.partner_id,
            subject=lambda case: case.env._("New prospect to assess: %(case)s", case=case.name),
            body=lambda case: case.env._(
                "%(case)s completed the photos: a new assessment is waiting.", case=case.name
            ),
            model_description=_lt("Assessment"),
        )

    def _assign_least_loaded_doctor(self):
        """S2.2: the assessment goes to the doctor with the fewest open ones."""
        doctor = self.env["hmr.assessment"]._take_least_loaded_doctor()
        if not doctor:
            self.awaiting_doctor = True
            self._notify_managers_no_doctor()
            return
        self._hmr_give_to_doctor(doctor)

    def _hmr_give_to_doctor(self, doctor, assessment=None):
        """The case's assessment goes to ``doctor``: the doctor reads the prospect and
        gets the activity. ``assessment``: the open one to move to them (their former
        doctor left), else a new one is created."""
        self.ensure_one()
        self.write({"doctor_id": doctor.id, "awaiting_doctor": False})
        self.lead_id.sudo().doctor_ids = [fields.Command.link(doctor.id)]
        if assessment:
            assessment.sudo().write({"doctor_id": doctor.id})
        else:
            self.env["hmr.assessment"].sudo().create({"case_id": self.id, "doctor_id": doctor.id})
        self._hmr_activity_schedule(
            "hmr_treatments_addon.mail_activity_type_hmr_assessment",
            doctor,
            note=lambda case: case.env._("Assess %(case)s and prepare the quote.", case=case.name),
        )

    def _notify_managers_no_doctor(self):
        manager_group = self.env.ref("hmr_crm_addon.group_hmr_manager")
        manager = manager_group.user_ids.filtered(lambda u: u.active and not u.share)[:1]
        if manager:
            self._hmr_activity_schedule(
                "mail.mail_activity_data_todo",
                manager,
                summary=_lt("No diagnosis doctor available"),
                note=lambda case: case.env._(
                    "%(case)s is ready for its assessment but no diagnosis doctor is "
                    "available: it will be assigned as soon as one is.",
                    case=case.name,
                ),
            )

    @api.model
    def _assign_waiting_cases(self):
        """Give the cases that wait for a doctor to the doctors now available."""
        for case in self.search([("awaiting_doctor", "=", True), ("state", "=", "open")]):
            case._assign_least_loaded_doctor()
            if case.awaiting_doctor:
                return

    def _hmr_reassign_open_assessments(self):
        """S2.2, reliability: the diagnosis doctor of these cases left (archived) while
        their assessments were open. Each open assessment moves to the least-loaded
        remaining doctor with a new activity; without any doctor left, it is cancelled
        and the case waits for the next doctor, a manager being told, as a case that
        found no doctor does."""
        activity_type = "hmr_treatments_addon.mail_activity_type_hmr_assessment"
        for case in self.filtered(lambda c: c.state == "open"):
            open_assessments = case.assessment_ids.filtered(lambda a: a.state == "open")
            if not open_assessments:
                continue
            # the former doctor's to-do goes with the assessment
            case.sudo().activity_unlink([activity_type])
            # one open assessment per case: any other one is cancelled
            assessment, extra = open_assessments[:1], open_assessments[1:]
            extra.sudo().write({"state": "cancelled"})
            doctor = self.env["hmr.assessment"]._take_least_loaded_doctor()
            if doctor:
                case._hmr_give_to_doctor(doctor, assessment=assessment)
            else:
                assessment.sudo().write({"state": "cancelled"})
                case.write({"doctor_id": False, "awaiting_doctor": True})
                case._notify_managers_no_doctor()

    def _release_doctor(self):
        """The case closed before its doctor assessed it: the open assessment is
        cancelled and the doctor no longer holds the case, which frees their workload
        (they still read the prospect they started to assess)."""
        open_assessments = self.assessment_ids.filtered(lambda a: a.state == "open")
        open_assessments.sudo().write({"state": "cancelled"})
        open_assessments.case_id.write({"doctor_id": False})

    # ------------------------------------------------------------
    # QUOTE (S2.3)
    # ------------------------------------------------------------

    def _prepare_quote_values(self):
        self.ensure_one()
        pricelist = self.env.ref("hmr_treatments_addon.hmr_pricelist", raise_if_not_found=False)
        values = {
            "partner_id": self.partner_id.id,
            "opportunity_id": self.lead_id.id,
            "hmr_case_id": self.id,
            "user_id": self.user_id.id,
            "team_id": self.lead_id.team_id.id,
            "origin": self.name,
            "order_line": [
                fields.Command.create(self._prepare_quote_line_values(product))
                for product in self.treatment_id.product_ids
            ],
        }
        if pricelist and pricelist.active:
            values["pricelist_id"] = pricelist.id
        return values

    def _prepare_quote_line_values(self, product):
        grafts = self.assessment_ids.filtered(lambda a: a.state == "done")[:1].graft_estimate
        quantity = grafts if product.hmr_quantity_from_grafts and grafts else 1
        return {"product_id": product.id, "product_uom_qty": quantity}

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _schedule_executive_activity(self, note):
        """A to-do for the executive of each case, in their language, scheduled in one
        batch per executive (Q6). The activities show in the executive's activities and
        the daily digest lists the cases (S1.4): no "assigned to you" mail per case
        (``mail_activity_quick_update``), which would cost a mail per case.
        ``note``: a lazy translation."""
        for executive, cases in self.filtered("user_id").grouped("user_id").items():
            cases = cases._hmr_with_lang_of(executive)
            # each activity reads the name of its case alone: compute them all at once
            cases.mapped("display_name")
            cases.with_context(mail_activity_quick_update=True)._hmr_activity_schedule(
                "mail.mail_activity_data_todo",
                executive,
                summary=_lt("Photos still missing"),
                note=note,
            )

    # ------------------------------------------------------------
    # PROSPECT PORTAL AND PRIVACY CONSENT (B1, B2, B3)
    # ------------------------------------------------------------

    def _compute_access_url(self):
        for case in self:
            case.access_url = f"/my/hmr/cases/{case.id}"

    def action_hmr_record_privacy_consent(self):
        """The staff confirm that the prospect accepted the privacy notice (in person, on
        paper, by phone): it is recorded with their name, and photos may then be stored
        on the prospect's behalf (B3)."""
        self.ensure_one()
        self.check_access("write")
        if not self.env.user.has_group("hmr_crm_addon.group_hmr_executive"):
            raise UserError(self.env._("Only the clinic's staff can record a consent."))
        if self.partner_id._hmr_record_privacy_consent("staff", staff_user=self.env.user):
            self.message_post(
                body=self.env._(
                    "%(user)s recorded that the prospect accepted the privacy notice.",
                    user=self.env.user.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _hmr_check_privacy_consent(self):
        """Refuse (in the prospect's language) when a prospect did not consent yet."""
        for case in self:
            if not case.partner_id or not case.partner_id._hmr_has_privacy_consent():
                raise UserError(
                    self.env._(
                        "Before we can receive your photos, please accept the privacy notice."
                    )
                )

    def _hmr_get_portal_slots(self):
        """The photo slots the prospect sees on their page, with their photo (sudo)."""
        self.ensure_one()
        slots = self._get_photo_slots()
        photos = self.sudo().photo_ids.grouped("slot_id")
        return [(slot, photos.get(slot, self.env["hmr.case.photo"])) for slot in slots]

    def _hmr_store_photo(self, slot, image, privacy_consent=False):
        """Store ``image`` (base64, as sent) in the photo ``slot`` of this case, replacing
        the photo already there; the photo model checks and cleans it. Called with the
        rights of the sender: the staff with their own, the prospect's page as superuser
        once it checked the link; only there does ``privacy_consent``, the box the
        prospect ticked next to the photo, record their consent (B3)."""
        self.ensure_one()
        if privacy_consent and self.env.su:
            self.partner_id._hmr_record_privacy_consent("portal")
        self._hmr_check_privacy_consent()
        photo = self.photo_ids.filtered(lambda p: p.slot_id == slot)
        if photo:
            photo.write({"image": image})
            return photo
        return self.env["hmr.case.photo"].create(
            {"case_id": self.id, "slot_id": slot.id, "image": image}
        )

    def _hmr_leave_contact(self, former_contact):
        """The prospect's contact was replaced by another one (a wrong person, a
        duplicate): the links sent to the former contact (the page, the quotes, the
        questionnaire) stop working at once, and it no longer follows them."""
        cases = self.sudo()
        for documents in (cases, cases.order_ids):
            documents.write({"access_token": False})
            for document in documents:
                document._portal_ensure_token()
            documents.message_unsubscribe(partner_ids=former_contact.ids)
        for case in cases.filtered("survey_user_input_id"):
            case.survey_user_input_id.write(
                {"access_token": str(uuid.uuid4()), "partner_id": case.partner_id.id}
            )

    def _hmr_get_survey(self):
        self.ensure_one()
        return self.sudo().treatment_id.survey_id.filtered("active")

    def _hmr_get_survey_state(self):
        """``False`` without questionnaire, else ``new``, ``in_progress`` or ``done``."""
        self.ensure_one()
        if not self._hmr_get_survey():
            return False
        answer = self.sudo().survey_user_input_id
        return answer.state if answer else "new"

    def _hmr_get_survey_answer(self):
        """The prospect's answers to the treatment's questionnaire (sudo), created on the
        first visit and kept on the case, so that they resume where they stopped."""
        self.ensure_one()
        case_sudo = self.sudo()
        survey = self._hmr_get_survey()
        answer = case_sudo.survey_user_input_id
        if survey and answer.survey_id != survey:
            answer = survey._create_answer(partner=case_sudo.partner_id, check_attempts=False)
            case_sudo.survey_user_input_id = answer
        return answer

    def _hmr_send_web_acknowledgment(self):
        """B1: the visitor who filled the web form hears from us right away, with the link
        to their own page; the acknowledgment counts as the first reminder of the photos."""
        template = self.env.ref(
            "hmr_treatments_addon.mail_template_hmr_web_acknowledgment", raise_if_not_found=False
        )
        if not template:
            return
        for case in self:
            case._portal_ensure_token()
            template.send_mail(case.id)
            step = case.step_id
            if case.step_kind == "photos" and not case.photos_complete:
                case.next_photo_reminder_at = fields.Datetime.now() + timedelta(
                    hours=step.reminder_interval_hours
                )

    # ------------------------------------------------------------
    # DATA-PROTECTION RIGHTS
    # ------------------------------------------------------------

    def action_view_hmr_arco_requests(self):
        self.ensure_one()
        self.check_access("read")
        action = self.lead_id.action_view_hmr_arco_requests()
        action["context"] = {"default_lead_id": self.lead_id.id, "default_case_id": self.id}
        return action

    def _hmr_get_arco_requests(self):
        """The prospect's data-protection requests, as their page shows them (sudo)."""
        self.ensure_one()
        return self.sudo().lead_id.hmr_arco_request_ids

    def _hmr_arco_export(self):
        """What the prospect's access request delivers of this case: its treatment and
        progress, their answers to the questionnaire and the doctor's assessment (the
        findings the patient is entitled to, never the staff's internal notes)."""
        self.ensure_one()
        answers = self.survey_user_input_id.user_input_line_ids.filtered(
            lambda line: not line.skipped
        )
        return {
            "treatment": self.treatment_id.name,
            "state": self.state,
            "step": self.step_id.name,
            "started_on": self.create_date,
            "step_since": self.step_date,
            "questionnaire": [
                {"question": line.question_id.title, "answer": line._get_answer_value()}
                for line in answers
            ],
            "assessments": [
                {
                    "doctor": assessment.doctor_id.name,
                    "assessed_on": assessment.date_done,
                    "hair_loss_scale": assessment.hair_loss_scale,
                    "donor_area": assessment.donor_area,
                    "estimated_grafts": assessment.graft_estimate,
                    "findings": html2plaintext(assessment.findings or ""),
                    "recommendation": assessment.recommendation,
                }
                for assessment in self.assessment_ids.filtered(lambda a: a.state == "done")
            ],
            "photos": [photo.slot_id.name for photo in self.photo_ids],
        }

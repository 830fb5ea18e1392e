from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged, users

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_prospect")
class TestProspect(HmrCrmCommon):
    @freeze_time("2026-06-15")
    @users("hmr_exec")
    def test_create_prospect(self):
        """P1: an executive captures a prospect with name, surnames, birth date (age),
        phone/WhatsApp, email, contact method, source and section; the prospect
        becomes its own individual contact."""
        lead = self.env["crm.lead"].create(
            {
                "first_name": "Diego",
                "last_name": "Hernández Soto",
                "birth_date": date(1990, 6, 16),
                "phone": "+52 55 5555 0101",
                "whatsapp": "+52 1 55 5555 0101",
                "email_from": "diego@example.mx",
                "contact_method_id": self.method_whatsapp.id,
                "source_id": self.source_instagram.id,
                "section_id": self.section_hair.id,
            }
        )
        self.assertRecordValues(
            lead,
            [
                {
                    "name": "Diego Hernández Soto",
                    "contact_name": "Diego Hernández Soto",
                    "age": 35,
                    "capture_date": date(2026, 6, 15),
                    "user_id": self.user_executive.id,
                    "contact_method_id": self.method_whatsapp.id,
                    "source_id": self.source_instagram.id,
                    "section_id": self.section_hair.id,
                    "email_from": "diego@example.mx",
                }
            ],
        )
        partner = lead.partner_id
        self.assertTrue(partner, "each prospect gets its own contact")
        self.assertFalse(partner.is_company)
        self.assertFalse(partner.parent_id, "a prospect is never a child of a company")
        self.assertEqual(partner.name, "Diego Hernández Soto")
        self.assertEqual(partner.email, "diego@example.mx")

    def test_create_prospects_in_batch_each_own_contact(self):
        """P1: prospects created together (an import from the pipeline) each get their
        own individual contact, whatever defaults the pipeline puts in the context."""
        leads = (
            self.env["crm.lead"]
            .with_context(default_type="opportunity")
            .create(
                [
                    self._prospect_values(f"Batch{index}", "Prospect", self.user_executive)
                    for index in range(3)
                ]
            )
        )
        self.assertEqual(len(leads.partner_id), 3)
        self.assertEqual(leads.mapped("partner_id.name"), leads.mapped("contact_name"))
        self.assertEqual(set(leads.mapped("partner_id.type")), {"contact"})

    @users("hmr_exec")
    def test_names_fill_title_in_form(self):
        """P1: in the form, typing first name then surnames titles the prospect after
        both, unless the executive typed another title."""
        form = Form(self.env["crm.lead"].with_context(default_type="opportunity"))
        form.first_name = "Lucía"
        form.last_name = "Ramírez Torres"
        self.assertEqual(form.name, "Lucía Ramírez Torres")
        form.name = "Lucía - referred by Ana"
        form.last_name = "Ramírez"
        self.assertEqual(form.name, "Lucía - referred by Ana")
        self.assertEqual(form.save().contact_name, "Lucía Ramírez")

    @users("hmr_exec")
    def test_edit_prospect(self):
        """P3: the general information is editable; names flow to the contact and
        every change is tracked in the chatter (B7)."""
        lead = self.lead_exec.with_user(self.env.user).with_context(mail_notrack=False)
        lead.write({"first_name": "Ana María", "birth_date": date(1985, 1, 2)})
        self.assertEqual(lead.contact_name, "Ana María López Pérez")
        self.assertEqual(lead.partner_id.name, "Ana María López Pérez")
        self.flush_tracking()
        tracked = lead.sudo().message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("first_name", tracked)
        self.assertIn("birth_date", tracked)

    @users("hmr_manager")
    def test_reassign_prospect(self):
        """P4: a prospect is reassigned to another executive: the change is tracked
        and the new executive follows it and is notified."""
        lead = self.lead_exec.with_user(self.env.user).with_context(mail_notrack=False)
        with self.mock_mail_gateway():
            lead.user_id = self.user_executive_2
            self.flush_tracking()
        self.assertEqual(lead.user_id, self.user_executive_2)
        self.assertIn(self.user_executive_2.partner_id, lead.message_partner_ids)
        tracking = lead.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "user_id"
        )
        self.assertEqual(tracking[:1].new_value_char, self.user_executive_2.name)
        notified = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", self.user_executive_2.partner_id.ids),
                ]
            )
        )
        self.assertTrue(notified, "the new executive is notified of the assignment")
        self.assertSentEmail(self.env.user.partner_id, self.user_executive_2.partner_id)

    @users("hmr_manager")
    def test_reassign_offers_only_executives(self):
        """P4, C2: the salesperson field offers the sales executives only; a diagnosis
        doctor is refused, but an Odoo salesman outside the clinic's roles is not:
        Odoo's own channels and automatic assignment may still give them leads."""
        domain = self.env["crm.lead"].fields_get(["user_id"], ["domain"])["user_id"]["domain"]
        self.assertIn("all_group_ids", str(domain))
        offered = self.env["res.users"].search(self.env["crm.lead"]._get_sales_executive_domain())
        self.assertIn(self.user_executive_2, offered)
        self.assertIn(self.user_manager, offered)
        self.assertNotIn(self.user_doctor, offered)
        self.assertNotIn(self.user_plain, offered)
        lead = self.lead_exec.with_user(self.env.user)
        lead.user_id = self.user_executive_2
        self.assertEqual(lead.user_id, self.user_executive_2)
        with self.assertRaises(ValidationError) as refused:
            lead.write({"user_id": self.user_doctor.id})
        self.assertIn("lack the Sales Executive role", str(refused.exception))
        lead.user_id = self.user_plain
        self.assertEqual(lead.user_id, self.user_plain)

    @freeze_time("2026-06-15")
    @users("hmr_exec")
    def test_bad_input_is_refused_whole(self):
        """P1, P3: a birth date in the future is refused with a clear error and nothing
        is saved half-way (no prospect, no contact)."""
        Lead = self.env["crm.lead"]
        prospect = self._prospect_values(
            "Zoe", "Invalid", self.user_executive, birth_date=date(2026, 6, 16)
        )
        with self.assertRaises(ValidationError) as refused:
            Lead.create(prospect)
        self.assertIn("cannot be in the future", str(refused.exception))
        self.assertFalse(Lead.search([("first_name", "=", "Zoe")]))
        self.assertFalse(self.env["res.partner"].sudo().search([("name", "=", "Zoe Invalid")]))
        with self.assertRaises(ValidationError):
            self.lead_exec.with_user(self.env.user).birth_date = date(2030, 1, 1)
        self.assertFalse(self.lead_exec.birth_date)

    @users("hmr_exec")
    def test_invalid_email_is_flagged_not_refused(self):
        """P1, P3: an invalid email is flagged as Odoo flags it (email quality
        "Incorrect"), not refused: an import with one bad email loads every row."""
        rows = [["Zoe", "Invalid", "not-an-email"], ["Yara", "Valid", "yara@example.mx"]]
        result = self.env["crm.lead"].load(["first_name", "last_name", "email_from"], rows)
        self.assertFalse(result["messages"])
        leads = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(leads.mapped("email_state"), ["incorrect", "correct"])

    def test_returning_patient_reuses_their_contact(self):
        """P1, B6: a prospect whose email (or, without email, phone) is a known
        patient's is linked to that patient's individual contact, not to a new one;
        a company's contact with that email is never used."""
        patient = self.lead_exec.partner_id
        company = self.env["res.partner"].create({"name": "Clinic Ana Works", "is_company": True})
        self.env["res.partner"].create(
            {"name": "Ana at work", "parent_id": company.id, "email": "ana.work@example.mx"}
        )
        by_phone = self.env["res.partner"].create({"name": "Diana", "phone": "+52 55 7777 0001"})
        Lead = self.env["crm.lead"]
        again = Lead.create(
            self._prospect_values("Ana", "López", None, email_from="ANA@example.mx")
        )
        self.assertEqual(again.partner_id, patient)
        work = Lead.create(
            self._prospect_values("Ana", "Work", None, email_from="ana.work@example.mx")
        )
        self.assertFalse(work.partner_id.parent_id, "never a company's contact")
        self.assertEqual(work.partner_id.name, "Ana Work")
        called = Lead.create(
            self._prospect_values(
                "Diana", "Ruiz", None, email_from=False, phone="+52 (55) 7777-0001"
            )
        )
        self.assertEqual(called.partner_id, by_phone)
        relative = Lead.create(
            self._prospect_values("Beto", "López", None, email_from=False, phone=patient.phone)
        )
        self.assertNotEqual(relative.partner_id, patient, "a shared phone is not a person")

    def test_odoo_channels_keep_odoos_contacts(self):
        """P1: leads that are no person's prospect keep Odoo's way: an inbound email
        creates no contact, a company typed in quick create stays, and a lead to
        qualify gets its contact at the conversion, which offers the existing customer."""
        Partner = self.env["res.partner"]
        customer = Partner.create({"name": "Elena Mora", "email": "elena@example.mx"})
        partners_before = Partner.search_count([])
        inbound = self.env["crm.lead"].message_new(
            {"subject": "Precios", "from": "Spam Bot <spam@example.com>", "body": "hi"}
        )
        self.assertFalse(inbound.partner_id)
        self.assertEqual(Partner.search_count([]), partners_before)
        quick = self.env["crm.lead"].create(
            {"name": "Clinic deal", "partner_name": "Mora SA", "contact_name": "Elena Mora"}
        )
        self.assertEqual(quick.partner_name, "Mora SA")
        self.assertFalse(quick.partner_id)
        lead = self.env["crm.lead"].create(
            {
                "name": "Elena asks",
                "type": "lead",
                "contact_name": "Elena",
                "email_from": "elena@example.mx",
            }
        )
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
            .create({})
        )
        self.assertEqual((wizard.action, wizard.partner_id), ("exist", customer))

    @users("hmr_exec")
    def test_duplicate_email_or_phone_warns(self):
        """P1: an email or phone that another prospect already has, whoever holds it,
        is flagged with a warning (not refused)."""
        by_email = self.env["crm.lead"].new({"email_from": "ANA@example.mx"})
        warning = by_email._onchange_warn_duplicate_prospect()
        self.assertIn(self.lead_exec.display_name, warning["warning"]["message"])
        by_phone = self.env["crm.lead"].new({"phone": self.lead_exec_2.phone})
        self.assertTrue(by_phone._onchange_warn_duplicate_prospect())
        fresh = self.env["crm.lead"].new({"email_from": "nobody@example.mx"})
        self.assertFalse(fresh._onchange_warn_duplicate_prospect())

    @users("hmr_exec")
    def test_tasks_and_files_on_prospect(self):
        """P5: from the prospect, staff assign tasks (activities) and attach files."""
        lead = self.lead_exec.with_user(self.env.user)
        activity = lead.activity_schedule(
            "mail.mail_activity_data_call",
            summary="Call to explain the process",
            user_id=self.user_executive.id,
        )
        self.assertEqual(lead.activity_ids, activity)
        attachment = self.env["ir.attachment"].create(
            {
                "name": "consent.pdf",
                "raw": b"%PDF-1.4 consent",
                "res_model": "crm.lead",
                "res_id": lead.id,
            }
        )
        lead.message_post(body="Signed consent", attachment_ids=attachment.ids)
        self.assertIn(attachment, lead.message_ids.attachment_ids)

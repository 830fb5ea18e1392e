import base64
import io

from PIL import Image

from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import MockEmail, mail_new_test_user

PROSPECT = "Mariana Ortiz Vega"
PROSPECT_EMAIL = "mariana.capilar@example.mx"


@tagged("post_install", "-at_install", "hmr_tour")
class TestProcesoCapilarTour(HttpCase, MockEmail):
    """P1, P2, S1.1, S2.1, S2.2, S2.3, S2.4, S3.1, S3.2, B7: one prospect walks the whole
    "Proceso Capilar", each person in their own browser session: the sales executive
    captures the prospect and assigns the hair transplant (P1, P2); the prospect's five
    photos complete the photos step (S1.1); the only diagnosis doctor is told and given
    the assessment (S2.1, S2.2), assesses, prepares the quote and sends it (S2.3, S2.4);
    the prospect accepts and signs it on the portal through the link they received
    (S3.1), and both the prospect and the executive are told (S3.2). Every move of the
    case and the prospect's answer are in the chatters (B7)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.executive = mail_new_test_user(
            cls.env,
            login="capilar_exec",
            name="Ernesto Ejecutivo",
            email="ernesto.exec@example.mx",
            groups="hmr_crm_addon.group_hmr_executive",
        )
        # the assessment goes to the least-loaded diagnosis doctor: with this one the only
        # active doctor, it is known who gets it
        doctor_group = cls.env.ref("hmr_crm_addon.group_hmr_doctor")
        cls.env["res.users"].search([("group_ids", "in", doctor_group.id)]).active = False
        cls.doctor = mail_new_test_user(
            cls.env,
            login="capilar_doctor",
            name="Diana Doctora",
            email="diana.doctora@example.mx",
            groups="hmr_crm_addon.group_hmr_doctor",
        )
        cls.process = cls.env.ref("hmr_treatments_addon.hmr_process_hair")
        cls.treatment = cls.env.ref("hmr_treatments_addon.hmr_treatment_fue")
        cls.steps = {step.kind: step for step in cls.process.step_ids}
        cls.quote_cron = cls.env.ref("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
        cls.type_assessment = cls.env.ref("hmr_treatments_addon.mail_activity_type_hmr_assessment")
        cls.type_follow_up = cls.env.ref("hmr_treatments_addon.mail_activity_type_hmr_follow_up")

    @staticmethod
    def _make_jpeg():
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (150, 110, 80)).save(buffer, format="JPEG")
        return buffer.getvalue()

    def _flush_tracking(self):
        """Write the tracking values and the queued side effects, as a request's end does."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _tracked_fields(self, record):
        return set(record.message_ids.tracking_value_ids.field_id.mapped("name"))

    def _run_quote_cron(self):
        """Run the quote cron the answer triggered, as Odoo's scheduler does, in a
        transaction of its own (the test's: an HTTP case is in test mode): return the
        mails it queued."""
        self._flush_tracking()
        with self.mock_mail_gateway():
            self.quote_cron.method_direct_trigger()
        self.env.invalidate_all()
        return self._new_mails

    def test_proceso_capilar_end_to_end(self):
        # -- P1, P2: the executive captures the prospect and assigns the treatment -----
        self.start_tour("/odoo", "hmr_capilar_executive_tour", login="capilar_exec")
        self.env.invalidate_all()
        lead = self.env["crm.lead"].search([("email_from", "=", PROSPECT_EMAIL)])
        self.assertEqual(lead.name, PROSPECT)
        self.assertEqual(lead.user_id, self.executive)
        partner = lead.partner_id
        self.assertTrue(partner, "the prospect has a contact to write to")
        case = lead.treatment_case_ids
        self.assertEqual(case.treatment_id, self.treatment)
        self.assertEqual((case.state, case.step_id), ("open", self.steps["photos"]))
        self.assertEqual(case.user_id, self.executive)
        self.assertFalse(case.doctor_id)

        # -- S1.1: the prospect's five photos arrive (the portal upload comes later) ----
        slots = self.steps["photos"].photo_slot_ids
        self.assertEqual(len(slots), 5)
        jpeg_b64 = base64.b64encode(self._make_jpeg())
        for slot in slots[:-1]:
            self.env["hmr.case.photo"].create(
                {"case_id": case.id, "slot_id": slot.id, "image": jpeg_b64}
            )
        self.assertEqual(case.step_id, self.steps["photos"], "one photo is still missing")
        self.env["hmr.case.photo"].create(
            {"case_id": case.id, "slot_id": slots[-1].id, "image": jpeg_b64}
        )
        self._flush_tracking()
        self.assertTrue(case.photos_complete)
        self.assertEqual(case.photo_count, 5)

        # -- S2.1, S2.2: the case moves on; the doctor is told and given the assessment --
        self.assertEqual(case.step_id, self.steps["assessment"])
        self.assertEqual(case.doctor_id, self.doctor)
        self.assertIn(self.doctor, lead.doctor_ids)
        assessment, Assessment = case.assessment_ids, self.env["hmr.assessment"]
        self.assertEqual((assessment.doctor_id, assessment.state), (self.doctor, "open"))
        self.assertEqual(
            Assessment.search_count([("doctor_id", "=", self.doctor.id), ("state", "=", "open")]), 1
        )
        activity = case.activity_ids.filtered(lambda a: a.activity_type_id == self.type_assessment)
        self.assertEqual(activity.user_id, self.doctor)
        notice = self.env["mail.message"].search(
            [
                ("model", "=", "hmr.treatment.case"),
                ("res_id", "=", case.id),
                ("partner_ids", "in", self.doctor.partner_id.ids),
                ("subject", "ilike", "New prospect to assess"),
            ]
        )
        self.assertEqual(len(notice), 1, "all diagnosis doctors hear of the new assessment")

        # -- S2.3, S2.4: the doctor assesses, prepares the quote and sends it ------------
        self.start_tour("/odoo", "hmr_capilar_doctor_tour", login="capilar_doctor")
        self.env.invalidate_all()
        self.assertEqual(assessment.state, "done")
        self.assertEqual(assessment.hair_loss_scale, "4")
        self.assertEqual(assessment.graft_estimate, 2500)
        self.assertIn("Receding frontal line", assessment.findings)
        self.assertFalse(
            Assessment.search_count([("doctor_id", "=", self.doctor.id), ("state", "=", "open")]),
            "the doctor is free again",
        )
        self.assertFalse(case.activity_ids.filtered(lambda a: a.user_id == self.doctor))
        order = case.order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.partner_id, partner)
        self.assertEqual(order.user_id, self.executive, "the quote stays the executive's")
        self.assertEqual(order.state, "sent")
        self.assertTrue(order.hmr_sent_at)
        self.assertEqual(case.step_id, self.steps["answer"])
        graft_line = order.order_line.filtered("product_id.hmr_quantity_from_grafts")
        self.assertEqual(graft_line.product_uom_qty, 2500)
        sent_mail = order.message_ids.filtered(
            lambda m: m.message_type == "comment" and partner in m.partner_ids
        )
        self.assertTrue(sent_mail, "the quote was mailed to the prospect")

        # -- S3.1: the prospect accepts and signs through the link of the quote ----------
        order._portal_ensure_token()
        self.env.flush_all()
        cron_triggers = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.quote_cron.id)]
        )
        with self.mock_mail_gateway():
            self.start_tour(order.get_portal_url(), "hmr_capilar_prospect_tour", login=None)
        confirmation_mails = self._new_mails
        self.env.invalidate_all()
        self.assertEqual(order.hmr_answer, "accepted")
        self.assertTrue(order.hmr_answered_at)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.signed_by, PROSPECT)
        self.assertTrue(order.signature)
        self.assertEqual(case.step_id, self.steps["follow_up"])
        self.assertEqual(case.state, "open")
        self.assertTrue(order.hmr_answer_to_notify_at, "the answer is told by the quote cron")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.quote_cron.id)]),
            cron_triggers + 1,
            "the answer triggers the quote cron",
        )

        # -- S3.2: Odoo's confirmation thanks the prospect (issue 9 item 6: one email, the
        # clinic's, with the signed quote); the cron gives the executive an activity -------
        mails = self._run_quote_cron()
        self.assertFalse(order.hmr_answer_to_notify_at)
        follow_up = order.activity_ids.filtered(lambda a: a.activity_type_id == self.type_follow_up)
        self.assertEqual(follow_up.user_id, self.executive)
        to_prospect = (confirmation_mails | mails).filtered(lambda m: partner in m.recipient_ids)
        self.assertEqual(len(to_prospect), 1, "the prospect is thanked once for the acceptance")
        self.assertIn("we received your acceptance", to_prospect.subject)
        self.assertTrue(to_prospect.attachment_ids, "with the signed quote")
        to_executive = mails.filtered(lambda m: self.executive.partner_id in m.recipient_ids)
        self.assertEqual(len(to_executive), 1, "the executive is mailed the follow-up activity")
        self.assertEqual((to_executive.model, to_executive.res_id), ("sale.order", order.id))
        self.assertFalse(self._run_quote_cron(), "each answer is told once")

        # -- B7: the case's moves and the prospect's answer are in the chatters ----------
        self.assertIn("doctor_id", self._tracked_fields(case))
        step_changes = case.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "step_id"
        )
        self.assertLessEqual(
            {step.id for kind, step in self.steps.items() if kind != "photos"},
            set(step_changes.mapped("new_value_integer")),
            "each step the case entered shows in its chatter, also the answer step that "
            "the quote sent from Odoo's composer starts",
        )
        answer_tracking = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "hmr_answer"
        )
        self.assertEqual(answer_tracking.mail_message_id.author_id, partner)
        signed = order.message_ids.filtered(lambda m: "Order signed by" in (m.body or ""))
        self.assertEqual(signed.author_id, partner)

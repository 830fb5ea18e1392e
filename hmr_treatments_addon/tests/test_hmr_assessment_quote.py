from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_quote")
class TestAssessmentAndQuote(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case = cls._new_case("Quote Prospect")
        cls._send_all_photos(cls.case)
        cls.doctor = cls.case.doctor_id
        cls.assessment = cls.case.assessment_ids

    def _assess(self, grafts=2400):
        assessment = self.assessment.with_user(self.doctor)
        assessment.write(
            {
                "hair_loss_scale": "4",
                "donor_area": "good",
                "graft_estimate": grafts,
                "findings": "<p>Recession on both temples</p>",
            }
        )
        action = assessment.action_done()
        return self.env["sale.order"].browse(action["res_id"])

    def test_doctor_assesses_then_quotes(self):
        """S2.3: the assigned doctor records the assessment, then the quote is prepared
        from the treatment's products, the graft estimate as quantity for per-graft
        products, on the clinic's pricelist, for the prospect's own contact."""
        self.assertTrue(self.doctor)
        order = self._assess(grafts=2400)
        self.assertEqual(self.assessment.state, "done")
        self.assertEqual(self.case.step_kind, "quote")
        self.assertRecordValues(
            order,
            [
                {
                    "partner_id": self.case.partner_id.id,
                    "opportunity_id": self.case.lead_id.id,
                    "hmr_case_id": self.case.id,
                    "user_id": self.user_executive.id,
                    "pricelist_id": self.env.ref("hmr_treatments_addon.hmr_pricelist").id,
                    "state": "draft",
                }
            ],
        )
        per_graft = order.order_line.filtered("product_id.hmr_quantity_from_grafts")
        self.assertTrue(per_graft)
        self.assertEqual(set(per_graft.mapped("product_uom_qty")), {2400.0})
        self.assertEqual(
            order.order_line.product_id,
            self.hair_treatment.product_ids,
            "every product of the treatment is quoted",
        )

    def test_assessment_needs_its_findings(self):
        """S2.3: an assessment without scale or graft estimate cannot be closed."""
        with self.assertRaises(UserError):
            self.assessment.with_user(self.doctor).action_done()
        self.assertEqual(self.assessment.state, "open")

    def test_other_doctor_cannot_assess(self):
        """S2.3, C2: another doctor can neither read nor close the assessment."""
        other = (self.user_doctor | self.user_doctor_2) - self.doctor
        with self.assertRaises(AccessError):
            self.assessment.with_user(other).read(["graft_estimate"])

    def test_save_for_later_then_send(self):
        """S2.4: the doctor saves the quote (it stays a draft, the case waits at the quote
        step); sending it later moves the case to the prospect's answer."""
        order = self._assess()
        self.assertEqual((order.state, self.case.step_kind), ("draft", "quote"))
        self.assertFalse(order.hmr_sent_at)
        order.with_user(self.doctor).action_quotation_sent()
        self.assertEqual(order.state, "sent")
        self.assertTrue(order.hmr_sent_at)
        self.assertEqual(self.case.step_kind, "answer")

    def test_send_now_with_odoo_quotation_email(self):
        """S2.4: sending now goes through Odoo's quotation email (portal link): the quote
        is marked sent and the case waits for the answer."""
        order = self._assess().with_user(self.doctor)
        action = order.action_quotation_send()
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.doctor)
            .with_context(**action["context"])
            .create({})
        )
        with self.mock_mail_gateway():
            composer._action_send_mail()
        self.assertEqual(order.state, "sent")
        self.assertEqual(self.case.step_kind, "answer")
        # Odoo's quotation template writes from the prospect's executive
        self.assertSentEmail(self.user_executive.partner_id, self.case.partner_id)

    def test_discount_within_limits_only(self):
        """C11, S2.3: a quote line takes one of the clinic's named discounts, within its
        maximum and only by a role allowed to apply it."""
        order = self._assess()
        line = order.order_line[:1]
        season = self.env.ref("hmr_treatments_addon.hmr_discount_season")  # 10%, executives
        management = self.env.ref("hmr_treatments_addon.hmr_discount_management")  # managers
        line_exec = line.with_user(self.user_executive)
        with self.assertRaises(ValidationError):
            line_exec.write({"discount": 10})  # no named discount
        with self.assertRaises(UserError):
            line_exec.write({"discount": 15, "hmr_discount_id": season.id})  # above 10%
        with self.assertRaises(UserError):
            line_exec.write({"discount": 20, "hmr_discount_id": management.id})  # managers
        line_exec.write({"discount": 10, "hmr_discount_id": season.id})
        self.assertEqual(line.discount, 10)
        line.with_user(self.user_manager).write({"discount": 25, "hmr_discount_id": management.id})
        self.assertEqual(line.discount, 25)

    def test_quote_only_for_the_assigned_doctor(self):
        """S2.3, C2: a doctor who does not assess the case cannot create its quote."""
        other = (self.user_doctor | self.user_doctor_2) - self.doctor
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(other).create(
                {
                    "partner_id": self.case.partner_id.id,
                    "hmr_case_id": self.case.id,
                    "user_id": self.user_executive.id,
                    "order_line": [
                        Command.create({"product_id": self.hair_treatment.product_ids[0].id})
                    ],
                }
            )

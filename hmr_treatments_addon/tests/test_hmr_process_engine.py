from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_process")
class TestProcessEngine(HmrTreatmentsCommon):
    def test_proceso_capilar_is_data(self):
        """S1.1, S4: Proceso Capilar ships as data: photos (5 slots), assessment, quote,
        answer, follow-up, with the timings managers edit (B4)."""
        self.assertEqual(
            self.hair_process.step_ids.mapped("kind"),
            ["photos", "assessment", "quote", "answer", "follow_up"],
        )
        self.assertEqual(len(self.hair_slots), 5)
        photos = self.hair_process._get_step("photos")
        self.assertEqual((photos.reminder_interval_hours, photos.reminder_max_count), (24, 5))
        self.assertEqual(self.hair_process._get_step("answer").deadline_hours, 24)
        self.assertEqual(self.hair_process._get_step("follow_up").deadline_hours, 24)
        self.assertTrue(photos.reminder_template_id)

    def test_new_treatment_needs_no_code(self):
        """S4, B4: a manager composes a facial treatment with 2 photos and no assessment
        from the UI models alone; its cases follow it: photos, then the quote prepared by
        the executive, then the answer."""
        manager_env = self.env(user=self.user_manager)
        process_form = Form(manager_env["hmr.process"])
        process_form.name = "Proceso Facial"
        process = process_form.save()
        for sequence, (name, kind) in enumerate(
            [("Fotos", "photos"), ("Cotización", "quote"), ("Respuesta", "answer")]
        ):
            manager_env["hmr.process.step"].create(
                {"process_id": process.id, "name": name, "kind": kind, "sequence": sequence}
            )
        photos_step = process._get_step("photos")
        photos_step.write(
            {
                "reminder_interval_hours": 48,
                "photo_slot_ids": [
                    Command.create({"name": "Frente", "sequence": 1}),
                    Command.create({"name": "Perfil", "sequence": 2}),
                ],
            }
        )
        treatment = manager_env["hmr.treatment"].create(
            {"name": "Rejuvenecimiento facial", "process_id": process.id}
        )
        case = self._new_case("Facial Prospect", treatment=treatment)
        self.assertEqual(case.step_id, photos_step)
        self.assertEqual(case.photo_required_count, 2)
        self.env["hmr.case.photo"].create(
            [
                {"case_id": case.id, "slot_id": slot.id, "image": self.jpeg_b64}
                for slot in photos_step.photo_slot_ids
            ]
        )
        self.assertEqual(case.step_kind, "quote", "no assessment step: straight to the quote")
        self.assertFalse(case.doctor_id)
        quote_activity = case.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("hmr_treatments_addon.mail_activity_type_hmr_quote")
            )
        )
        self.assertEqual(quote_activity.user_id, self.user_executive)

    def test_one_step_per_kind(self):
        """S4: a process cannot hold two steps of the same kind."""
        with self.assertRaises(ValidationError):
            self.env["hmr.process.step"].create(
                {"process_id": self.hair_process.id, "name": "Again", "kind": "photos"}
            )

    def test_case_starts_at_photos_and_moves_on(self):
        """P2, S1.1, B7: an assigned treatment starts at its first step; completing the
        photos moves it to the assessment; each change shows in the chatter."""
        case = self._new_case().with_context(mail_notrack=False)
        self.flush_tracking()  # the case exists: what follows is tracked
        self.assertEqual((case.state, case.step_kind), ("open", "photos"))
        self.assertTrue(case.next_photo_reminder_at, "the prospect hears right away")
        self.assertEqual(case.missing_photo_slot_ids, self.hair_slots)
        self._send_all_photos(case)
        self.flush_tracking()
        self.assertEqual(case.step_kind, "assessment")
        self.assertFalse(case.next_photo_reminder_at)
        self.assertTrue(case.photos_complete)
        tracked = case.sudo().message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("step_id", tracked)
        self.assertIn("doctor_id", tracked)

    def test_lost_and_reopen(self):
        """S4: a case can be marked lost and reopened at the step it was in."""
        case = self._new_case()
        case.with_user(self.user_executive).action_mark_lost()
        self.assertEqual(case.state, "lost")
        case.with_user(self.user_executive).action_reopen()
        self.assertEqual((case.state, case.step_kind), ("open", "photos"))

    def test_reminder_refused_when_nothing_missing(self):
        """S1.3: asking to remind a prospect with nothing missing is refused clearly."""
        case = self._new_case()
        self._send_all_photos(case)
        with self.assertRaises(UserError):
            case.action_send_photo_reminder()

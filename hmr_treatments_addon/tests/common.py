import base64
import io
import re
import struct
import zlib

import pillow_heif
from PIL import Image

from odoo import Command

from odoo.addons.hmr_crm_addon.tests.common import HmrCrmCommon
from odoo.addons.mail.tests.common import mail_new_test_user

SLOT_NAMES = ("Frente", "Parte superior", "Coronilla / nuca", "Lado izquierdo", "Lado derecho")

# what an email or a page must never carry: a way to a photo (B3)
PHOTO_LINK_MARKERS = ("/web/image", "/web/content", "hmr.case.photo", "ir.attachment")


class HmrTreatmentsCommon(HmrCrmCommon):
    """crm's staff and prospects (each executive's prospect followed by a doctor), a
    process with two treatments built here, the shipped "Proceso Capilar" (module data,
    not demo) and a photo. What only some classes need is built by the ``_setup_*``
    helpers they call: a photo process and its case, the portal's prospects, the quote's
    answer steps. Plain methods, so that ``class TestX(HttpCase, HmrTreatmentsCommon)``
    uses them over HTTP too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_exec.doctor_ids = cls.user_doctor
        cls.lead_exec_2.doctor_ids = cls.user_doctor_2

        cls.section = cls.env["hmr.section"].create({"name": "Test Hair Section"})
        cls.process = cls.env["hmr.process"].create({"name": "Test Hair Process"})
        cls.product_graft = cls.env["product.product"].create(
            {"name": "Test Graft", "type": "service", "list_price": 40.0}
        )
        cls.survey = cls.env["survey.survey"].create(
            {"title": "Test Medical History", "survey_type": "survey"}
        )
        Treatment = cls.env["hmr.treatment"]
        cls.treatment_fue = Treatment.create(
            {
                "name": "Test FUE",
                "section_id": cls.section.id,
                "process_id": cls.process.id,
                "product_ids": [(6, 0, cls.product_graft.ids)],
                "survey_id": cls.survey.id,
            }
        )
        cls.treatment_prp = Treatment.create({"name": "Test PRP", "process_id": cls.process.id})

        # the shipped process: 5 photo slots, assessment, quote, answer, follow-up
        cls.hair_process = cls.env.ref("hmr_treatments_addon.hmr_process_hair")
        cls.hair_treatment = cls.env.ref("hmr_treatments_addon.hmr_treatment_fue")
        cls.hair_slots = cls.hair_process._get_step("photos").photo_slot_ids
        cls.jpeg = cls.make_jpeg()
        cls.jpeg_b64 = cls.b64(cls.jpeg)

    # ------------------------------------------------------------
    # PROCESSES
    # ------------------------------------------------------------

    @staticmethod
    def _new_photo_process(env, name, slot_names=SLOT_NAMES, **photo_step):
        """A process photos -> assessment -> quote, its photos step collecting
        ``slot_names``."""
        slots = [
            Command.create({"name": slot, "sequence": sequence})
            for sequence, slot in enumerate(slot_names, start=1)
        ]
        return env["hmr.process"].create(
            {
                "name": name,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Photos",
                            "sequence": 10,
                            "kind": "photos",
                            "photo_slot_ids": slots,
                            **photo_step,
                        }
                    ),
                    Command.create({"name": "Assessment", "sequence": 20, "kind": "assessment"}),
                    Command.create({"name": "Quote", "sequence": 30, "kind": "quote"}),
                ],
            }
        )

    @staticmethod
    def _photo_reminders(env):
        """The photos step's reminders: daily, three times, with the clinic's email."""
        template = env.ref("hmr_treatments_addon.mail_template_hmr_photo_reminder")
        return {
            "reminder_interval_hours": 24,
            "reminder_max_count": 3,
            "reminder_template_id": template.id,
        }

    @classmethod
    def _new_quote_steps(cls, **answer_steps):
        """The steps quote -> answer -> follow-up of ``cls.process`` (the steps are data:
        S4); ``answer_steps`` are the answer's and the follow-up's values."""
        return cls.env["hmr.process.step"].create(
            [
                {"process_id": cls.process.id, "sequence": 10, "name": "Quote", "kind": "quote"},
                {
                    "process_id": cls.process.id,
                    "sequence": 20,
                    "name": "Answer",
                    "kind": "answer",
                    **answer_steps,
                },
                {
                    "process_id": cls.process.id,
                    "sequence": 30,
                    "name": "Follow-up",
                    "kind": "follow_up",
                    **answer_steps,
                },
            ]
        )

    @classmethod
    def _setup_photo_case(cls):
        """A process whose first step collects the five photos of the hair process (S1.1),
        then the assessment and the quote; a treatment following it, and a case of the
        executive's prospect on it."""
        cls.reminder_template = cls.env.ref("hmr_treatments_addon.mail_template_hmr_photo_reminder")
        cls.photo_process = cls._new_photo_process(
            cls.env, "Test Photo Process", **cls._photo_reminders(cls.env)
        )
        cls.photo_step = cls.photo_process.step_ids.filtered(lambda s: s.kind == "photos")
        cls.slots = cls.photo_step.photo_slot_ids
        cls.photo_treatment = cls.env["hmr.treatment"].create(
            {"name": "Test Hair Transplant", "process_id": cls.photo_process.id}
        )
        cls.case = cls.env["hmr.treatment.case"].create(
            {"lead_id": cls.lead_exec.id, "treatment_id": cls.photo_treatment.id}
        )
        # B3: the prospect accepted the privacy notice before any photo is stored
        cls.case.partner_id._hmr_record_privacy_consent("staff", staff_user=cls.user_executive)

    @classmethod
    def _setup_portal(cls):
        """Two prospects on the photo process: Ana (executive 1, consent given, a portal
        account) and Bruno (executive 2, no consent yet, a portal account)."""
        cls._setup_photo_case()
        cls.photo_treatment.survey_id = cls.survey
        cls.case_bruno = cls.env["hmr.treatment.case"].create(
            {"lead_id": cls.lead_exec_2.id, "treatment_id": cls.photo_treatment.id}
        )
        for case in cls.case | cls.case_bruno:
            case._portal_ensure_token()
        cls.partner_ana = cls.case.partner_id
        cls.partner_bruno = cls.case_bruno.partner_id
        cls.partner_ana.email = "ana.portal@example.mx"
        cls.partner_bruno.email = "bruno.portal@example.mx"
        cls.portal_ana = cls._new_portal_user("hmr_portal_ana", cls.partner_ana)
        cls.portal_bruno = cls._new_portal_user("hmr_portal_bruno", cls.partner_bruno)
        cls.env["hmr.web.form.submission"].search([]).unlink()
        cls.foreign_slot = cls.env.ref("hmr_treatments_addon.hmr_slot_hair_front")
        cls.other_team = cls.env["crm.team"].create(
            {"name": "HMR Web Test Team", "member_ids": [Command.set([])]}
        )

    @classmethod
    def _setup_quote(cls):
        """Prospects with their quote sent, at the answer step of a process "quote ->
        answer -> follow-up", and a portal user for each prospect."""
        cls.step_quote, cls.step_answer, cls.step_follow_up = cls._new_quote_steps(
            deadline_hours=24
        )
        cls.activity_type_follow_up = cls.env.ref(
            "hmr_treatments_addon.mail_activity_type_hmr_follow_up"
        )
        cls.lead_ana = cls._new_lead("Ana Quote")
        cls.lead_bruno = cls._new_lead("Bruno Quote", cls.user_executive_2)
        cls.partner_ana = cls.lead_ana.partner_id
        cls.partner_bruno = cls.lead_bruno.partner_id
        cls.user_ana = cls._new_portal_user("hmr_prospect_ana", cls.partner_ana)
        cls.user_bruno = cls._new_portal_user("hmr_prospect_bruno", cls.partner_bruno)

    # ------------------------------------------------------------
    # PROSPECTS, CASES, QUOTES
    # ------------------------------------------------------------

    @classmethod
    def _new_portal_user(cls, login, partner):
        return mail_new_test_user(
            cls.env,
            login=login,
            groups="base.group_portal",
            partner_id=partner.id,
            email=partner.email,
        )

    @classmethod
    def _new_lead(cls, name, executive=None):
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "contact_name": name,
                "email_from": f"{name.lower().replace(' ', '.')}@example.mx",
                "type": "opportunity",
                "user_id": (executive or cls.user_executive).id,
            }
        )

    @classmethod
    def _new_case(cls, name="Ana López", treatment=None, executive=None):
        """A case of a new prospect (who accepted the privacy notice) on the shipped
        process by default."""
        lead = cls.env["crm.lead"].create(
            {
                "first_name": name.split()[0],
                "last_name": " ".join(name.split()[1:]) or "Prospect",
                "email_from": f"{name.split()[0].lower()}.{len(name)}@example.mx",
                "type": "opportunity",
                "user_id": (executive or cls.user_executive).id,
            }
        )
        # B3: the prospect accepted the privacy notice before any photo is stored
        lead.partner_id._hmr_record_privacy_consent("staff", staff_user=cls.user_executive)
        return cls.env["hmr.treatment.case"].create(
            {"lead_id": lead.id, "treatment_id": (treatment or cls.hair_treatment).id}
        )

    @classmethod
    def _send_all_photos(cls, case):
        """Every photo of the case's photos step, as the prospect sends them."""
        slots = case.treatment_id.process_id._get_step("photos").photo_slot_ids
        case.env["hmr.case.photo"].create(
            [{"case_id": case.id, "slot_id": slot.id, "image": cls.jpeg_b64} for slot in slots]
        )

    def _open_loads(self, doctors):
        """Each doctor's open assessments, as the pick counts them."""
        return [
            self.env["hmr.assessment"].search_count(
                [("doctor_id", "=", doctor.id), ("state", "=", "open")]
            )
            for doctor in doctors
        ]

    @classmethod
    def _new_sent_quote(cls, lead=None, treatment=None):
        """The case of the prospect and its quote, created and sent as the doctor does
        (a new prospect when none is given: a treatment is assigned once per prospect)."""
        lead = lead or cls._new_lead(f"Prospect {cls.env['crm.lead'].search_count([])}")
        case = cls.env["hmr.treatment.case"].create(
            {"lead_id": lead.id, "treatment_id": (treatment or cls.treatment_fue).id}
        )
        order = cls.env["sale.order"].browse(case.action_create_quote()["res_id"])
        order.action_quotation_sent()
        return order

    def _run_quote_cron(self):
        """Run the quote cron as the scheduler does (answers' notifications, then the
        alerts); return the mails it queued."""
        with self.mock_mail_gateway():
            self._run_cron("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
        return self._new_mails

    def _answer(self, order, answer, message=None):
        """The prospect answers as on the portal (checked first; a rejection cancels the
        quote), and the cron the answer triggers tells both sides: return the mails."""
        order._hmr_check_can_answer()
        if answer == "rejected":
            order._action_cancel()
        order._hmr_record_answer(answer, message)
        return self._run_quote_cron()

    def _mails_to(self, partner, subject=None):
        return self._new_mails.filtered(
            lambda m: partner in m.recipient_ids and (not subject or subject in (m.subject or ""))
        )

    def _answer_state(self, order):
        """What a refused answer must leave untouched."""
        order.invalidate_recordset()
        return (
            order.state,
            order.hmr_answer,
            order.hmr_answered_at,
            order.hmr_answer_message,
            order.hmr_case_id.step_id,
            order.hmr_case_id.state,
            len(order.activity_ids),
            len(order.message_ids),
        )

    # ------------------------------------------------------------
    # IMAGE FILES
    # ------------------------------------------------------------

    @staticmethod
    def make_jpeg(size=(64, 48), color=(180, 120, 90), **save_options):
        image = Image.new("RGB", size, color)
        output = io.BytesIO()
        image.save(output, format="JPEG", **save_options)
        return output.getvalue()

    @staticmethod
    def make_png(size=(64, 48), mode="RGBA", color=(20, 40, 60, 128), **save_options):
        image = Image.new(mode, size, color)
        output = io.BytesIO()
        image.save(output, format="PNG", **save_options)
        return output.getvalue()

    @staticmethod
    def make_png_header(width, height):
        """A valid, tiny PNG whose header announces ``width`` x ``height`` pixels: what a
        decompression bomb looks like before its pixels are decoded."""

        def chunk(kind, data):
            crc = zlib.crc32(kind + data) & 0xFFFFFFFF
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit gray
        pixels = zlib.compress(b"\x00" * (width + 1) * 4)  # the first rows only
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b"")
        )

    @staticmethod
    def make_heic(size=(120, 80)):
        """A HEIC photo as an iPhone sends it: with EXIF, including its GPS position."""
        exif = Image.Exif()
        exif[0x010F] = "Apple"  # Make
        exif[0x8825] = {1: "N", 2: (19.0, 26.0, 0.0), 3: "W", 4: (99.0, 8.0, 0.0)}  # GPSInfo
        heif = pillow_heif.from_pillow(Image.new("RGB", size, (150, 90, 60)))
        buffer = io.BytesIO()
        heif.save(buffer, exif=exif.tobytes())
        raw = buffer.getvalue()
        assert raw[4:12] == b"ftypheic", raw[:16]
        assert b"Apple" in raw
        return raw

    @classmethod
    def signature_png(cls):
        """A drawn signature, as the portal's signature pad sends it."""
        return cls.b64(cls.make_png((40, 20), "RGB", (20, 20, 120))).decode()

    @staticmethod
    def b64(raw):
        return base64.b64encode(raw)

    @classmethod
    def photo_values(cls, slot, raw=None, case=None):
        return {
            "case_id": (case or cls.case).id,
            "slot_id": slot.id,
            "image": cls.b64(cls.jpeg if raw is None else raw),
        }

    # ------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------

    def page_url(self, case, token=None):
        url = f"/my/hmr/cases/{case.id}"
        return f"{url}?access_token={token}" if token else url

    def get_csrf(self, url="/hmr/solicitud"):
        """A CSRF token of the current session, read from a page as a browser would."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def upload(self, case, slot, raw, token=None, csrf=True, extra=None, filename="photo.jpg"):
        """POST one photo to the slot's upload route; ``token`` is sent as the form does."""
        data = dict(extra or {})
        if csrf:
            data["csrf_token"] = self.get_csrf("/hmr/solicitud")
        if token:
            data["access_token"] = token
        return self.url_open(
            f"/my/hmr/cases/{case.id}/photo/{slot.id}",
            data=data,
            files={"photo": (filename, raw, "application/octet-stream")},
            allow_redirects=False,
        )

    def photos_of(self, case):
        return self.env["hmr.case.photo"].search([("case_id", "=", case.id)])

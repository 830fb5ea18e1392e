import base64
import io
import struct
import zlib

from PIL import Image

from odoo import Command

from .common import HmrTreatmentsCommon

SLOT_NAMES = ("Frente", "Parte superior", "Coronilla / nuca", "Lado izquierdo", "Lado derecho")


class HmrPhotosCommon(HmrTreatmentsCommon):
    """A process whose first step collects the five photos of the hair process (S1.1), then
    the assessment and the quote; a treatment following it, a case of the executive's
    prospect on it, and makers of real (and really bad) image files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminder_template = cls.env.ref("hmr_treatments_addon.mail_template_hmr_photo_reminder")
        cls.photo_process = cls.env["hmr.process"].create(
            {
                "name": "Test Photo Process",
                "step_ids": [
                    Command.create(
                        {
                            "name": "Photos",
                            "sequence": 10,
                            "kind": "photos",
                            "reminder_interval_hours": 24,
                            "reminder_max_count": 3,
                            "reminder_template_id": cls.reminder_template.id,
                            "photo_slot_ids": [
                                Command.create({"name": name, "sequence": sequence})
                                for sequence, name in enumerate(SLOT_NAMES, start=1)
                            ],
                        }
                    ),
                    Command.create({"name": "Assessment", "sequence": 20, "kind": "assessment"}),
                    Command.create({"name": "Quote", "sequence": 30, "kind": "quote"}),
                ],
            }
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
        cls.jpeg = cls.make_jpeg()

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
    def b64(raw):
        return base64.b64encode(raw)

    @classmethod
    def photo_values(cls, slot, raw=None, case=None):
        return {
            "case_id": (case or cls.case).id,
            "slot_id": slot.id,
            "image": cls.b64(cls.jpeg if raw is None else raw),
        }

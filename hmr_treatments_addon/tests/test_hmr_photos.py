import base64
import io
import threading
import zipfile
from contextlib import contextmanager
from unittest.mock import patch

import pillow_heif
from PIL import Image, ImageFile, PngImagePlugin
from pillow_heif.as_plugin import HeifImageFile
from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure, UniqueViolation

from odoo import Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from ..models import hmr_case_photo as photo_model
from .common import SLOT_NAMES, HmrTreatmentsCommon

GPS_TAG = 34853
ORIENTATION_TAG = 0x0112


@tagged("post_install", "-at_install", "hmr_photos")
class TestHmrPhotoUpload(HmrTreatmentsCommon):
    """S1.1, B3: what is stored is a clean JPEG or PNG, whatever was sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_photo_case()

    def _photos(self, case=None):
        return self.env["hmr.case.photo"].search([("case_id", "=", (case or self.case).id)])

    def _photo_attachments(self):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "hmr.case.photo"), ("res_field", "=", "image")]
        )

    def _stored(self, photo):
        return base64.b64decode(photo.image)

    def test_jpeg_with_gps_stored_without_metadata(self):
        """B3, S1.1: a phone JPEG with GPS coordinates, a camera make and a rotation is
        stored upright, re-encoded, with no EXIF at all."""
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = 6  # taken rotated: must be shown turned 90°
        exif[0x010F] = "Apple"
        exif[GPS_TAG] = {1: "N", 2: (19.0, 26.0, 10.0), 3: "W", 4: (99.0, 8.0, 0.0)}
        raw = self.make_jpeg(size=(80, 60), exif=exif, comment=b"secret comment")
        self.assertIn(GPS_TAG, Image.open(io.BytesIO(raw)).getexif())

        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0], raw))

        stored = self._stored(photo)
        self.assertNotEqual(stored, raw, "the image is always re-encoded")
        self.assertNotIn(b"Exif", stored)
        self.assertNotIn(b"secret comment", stored)
        with Image.open(io.BytesIO(stored)) as image:
            self.assertEqual(image.format, "JPEG")
            self.assertEqual(image.size, (60, 80), "EXIF orientation applied to the pixels")
            self.assertFalse(dict(image.getexif()), "no EXIF left, so no GPS")
            self.assertFalse({"exif", "icc_profile", "comment", "xmp"} & set(image.info))
        self.assertRecordValues(
            photo,
            [{"mimetype": "image/jpeg", "width": 60, "height": 80, "file_size": len(stored)}],
        )
        attachment = self._photo_attachments().filtered(lambda a: a.res_id == photo.id)
        self.assertEqual(attachment.mimetype, "image/jpeg")
        self.assertFalse(attachment.public, "B3: photos are never public")

    def test_png_stays_png(self):
        """S1.1: a PNG (screenshot, transparency) stays a PNG, without its text chunks
        or colour profile."""
        info = PngImagePlugin.PngInfo()
        info.add_text("Location", "19.43,-99.13")
        raw = self.make_png(size=(50, 40), pnginfo=info)
        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0], raw))
        stored = self._stored(photo)
        self.assertNotIn(b"19.43", stored)
        with Image.open(io.BytesIO(stored)) as image:
            self.assertEqual((image.format, image.mode, image.size), ("PNG", "RGBA", (50, 40)))
            self.assertNotIn("Location", image.info)
        self.assertEqual((photo.mimetype, photo.width, photo.height), ("image/png", 50, 40))

    def test_big_photo_downscaled(self):
        """S1.1: photos are stored at most MAX_SIDE pixels on their longest side."""
        raw = self.make_jpeg(size=(3200, 2400))
        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0], raw))
        self.assertEqual((photo.width, photo.height), (photo_model.MAX_SIDE, 1920))
        with Image.open(io.BytesIO(self._stored(photo))) as image:
            self.assertEqual(image.size, (photo_model.MAX_SIDE, 1920))

    def _bad_files(self):
        gif = io.BytesIO()
        Image.new("P", (10, 10)).save(gif, format="GIF")
        bmp = io.BytesIO()
        Image.new("RGB", (10, 10)).save(bmp, format="BMP")
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zip_file:
            zip_file.writestr("front.jpg", self.jpeg)
        noise = Image.frombytes("RGB", (120, 120), bytes(range(256)) * 168 + bytes(192))
        noisy_jpeg = io.BytesIO()
        noise.save(noisy_jpeg, format="JPEG")
        noisy_jpeg = noisy_jpeg.getvalue()
        damaged = "damaged or incomplete"
        return [
            ("bmp", bmp.getvalue(), "BMP files are not accepted"),
            (
                "svg",
                b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
                b"<script>alert(document.cookie)</script></svg>",
                "SVG files are not accepted",
            ),
            ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF files"),
            (
                "html",
                b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
                "HTML files are not accepted",
            ),
            ("zip", archive.getvalue(), "ZIP files are not accepted"),
            ("gif", gif.getvalue(), "GIF files are not accepted"),
            (
                "heic without its image",
                b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
                damaged,
            ),
            ("text named .jpg", b"just some text, not a photo", "TXT files are not accepted"),
            ("unknown bytes", b"\x00\x01\x02\x03" * 16, "not a JPEG, PNG or HEIC image"),
            ("truncated jpeg", noisy_jpeg[: len(noisy_jpeg) // 2], damaged),
            ("jpeg without its end", noisy_jpeg[:-2], damaged),
            ("jpeg magic, garbage", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, damaged),
            ("truncated png", self.make_png(size=(200, 100))[:-30], damaged),
            ("empty", b"", "(is empty|cannot be emptied)"),
        ]

    def test_bad_files_refused(self):
        """S1.1, B3 (security): files are judged by their content: everything but a
        complete JPEG or PNG is refused with its own message, and nothing is stored,
        neither the photo nor its attachment."""
        attachments = self._photo_attachments()
        for name, raw, message in self._bad_files():
            with self.subTest(file=name), self.assertRaisesRegex(UserError, message):
                self.env["hmr.case.photo"].create(self.photo_values(self.slots[0], raw))
        self.assertFalse(self._photos())
        self.assertEqual(self._photo_attachments(), attachments)
        self.assertEqual(self.case.photo_count, 0)

    def test_bad_replacement_refused(self):
        """S1.1, B3: replacing a photo goes through the same check; a refused
        replacement keeps the photo as it was."""
        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        stored = photo.image
        for name, raw, message in self._bad_files():
            with self.subTest(file=name), self.assertRaisesRegex(UserError, message):
                photo.write({"image": self.b64(raw)})
        photo.invalidate_recordset()
        self.assertEqual(photo.image, stored)
        self.assertEqual(photo.mimetype, "image/jpeg")

    def test_not_base64_refused(self):
        """S1.1: an upload that is not base64 (a data URL, a file path) is refused."""
        for value in ("data:image/jpeg;base64,/9j/4AAQ", "C:\\photos\\front.jpg"):
            with self.subTest(value=value), self.assertRaisesRegex(UserError, "not correctly"):
                self.env["hmr.case.photo"].create(
                    {"case_id": self.case.id, "slot_id": self.slots[0].id, "image": value}
                )
        self.assertFalse(self._photos())

    def test_oversized_file_refused_before_decoding(self):
        """S1.1, B3: a file over the size cap is refused on its length, before being
        decoded at all (neither base64 nor image)."""
        raw = b"\xff\xd8\xff" + b"\x00" * photo_model.MAX_UPLOAD_BYTES
        with (
            patch.object(photo_model.base64, "b64decode", side_effect=AssertionError),
            patch.object(photo_model.Image, "open", side_effect=AssertionError),
            self.assertRaisesRegex(UserError, r"too large \(10\.0 MB\): the limit is 10 MB"),
        ):
            self.env["hmr.case.photo"].create(self.photo_values(self.slots[0], raw))
        with (
            patch.object(photo_model.Image, "open", side_effect=AssertionError),
            self.assertRaisesRegex(UserError, "the limit is 10 MB"),
        ):
            self.env["hmr.case.photo"]._sanitize_image(raw)
        self.assertFalse(self._photos())

    @contextmanager
    def assert_no_pixel_decoded(self):
        with (
            patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")),
            patch.object(HeifImageFile, "load", side_effect=AssertionError("decoded")),
        ):
            yield

    def test_decompression_bomb_refused(self):
        """B3: images announcing more pixels than allowed are refused on their header,
        before their pixels are decoded: a 20000 x 20000 PNG weighs a few hundred bytes
        and would take 400 MB once decoded (Pillow's own limit refuses it as it reads
        the header); 8000 x 7000 (56 MP) is over Odoo's limit of 50 MP (the one of its
        image fields) though under Pillow's."""
        for width, height, message in (
            (20000, 20000, "too large: the limit is 50 megapixels"),
            (8000, 7000, "too large \\(8000 x 7000 pixels\\): the limit is 50 megapixels"),
        ):
            raw = self.make_png_header(width, height)
            self.assertLess(len(raw), 2048)
            with (
                self.subTest(size=(width, height)),
                self.assert_no_pixel_decoded(),
                self.assertRaisesRegex(UserError, message),
            ):
                self.env["hmr.case.photo"].create(self.photo_values(self.slots[0], raw))
        self.assertFalse(self._photos())

    def test_decompression_bomb_caught_from_pillow(self):
        """B3: should a header pass our own check, Pillow's decompression bomb error is
        still turned into a clear refusal."""
        raw = self.make_png_header(100, 100)
        with (
            patch.object(photo_model.Image, "MAX_IMAGE_PIXELS", 1000),
            self.assertRaisesRegex(UserError, "too large"),
        ):
            self.env["hmr.case.photo"]._sanitize_image(raw)

    def test_heic_converted(self):
        """S1.1, B3, issue 9 item 7: a HEIC photo (the iPhone's default), read by
        pillow_heif, goes through the same checks and is stored as a JPEG without its
        metadata (no EXIF, no GPS); a HEIC cut during its upload is refused."""
        exif = Image.Exif()
        exif[0x010F] = "Apple"
        exif[GPS_TAG] = {1: "N", 2: (19.0, 26.0, 0.0)}
        heic = io.BytesIO()
        pillow_heif.from_pillow(Image.new("RGB", (40, 30), (10, 20, 30))).save(
            heic, exif=exif.tobytes()
        )
        heic = heic.getvalue()
        self.assertIn(b"Apple", heic)
        values = self.env["hmr.case.photo"]._sanitize_image(heic)
        self.assertEqual(values["mimetype"], "image/jpeg")
        with Image.open(io.BytesIO(base64.b64decode(values["image"]))) as image:
            self.assertEqual((image.format, image.size), ("JPEG", (40, 30)))
            self.assertNotIn("exif", image.info)
            self.assertFalse(image.getexif())
        with self.assertRaisesRegex(UserError, "damaged or incomplete"):
            self.env["hmr.case.photo"]._sanitize_image(heic[: len(heic) // 2])

    def test_heic_decompression_bomb_refused(self):
        """B3: a HEIC photo announcing more pixels than allowed is refused on its
        container's header, before its pixels are decoded."""
        heic = io.BytesIO()
        pillow_heif.from_pillow(Image.new("RGB", (400, 300))).save(heic)
        with (
            patch.object(photo_model, "IMAGE_MAX_RESOLUTION", 1000),
            self.assert_no_pixel_decoded(),
            self.assertRaisesRegex(UserError, "400 x 300 pixels"),
        ):
            self.env["hmr.case.photo"]._sanitize_image(heic.getvalue())

    def test_metadata_derived_from_the_image(self):
        """S1.1: the type, size and dimensions stored are read from the image itself;
        what a caller sends for them is never trusted."""
        Photo = self.env["hmr.case.photo"]
        raw = self.make_png(size=(30, 20))
        photo = Photo.create(
            {
                **self.photo_values(self.slots[0], raw),
                "width": 99999,
                "mimetype": "text/html",
                "file_size": 1,
            }
        )
        self.assertRecordValues(
            photo,
            [
                {
                    "mimetype": "image/png",
                    "width": 30,
                    "height": 20,
                    "file_size": len(self._stored(photo)),
                }
            ],
        )
        photo.write({"mimetype": "image/svg+xml", "width": 1})
        self.assertEqual((photo.mimetype, photo.width), ("image/png", 30))

    def test_one_sanitization_per_upload(self):
        """S1.1, Q3: each upload is checked and cleaned exactly once, whichever way it
        comes in (the case's own method the portal, the web form and the demo share, a
        create, a replacement); nothing is cached between uploads: the same bytes sent
        twice are checked twice."""
        Photo = type(self.env["hmr.case.photo"])
        with patch.object(
            Photo, "_sanitize_image", autospec=True, side_effect=Photo._sanitize_image
        ) as sanitize:
            photo = self.case._hmr_store_photo(self.slots[0], self.b64(self.jpeg))
            self.assertEqual(sanitize.call_count, 1)
            self.case._hmr_store_photo(self.slots[0], self.b64(self.jpeg))
            self.assertEqual(sanitize.call_count, 2)
            self.assertEqual(self._photos(), photo, "the slot's photo was replaced")
            self.env["hmr.case.photo"].create(self.photo_values(self.slots[1]))
            self.assertEqual(sanitize.call_count, 3)

    def test_replace_photo(self):
        """S1.1: a prospect replaces a blurry photo: the slot keeps one photo with the
        new image, its metadata and a single attachment."""
        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        photo.write({"image": self.b64(self.make_png(size=(70, 35)))})
        self.assertRecordValues(
            photo,
            [{"mimetype": "image/png", "width": 70, "height": 35, "slot_id": self.slots[0].id}],
        )
        self.assertEqual(self._photos(), photo)
        self.assertEqual(len(self._photo_attachments().filtered(lambda a: a.res_id == photo.id)), 1)
        self.assertEqual(self.case.photo_count, 1)

    def test_slot_twice_refused(self):
        """S1.1: one photo per slot; a second one for the same slot is refused (replace
        the first instead)."""
        self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as error:
            self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        self.assertIn(
            "already sent", self.env["hmr.case.photo"]._sql_error_to_message(error.exception)
        )

    def test_slot_of_another_process_refused(self):
        """S1.1: a photo must be one of the slots of the case's own process; a photo
        cannot be moved to another prospect's case."""
        other_process = self.env["hmr.process"].create(
            {
                "name": "Test Beard Process",
                "step_ids": [
                    Command.create(
                        {
                            "name": "Photos",
                            "kind": "photos",
                            "photo_slot_ids": [Command.create({"name": "Chin"})],
                        }
                    )
                ],
            }
        )
        chin = other_process.step_ids.photo_slot_ids
        with self.assertRaisesRegex(ValidationError, "“Chin” is not one of the photos"):
            self.env["hmr.case.photo"].create(self.photo_values(chin))
        photo = self.env["hmr.case.photo"].create(self.photo_values(self.slots[0]))
        with self.assertRaisesRegex(ValidationError, "is not one of the photos"):
            photo.slot_id = chin
        other_case = self.env["hmr.treatment.case"].create(
            {"lead_id": self.lead_exec_2.id, "treatment_id": self.photo_treatment.id}
        )
        with self.assertRaisesRegex(UserError, "cannot be moved to another case"):
            photo.case_id = other_case

    def test_complete_photos_move_to_assessment(self):
        """S1.1, S1.2: the executive adds the photos received by WhatsApp; with the
        fifth, the case leaves the photos step for the assessment and the reminders
        stop."""
        case = self.case.with_user(self.user_executive)
        self.assertEqual(case.step_kind, "photos")
        self.assertTrue(case.next_photo_reminder_at)
        Photo = self.env["hmr.case.photo"].with_user(self.user_executive)
        Photo.create([self.photo_values(slot) for slot in self.slots[:4]])
        self.assertRecordValues(
            case, [{"photo_count": 4, "photos_complete": False, "step_kind": "photos"}]
        )
        self.assertEqual(case.missing_photo_slot_ids.mapped("name"), [SLOT_NAMES[4]])
        Photo.create(self.photo_values(self.slots[4]))
        self.assertRecordValues(
            case,
            [
                {
                    "photo_count": 5,
                    "photo_required_count": 5,
                    "photos_complete": True,
                    "step_kind": "assessment",
                    "next_photo_reminder_at": False,
                }
            ],
        )
        self.assertFalse(case.missing_photo_slot_ids)

    def test_q3_five_photos_cost_as_one(self):
        """Q3: storing the 5 photos of a prospect in one call costs at most 2 queries
        more than storing 1 (same image bytes; a sixth slot keeps the case in the photos
        step, so that only the storing is measured, not the move to the assessment)."""
        self.env["hmr.photo.slot"].create(
            {"name": "Extra", "sequence": 6, "step_id": self.photo_step.id}
        )
        leads = self.env["crm.lead"].create(
            [
                {"name": name, "type": "opportunity", "user_id": self.user_executive.id}
                for name in ("Q3 warm-up", "Q3 one photo", "Q3 five photos")
            ]
        )
        warmup, case_one, case_five = self.env["hmr.treatment.case"].create(
            [{"lead_id": lead.id, "treatment_id": self.photo_treatment.id} for lead in leads]
        )
        # B3: each prospect consented to the privacy notice (their own contact)
        for lead in leads:
            lead.partner_id = self.env["res.partner"].create({"name": lead.name})
        leads.partner_id._hmr_record_privacy_consent("staff", staff_user=self.user_executive)
        Photo = self.env["hmr.case.photo"].with_user(self.user_executive)
        raw = self.make_jpeg(size=(400, 300))

        def store(case, slots):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            Photo.create([self.photo_values(slot, raw, case=case) for slot in slots])
            self.env.flush_all()
            return self.cr.sql_log_count - start

        store(warmup, self.slots[:1])
        count_one = store(case_one, self.slots[:1])
        count_five = store(case_five, self.slots[:5])
        self.assertEqual((case_one.photo_count, case_five.photo_count), (1, 5))
        self.assertLessEqual(
            count_five - count_one, 2, f"Q3: 1 photo: {count_one} queries, 5: {count_five}"
        )


@tagged("post_install", "-at_install", "hmr_photos")
class TestHmrPhotoAccess(HmrTreatmentsCommon):
    """B3: photos are medical data: the prospect's executive, the assigned doctor and
    the managers reach them, nobody else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_photo_case()
        cls.photo = cls.env["hmr.case.photo"].create(cls.photo_values(cls.slots[0]))
        cls.case.doctor_id = cls.user_doctor
        cls.user_internal = mail_new_test_user(
            cls.env, login="hmr_ph_internal", groups="base.group_user"
        )
        cls.user_portal = mail_new_test_user(
            cls.env, login="hmr_ph_portal", groups="base.group_portal"
        )

    def _read(self, user):
        photo = self.photo.with_user(user)
        photo.invalidate_recordset()
        return photo.read(["image", "slot_id"])[0]

    def test_allowed_read(self):
        """B3: the executive of the prospect, the assigned doctor and a manager read
        the photo and its image."""
        for user in (self.user_executive, self.user_doctor, self.user_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self._read(user)["image"], self.photo.image)
                self.assertEqual(
                    self.env["hmr.case.photo"].with_user(user).search([]) & self.photo,
                    self.photo,
                )

    def test_others_refused(self):
        """B3: another executive, a doctor not assigned to the case, a plain employee and
        a portal user cannot read the photo, nor its attachment."""
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "hmr.case.photo"),
                ("res_id", "=", self.photo.id),
                ("res_field", "=", "image"),
            ]
        )
        self.assertEqual(len(attachment), 1)
        for user in (
            self.user_executive_2,
            self.user_doctor_2,
            self.user_internal,
            self.user_portal,
        ):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._read(user)
                with self.assertRaises(AccessError):
                    attachment.with_user(user).read(["datas"])

    def test_doctor_reads_only(self):
        """B3: the assigned doctor reads the photos but cannot replace, add or delete
        them (and the image is not even checked for them)."""
        photo = self.photo.with_user(self.user_doctor)
        with (
            patch.object(
                type(self.env["hmr.case.photo"]), "_sanitize_image", side_effect=AssertionError
            ),
            self.assertRaises(AccessError),
        ):
            photo.write({"image": self.b64(self.jpeg)})
        with self.assertRaises(AccessError):
            self.env["hmr.case.photo"].with_user(self.user_doctor).create(
                self.photo_values(self.slots[1])
            )
        with self.assertRaises(AccessError):
            photo.unlink()

    def test_other_executive_cannot_add(self):
        """B3: an executive cannot add photos to another executive's prospect."""
        with self.assertRaises(AccessError):
            self.env["hmr.case.photo"].with_user(self.user_executive_2).create(
                self.photo_values(self.slots[1])
            )


@contextmanager
def _committed_env(registry):
    with registry.cursor() as cr:
        cr.execute("SET LOCAL lock_timeout = '30s'")  # fail, never hang, on a stray lock
        yield api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})


@tagged("post_install", "-at_install", "hmr_photos")
class TestHmrPhotoConcurrency(TransactionCase):
    """Reliability: the photo limit holds under concurrent uploads (two real cursors,
    as odoo/addons/base/tests/test_ir_sequence.py does). The records are committed by a
    cursor of their own and deleted at the end, whatever happens; this test's own
    transaction writes nothing, so that it holds no lock the other cursors could wait
    for."""

    jpeg = HmrTreatmentsCommon.make_jpeg()
    b64 = staticmethod(HmrTreatmentsCommon.b64)

    def setUp(self):
        super().setUp()
        with _committed_env(self.registry) as env:
            process = env["hmr.process"].create(
                {
                    "name": "Concurrency Photo Process",
                    "step_ids": [
                        Command.create(
                            {
                                "name": "Photos",
                                "sequence": 10,
                                "kind": "photos",
                                "photo_slot_ids": [
                                    Command.create({"name": name, "sequence": sequence})
                                    for sequence, name in enumerate(SLOT_NAMES, start=1)
                                ],
                            }
                        ),
                        Command.create({"name": "Quote", "sequence": 20, "kind": "quote"}),
                    ],
                }
            )
            treatment = env["hmr.treatment"].create(
                {"name": "Concurrency Hair Transplant", "process_id": process.id}
            )
            lead = env["crm.lead"].create({"name": "Concurrency prospect", "user_id": False})
            case = env["hmr.treatment.case"].create(
                {"lead_id": lead.id, "treatment_id": treatment.id}
            )
            self.committed = {
                "process": process.id,
                "treatment": treatment.id,
                "lead": lead.id,
                "case": case.id,
                "slots": process.step_ids.photo_slot_ids.ids,
            }
        self.addCleanup(self._delete_committed)

    def _delete_committed(self):
        with _committed_env(self.registry) as env:
            case = env["hmr.treatment.case"].browse(self.committed["case"]).exists()
            case.photo_ids.unlink()
            case.unlink()
            env["crm.lead"].browse(self.committed["lead"]).exists().unlink()
            env["hmr.treatment"].browse(self.committed["treatment"]).exists().unlink()
            env["hmr.process"].browse(self.committed["process"]).exists().unlink()

    def _upload(self, env, slot_index):
        return env["hmr.case.photo"].create(
            {
                "case_id": self.committed["case"],
                "slot_id": self.committed["slots"][slot_index],
                "image": self.b64(self.jpeg),
            }
        )

    def _upload_in_thread(self, slot_index):
        """Upload from a second cursor in a thread: it blocks on the first cursor's
        rows until that one commits. Returns the thread and its outcome."""
        outcome = {}

        def upload():
            try:
                with _committed_env(self.registry) as env:
                    env.cr.execute("SET LOCAL lock_timeout = '20s'")
                    self._upload(env, slot_index)
                    env.flush_all()
                outcome["result"] = "committed"
            except Exception as error:  # the outcome is what is tested
                outcome["result"] = error

        thread = threading.Thread(target=upload, name="hmr_photo_concurrent_upload")
        thread.start()
        return thread, outcome

    def _committed_case(self):
        with _committed_env(self.registry) as env:
            case = env["hmr.treatment.case"].browse(self.committed["case"])
            return {
                "photos": len(case.photo_ids),
                "photo_count": case.photo_count,
                "photos_complete": case.photos_complete,
                "step_kind": case.step_kind,
                "next_photo_reminder_at": case.next_photo_reminder_at,
            }

    @mute_logger("odoo.sql_db")
    def test_same_slot_from_two_cursors(self):
        """S1.1, reliability: the prospect (portal) and the executive upload the same
        slot at the same time: exactly one upload is stored, the other fails, and the
        case never has more photos than slots."""
        with _committed_env(self.registry) as env:
            self._upload(env, 0)
            env.flush_all()
            thread, outcome = self._upload_in_thread(0)
            thread.join(timeout=1)
            self.assertTrue(thread.is_alive(), "the second upload waits for the first")
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(outcome["result"], (UniqueViolation, SerializationFailure))
        self.assertEqual(self._committed_case()["photos"], 1)
        self.assertEqual(self._committed_case()["photo_count"], 1)

    @mute_logger("odoo.sql_db")
    def test_last_two_slots_from_two_cursors(self):
        """S1.1, reliability: the last two photos arrive at the same time from two
        cursors. Each transaction alone sees 4 photos out of 5; without a conflict on
        the case, both would commit and the case would stay incomplete forever. The
        stored counter makes the second one fail; retried, it completes the case, which
        then leaves the photos step exactly once."""
        with _committed_env(self.registry) as env:
            for index in range(3):
                self._upload(env, index)
        with _committed_env(self.registry) as env:
            self._upload(env, 3)
            env.flush_all()
            thread, outcome = self._upload_in_thread(4)
            thread.join(timeout=1)
            self.assertTrue(thread.is_alive(), "the second upload waits for the first")
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(outcome["result"], (SerializationFailure, UniqueViolation))
        state = self._committed_case()
        self.assertEqual((state["photos"], state["photo_count"]), (4, 4))
        self.assertFalse(state["photos_complete"])

        # the request is retried (as Odoo retries serialization failures)
        with _committed_env(self.registry) as env:
            self._upload(env, 4)
        self.assertEqual(
            self._committed_case(),
            {
                "photos": 5,
                "photo_count": 5,
                "photos_complete": True,
                "step_kind": "quote",
                "next_photo_reminder_at": False,
            },
        )

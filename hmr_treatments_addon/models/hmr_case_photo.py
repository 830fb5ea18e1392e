import base64
import binascii
import io
import logging
import mimetypes

import pillow_heif
from PIL import Image

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.image import IMAGE_MAX_RESOLUTION, image_apply_opt, image_fix_orientation
from odoo.tools.mimetypes import guess_mimetype

_logger = logging.getLogger(__name__)

# Pillow then opens an iPhone's HEIC/HEIF like its own formats (see requirements.txt);
# thumbnails, depth and auxiliary images are never used, so they are not even read
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest file accepted, checked on the raw bytes before any decoding."""
MAX_SIDE = 2560
"""Longest side of the stored image: larger photos are downscaled."""
JPEG_QUALITY = 90
STORED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "HEIF": "JPEG"}
"""The formats accepted, as Pillow decodes them, and the format each is stored in: not
every phone or browser shows HEIF."""
# what the upload check derives from the image itself: never taken from the caller
IMAGE_METADATA_FIELDS = ("mimetype", "file_size", "width", "height")
# what Pillow raises on a file it cannot read (libheif raises RuntimeError)
UNREADABLE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, RuntimeError)


class HmrCasePhoto(models.Model):
    """A photograph the prospect sent for one slot of their case: private medical data
    (B3). Every image is checked and cleaned here, once, whatever the channel (web
    client, portal, web form, demo): judged by the format Pillow decodes, never by its
    name; size-capped; its resolution checked on its header before any pixel is decoded;
    re-encoded upright, downscaled and without any metadata. Odoo's ``ImageProcess``
    is not used as is: it fixes the orientation (decoding the pixels) before checking
    the resolution, and hands back the original bytes, EXIF and GPS included, when
    nothing had to change."""

    _name = "hmr.case.photo"
    _description = "Case Photo"
    _order = "case_id, slot_sequence, id"
    _rec_name = "slot_id"

    case_id = fields.Many2one(
        "hmr.treatment.case", required=True, ondelete="cascade", index=True, readonly=True
    )
    slot_id = fields.Many2one("hmr.photo.slot", required=True, ondelete="restrict", index=True)
    slot_sequence = fields.Integer(related="slot_id.sequence", store=True)
    # checked and re-encoded on the way in (see _sanitize_image): Odoo's own resolution
    # check would only open the image a second time
    image = fields.Image(required=True, attachment=True, verify_resolution=False)
    mimetype = fields.Char(string="Type", readonly=True)
    file_size = fields.Integer(string="Size (bytes)", readonly=True)
    width = fields.Integer(readonly=True)
    height = fields.Integer(readonly=True)

    _case_slot_uniq = models.Constraint(
        "unique(case_id, slot_id)", "This photo was already sent: replace it instead."
    )

    @api.constrains("case_id", "slot_id")
    def _check_slot_of_case_process(self):
        for photo in self:
            if photo.slot_id.process_id != photo.case_id.process_id:
                raise ValidationError(
                    self.env._(
                        "The photo “%(slot)s” is not one of the photos the process "
                        "“%(process)s” of %(case)s asks for.",
                        slot=photo.slot_id.name,
                        process=photo.case_id.process_id.name,
                        case=photo.case_id.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # access first (no query: the model rights), so that the upload check of a user who
        # may not store photos costs nothing; then every image is checked before anything
        # is written: a refused upload stores nothing
        self.browse().check_access("create")
        for vals in vals_list:
            if not vals.get("image"):
                raise UserError(self.env._("The photo is empty: please choose the photo again."))
        self._check_privacy_consent({vals.get("case_id") for vals in vals_list})
        vals_list = [self._prepare_photo_values(vals) for vals in vals_list]
        photos = super().create(vals_list)
        photos.case_id._on_photos_changed()
        return photos

    def write(self, vals):
        if "case_id" in vals and any(photo.case_id.id != vals["case_id"] for photo in self):
            raise UserError(self.env._("A photo cannot be moved to another case."))
        if "image" in vals and not vals["image"]:
            raise UserError(
                self.env._("A photo cannot be emptied: send another image, or delete it.")
            )
        if "image" in vals:
            self.browse().check_access("write")
            self._check_privacy_consent(set(self.case_id.ids))
        vals = self._prepare_photo_values(vals)
        res = super().write(vals)
        if "image" in vals or "slot_id" in vals:
            self.case_id._on_photos_changed()
        return res

    def unlink(self):
        cases = self.case_id
        res = super().unlink()
        cases._on_photos_changed()
        return res

    # ------------------------------------------------------------
    # UPLOAD CHECK (S1.1, B3)
    # ------------------------------------------------------------

    @api.model
    def _check_privacy_consent(self, case_ids):
        """B3: no photo before the prospect consented to the privacy notice (recorded on
        their contact by the web form, the portal, or the staff who obtained it). The
        superuser (data loading, the prospect channels once they checked it themselves)
        is trusted, as it is for access rights."""
        if self.env.su:
            return
        cases = self.env["hmr.treatment.case"].browse(case_id for case_id in case_ids if case_id)
        cases._hmr_check_privacy_consent()

    @api.model
    def _prepare_photo_values(self, vals):
        """``vals`` with its image (base64, as the ORM receives it) checked and cleaned,
        and the metadata derived from the image, whatever the caller sent."""
        vals = {key: value for key, value in vals.items() if key not in IMAGE_METADATA_FIELDS}
        if vals.get("image"):
            vals.update(self._sanitize_image(self._decode_image(vals["image"])))
        return vals

    @api.model
    def _decode_image(self, value):
        """The bytes of an image given in base64, the size cap applied before decoding."""
        if isinstance(value, str):
            value = value.encode()
        # some clients wrap base64 in lines (base64.encodebytes); nothing else is tolerated
        value = b"".join(value.split())
        # 4 base64 characters carry 3 bytes: refuse what cannot fit before decoding it
        self._check_file_size(len(value) * 3 // 4 - value[-2:].count(b"="))
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(
                self.env._("The photo could not be read: the upload is not correctly encoded.")
            ) from error

    @api.model
    def _sanitize_image(self, raw):
        """Check the image ``raw`` (bytes) and return the values that store it clean:
        ``image`` (base64), ``mimetype``, ``file_size``, ``width`` and ``height``.

        :raise UserError: with a message for the prospect when the file is refused
        """
        self._check_file_size(len(raw))
        image_format = self._check_image_header(raw)
        try:
            image = Image.open(io.BytesIO(raw), formats=(image_format,))
            # before the orientation: a JPEG is then decoded directly at a reduced scale
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            image.load()
            # Odoo lets Pillow load truncated images: a JPEG cut during its upload would
            # be stored half grey, Pillow marks it so
            if getattr(image, "_ended", False):
                raise EOFError("truncated JPEG")
            image = image_fix_orientation(image)
            if image.mode not in ("L", "RGB", "RGBA"):
                image = image.convert("RGBA" if image.has_transparency_data else "RGB")
            # nothing of the original file travels on: no EXIF (GPS), ICC, XMP, comments
            image.info = {}
            stored_format = STORED_FORMATS[image_format]
            options = {"quality": JPEG_QUALITY} if stored_format == "JPEG" else {}
            content = image_apply_opt(image, stored_format, optimize=True, **options)
        except UNREADABLE_ERRORS as error:
            _logger.info("Photo refused, it could not be decoded: %s", error)
            raise self._damaged_error() from error
        return {
            "image": base64.b64encode(content),
            "mimetype": f"image/{stored_format.lower()}",
            "file_size": len(content),
            "width": image.width,
            "height": image.height,
        }

    @api.model
    def _check_image_header(self, raw):
        """The format of ``raw`` as Pillow reads it from its header, once its format is
        accepted, its resolution within Odoo's limit and its structure sound; no pixel
        is decoded yet (a decompression bomb weighs a few hundred bytes)."""
        if not raw:
            raise UserError(self.env._("The photo is empty: please choose the photo again."))
        try:
            with Image.open(io.BytesIO(raw)) as header:
                image_format, (width, height) = header.format, header.size
                if image_format in STORED_FORMATS and width * height <= IMAGE_MAX_RESOLUTION:
                    header.verify()  # PNG: the checksums of every chunk, up to the end
        except Image.DecompressionBombError as error:
            # Pillow's own limit, far above Odoo's, refuses it before saying its size
            raise self._too_large_error() from error
        except UNREADABLE_ERRORS:
            image_format = None
        if image_format not in STORED_FORMATS:
            raise self._refused_format_error(raw, image_format)
        if width * height > IMAGE_MAX_RESOLUTION:
            raise self._too_large_error(width, height)
        return image_format

    def _check_file_size(self, size):
        if size > MAX_UPLOAD_BYTES:
            raise UserError(
                self.env._(
                    "The photo is too large (%(size)s MB): the limit is %(limit)s MB. Please "
                    "send a smaller photo.",
                    size=f"{size / 1024 / 1024:.1f}",
                    limit=MAX_UPLOAD_BYTES // 1024 // 1024,
                )
            )

    def _refused_format_error(self, raw, image_format):
        mimetype = guess_mimetype(raw)
        if not image_format and (mimetype in ("image/jpeg", "image/png") or raw[4:8] == b"ftyp"):
            # the signature of an accepted format (or of a HEIF container), unreadable
            return self._damaged_error()
        # the name the prospect knows the file by: its usual extension (PDF, SVG, ZIP...)
        name = image_format or (mimetypes.guess_extension(mimetype) or "")[1:]
        if name and name != "bin":
            return UserError(
                self.env._(
                    "%(format)s files are not accepted: please send the photo as a JPEG, PNG "
                    "or HEIC image.",
                    format=name.upper(),
                )
            )
        return UserError(
            self.env._(
                "This file is not a JPEG, PNG or HEIC image: please send the photo as a "
                "JPEG, PNG or HEIC image."
            )
        )

    def _too_large_error(self, width=None, height=None):
        if not width:
            return UserError(
                self.env._(
                    "The photo is too large: the limit is %(limit)s megapixels. Please send a "
                    "smaller photo.",
                    limit=int(IMAGE_MAX_RESOLUTION // 1_000_000),
                )
            )
        return UserError(
            self.env._(
                "The photo is too large (%(width)s x %(height)s pixels): the limit is %(limit)s "
                "megapixels. Please send a smaller photo.",
                width=width,
                height=height,
                limit=int(IMAGE_MAX_RESOLUTION // 1_000_000),
            )
        )

    def _damaged_error(self):
        return UserError(
            self.env._(
                "The photo is damaged or incomplete and cannot be read: please send it again."
            )
        )

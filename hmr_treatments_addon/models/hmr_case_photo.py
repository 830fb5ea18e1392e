import base64

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.photo_upload import decode_base64_photo, sanitize_photo

# what the upload check derives from the image itself: never taken from the caller
IMAGE_METADATA_FIELDS = ("mimetype", "file_size", "width", "height")


class HmrCasePhoto(models.Model):
    """A photograph the prospect sent for one slot of their case: private medical data
    (B3). Every image stored here went through the upload check of
    ``tools/photo_upload.py``: real JPEG, PNG or HEIC (stored as JPEG) only, size-capped,
    re-encoded without metadata (S1.1)."""

    _name = "hmr.case.photo"
    _description = "Case Photo"
    _order = "case_id, slot_sequence, id"
    _rec_name = "slot_id"

    case_id = fields.Many2one(
        "hmr.treatment.case", required=True, ondelete="cascade", index=True, readonly=True
    )
    slot_id = fields.Many2one("hmr.photo.slot", required=True, ondelete="restrict", index=True)
    slot_sequence = fields.Integer(related="slot_id.sequence", store=True)
    # checked and re-encoded on the way in (see _prepare_image): Odoo's own resolution
    # check would only decode the image a second time
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
    def _prepare_image(self, raw_bytes):
        """Check an uploaded image by its content and return the values that store it:
        ``image`` (base64 of the cleaned JPEG or PNG), ``mimetype``, ``file_size``,
        ``width`` and ``height``. For the controllers that receive files (portal, web
        forms, mail gateway): ``create`` and ``write`` do the same on any ``image``, and
        recognise an image prepared here without re-encoding it.

        :param bytes raw_bytes: the file as received
        :raise UserError: with a message for the prospect when the file is refused
        """
        photo = sanitize_photo(self.env, raw_bytes)
        return {
            "image": base64.b64encode(photo.content),
            "mimetype": photo.mimetype,
            "file_size": photo.file_size,
            "width": photo.width,
            "height": photo.height,
        }

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
            vals.update(self._prepare_image(decode_base64_photo(self.env, vals["image"])))
        return vals

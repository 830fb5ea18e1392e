from odoo import models
from odoo.http import Stream

# the attachments that hold the images of the prospects' photos
PHOTO_MODEL = "hmr.case.photo"
PHOTO_FIELD = "image"
# the other attachments that hold a prospect's medical data: their data-protection archives
PRIVATE_MODELS = ("hmr.arco.request",)


class PhotoStream(Stream):
    """The image of a prospect's photo as HTTP sends it: kept by no browser nor proxy
    (medical data on a clinic's shared computers), so that every view comes back to the
    server, and to the access log. Odoo's image route would otherwise let the browser keep
    it for a year."""

    def get_response(self, as_attachment=None, immutable=None, **send_file_kwargs):
        send_file_kwargs.pop("max_age", None)
        response = super().get_response(as_attachment=as_attachment, **send_file_kwargs)
        response.headers["Cache-Control"] = "private, no-store"
        return response


class IrAttachment(models.Model):
    """Every way to the bytes of a prospect's photo ends here, whatever the route: the
    image streamed (``/web/image``, ``/web/content``, by the photo or by its attachment)
    and the content read by the ORM (``read`` of the photo's image or of the attachment's
    ``datas``/``raw``, over RPC, an export, the prospect's page). Each is recorded in the
    photo access log before the bytes leave; sizes (``bin_size``) and metadata are not
    the image and are not recorded."""

    _inherit = "ir.attachment"

    def _compute_raw(self):
        self._hmr_log_photo_access()
        return super()._compute_raw()

    def _to_http_stream(self):
        stream = super()._to_http_stream()
        if self._hmr_log_photo_access() or self.sudo().res_model in PRIVATE_MODELS:
            stream = PhotoStream(**vars(stream))
        return stream

    def _hmr_get_photos(self):
        """The photos whose image is held by these attachments."""
        photo_ids = [
            attachment.res_id
            for attachment in self.sudo()
            if attachment.res_model == PHOTO_MODEL and attachment.res_field == PHOTO_FIELD
        ]
        return self.env[PHOTO_MODEL].sudo().browse(photo_ids)

    def _hmr_log_photo_access(self):
        """Log the access to the photos held by these attachments; return the photos."""
        photos = self._hmr_get_photos()
        if photos:
            self.env["hmr.photo.access.log"]._log_photo_access(photos)
        return photos

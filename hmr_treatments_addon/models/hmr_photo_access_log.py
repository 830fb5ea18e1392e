import logging
import re
import threading
from contextlib import nullcontext
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request

_logger = logging.getLogger(__name__)

# how long the same person reaching the same photo the same way counts as one access: the
# web client fetches a photo for its thumbnail, its form and its zoom within seconds
DEDUPLICATION_WINDOW = timedelta(minutes=1)
# the clinical record is kept five years (NOM-004-SSA3-2012): so is the record of who saw it
DEFAULT_RETENTION_DAYS = 5 * 365
RETENTION_PARAM = "hmr_treatments_addon.photo_access_log_retention_days"
# the prospect's page's photo route, behind the website's language prefix if any
PORTAL_PHOTO_PATH = re.compile(r"^(/[a-z]{2}(_[A-Za-z]{2,4})?)?/my/hmr/cases/\d+/photo/\d+/image$")
RPC_PATH_PREFIXES = ("/web/dataset/", "/xmlrpc/", "/jsonrpc", "/json/")


class HmrPhotoAccessLog(models.Model):
    """Who of the clinic's staff reached the image of a prospect's photo, when and how:
    the privacy officer's record of every access to medical photos. Written by the access
    path itself (the attachment that holds the image), never by a person: append-only,
    no one changes or deletes an entry; the autovacuum removes them after the retention
    the clinic configures."""

    _name = "hmr.photo.access.log"
    _description = "Photo Access Log"
    _order = "access_date desc, id desc"

    access_date = fields.Datetime(
        string="Accessed on", required=True, readonly=True, index=True, default=fields.Datetime.now
    )
    user_id = fields.Many2one(
        "res.users",
        string="Seen by",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    # the photo and its case may be deleted later (a replaced photo is the same record): the
    # entry stays, saying when and who
    photo_id = fields.Many2one(
        "hmr.case.photo", string="Photo Seen", readonly=True, index=True, ondelete="set null"
    )
    slot_id = fields.Many2one(
        "hmr.photo.slot", string="Photo View", readonly=True, ondelete="set null"
    )
    case_id = fields.Many2one(
        "hmr.treatment.case",
        string="Prospect's Case",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    channel = fields.Selection(
        [
            ("view", "Shown in the web client"),
            ("download", "Downloaded"),
            ("rpc", "Read through the API"),
            ("portal", "Prospect's page"),
            ("other", "Other"),
        ],
        string="How",
        required=True,
        readonly=True,
    )
    request_path = fields.Char(string="Address", readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)

    @api.depends("user_id", "case_id", "slot_id")
    def _compute_display_name(self):
        for entry in self:
            names = (entry.user_id.name, entry.case_id.display_name, entry.slot_id.name)
            entry.display_name = " · ".join(name for name in names if name)

    # ------------------------------------------------------------
    # CRUD: append-only
    # ------------------------------------------------------------

    # pylint: disable-next=method-required-super
    def write(self, vals):
        # not even sudo code: an entry says what happened, nothing may rewrite it
        raise AccessError(self.env._("The photo access log cannot be changed."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(
            self.env._(
                "The photo access log cannot be deleted: its entries are removed only once "
                "the retention the clinic configured has passed."
            )
        )

    # ------------------------------------------------------------
    # LOGGING
    # ------------------------------------------------------------

    @api.model
    def _log_photo_access(self, photos):
        """Record that the current user reached the image of ``photos`` (any record set
        of ``hmr.case.photo``, sudo or not): one entry per photo, unless the same user
        reached it the same way within the deduplication window. The system's own work
        (crons, installation: the superuser) and the prospects (portal or public users,
        who see their own photos) are not recorded. Any failure propagates: the image is
        then not served (the log cannot be bypassed by making it fail)."""
        user = self.env.user
        if not photos or self.env.uid == SUPERUSER_ID or user.share:
            return
        channel, path = self._get_request_channel()
        photos = photos.sudo()
        recent = self.sudo().search(
            [
                ("user_id", "=", user.id),
                ("photo_id", "in", photos.ids),
                ("channel", "=", channel),
                ("access_date", ">=", fields.Datetime.now() - DEDUPLICATION_WINDOW),
            ]
        )
        photos -= recent.photo_id
        if not photos:
            return
        vals_list = [
            {
                "user_id": user.id,
                "photo_id": photo.id,
                "slot_id": photo.slot_id.id,
                "case_id": photo.case_id.id,
                "channel": channel,
                "request_path": path,
                "ip_address": request.httprequest.remote_addr if request else False,
            }
            for photo in photos
        ]
        # a read-only route (image, RPC read) may run on a read-only cursor (a replica):
        # the entry is then written and committed at once on a read/write cursor, as Odoo
        # logs devices (res.device.log); the read-only transaction had nothing to keep
        if self.env.cr.readonly:
            self.env.cr.rollback()
            cursor = self.env.registry.cursor(readonly=False)
        else:
            cursor = nullcontext(self.env.cr)
        with cursor as cr:
            self.with_env(self.env(cr=cr, su=True)).create(vals_list)

    @api.model
    def _get_request_channel(self):
        """How the image is being reached, from the current HTTP request: its channel and
        its address (without the query string, which may carry a token). XML-RPC, the
        external API, hides its HTTP request from the methods it calls: outside of the
        scheduler, an access without a request is an API call (or a shell's)."""
        if not request:
            if getattr(threading.current_thread(), "type", None) == "cron":
                return "other", False
            return "rpc", False
        path = request.httprequest.path
        if path.startswith("/web/image"):
            download = str(request.httprequest.args.get("download", "")).lower()
            channel = "download" if download in ("1", "true") else "view"
        elif path.startswith("/web/content"):
            channel = "download"
        elif path.startswith(RPC_PATH_PREFIXES):
            channel = "rpc"
        elif PORTAL_PHOTO_PATH.match(path):
            channel = "portal"
        else:
            channel = "other"
        return channel, path[:256]

    # ------------------------------------------------------------
    # RETENTION
    # ------------------------------------------------------------

    @api.autovacuum
    def _gc_expired_entries(self):
        """Remove the entries older than the retention (days; 0 keeps them forever). In
        SQL: the ORM refuses every deletion of an entry."""
        param = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            days = int(param) if param else DEFAULT_RETENTION_DAYS
        except ValueError:
            _logger.warning("Ignored %s=%r: not a number of days", RETENTION_PARAM, param)
            days = DEFAULT_RETENTION_DAYS
        if days <= 0:
            return
        self.env.cr.execute(
            "DELETE FROM hmr_photo_access_log WHERE access_date < %s",
            [fields.Datetime.now() - timedelta(days=days)],
        )
        _logger.info("Removed %d photo access log entries past retention", self.env.cr.rowcount)

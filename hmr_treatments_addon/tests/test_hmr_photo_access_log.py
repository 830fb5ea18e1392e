import base64
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import HmrTreatmentsCommon

LOG = "hmr.photo.access.log"


@tagged("hmr_photo_log", "post_install", "-at_install")
class TestHmrPhotoAccessLog(HttpCase, HmrTreatmentsCommon):
    """J10, B3: every access of the staff to the image of a prospect's photo is logged
    (who, when, which photo, how), whatever the way; the log is the manager's to read and
    nobody's to change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls.photo = cls.env["hmr.case.photo"].create(cls.photo_values(cls.slots[0]))
        cls.photo_2 = cls.env["hmr.case.photo"].create(cls.photo_values(cls.slots[1]))
        cls.attachment = cls.env["ir.attachment"].search(
            [
                ("res_model", "=", "hmr.case.photo"),
                ("res_id", "=", cls.photo.id),
                ("res_field", "=", "image"),
            ]
        )
        cls.stored = base64.b64decode(cls.photo.image)

    def entries(self, **filters):
        domain = [(name, "=", value) for name, value in filters.items()]
        return self.env[LOG].search(domain, order="id")

    def test_orm_reads_of_the_image_are_logged(self):
        """J10: reading the image through the ORM (an API read, export, the attachment's
        content) is logged once per user, photo and way within a minute; the image's size
        (what the form reads), the metadata, the system and the prospect are not."""
        photos = (self.photo | self.photo_2).with_user(self.user_executive)
        photos.read(["slot_id", "mimetype", "width", "height"])
        photos.with_context(bin_size=True).read(["image"])
        self.env.invalidate_all()
        self.assertTrue(self.photo.image, "the superuser's own read")
        self.env.invalidate_all()
        self.assertTrue(self.photo.with_user(self.portal_ana).sudo().image, "the prospect's")
        self.assertFalse(self.entries())

        before = fields.Datetime.now()
        self.env.invalidate_all()
        self.assertEqual(photos.read(["image"])[0]["image"], self.photo.image)
        entries = self.entries()
        self.assertEqual(
            {(e.user_id, e.photo_id, e.case_id, e.slot_id, e.channel) for e in entries},
            {
                (self.user_executive, self.photo, self.case, self.slots[0], "rpc"),
                (self.user_executive, self.photo_2, self.case, self.slots[1], "rpc"),
            },
        )
        self.assertTrue(all(e.access_date >= before - timedelta(seconds=1) for e in entries))
        # the same user reading them again within the minute: the same entries
        self.env.invalidate_all()
        photos.export_data(["image"])
        self.assertEqual(self.entries(), entries)
        # the attachment's content is the same image: the manager reads it there
        self.env.invalidate_all()
        self.attachment.with_user(self.user_manager).read(["datas"])
        self.assertEqual(self.entries(user_id=self.user_manager.id).mapped("photo_id"), self.photo)
        # a minute later, a new entry
        with freeze_time(fields.Datetime.now() + timedelta(minutes=2)):
            self.env.invalidate_all()
            self.assertTrue(photos[0].image)
        self.assertEqual(len(self.entries(user_id=self.user_executive.id)), 3)

    def test_http_ways_to_the_image_are_logged(self):
        """J10: the web client's image (/web/image by the photo, with a size, or by its
        attachment), the download (/web/content) and the prospect's page opened by the
        staff are logged with their way and address, never their token; the image is never
        cached by the browser, so that every view reaches the log."""
        self.authenticate(self.user_executive.login, self.user_executive.login)
        ways = {
            f"/web/image/hmr.case.photo/{self.photo.id}/image?unique=1": "view",
            f"/web/image/hmr.case.photo/{self.photo.id}/image/0x180": "view",
            f"/web/content/hmr.case.photo/{self.photo.id}/image?download=true": "download",
            f"/web/image/{self.attachment.id}?download=1": "download",
            f"/my/hmr/cases/{self.case.id}/photo/{self.slots[0].id}/image": "portal",
        }
        for url, channel in ways.items():
            with self.subTest(url=url):
                self.env.cr.execute("DELETE FROM hmr_photo_access_log")
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content[:2], b"\xff\xd8")
                entry = self.entries()
                self.assertEqual(
                    (entry.user_id, entry.photo_id, entry.channel),
                    (self.user_executive, self.photo, channel),
                )
                self.assertEqual(entry.request_path, url.split("?")[0])
                self.assertIn("no-store", response.headers["Cache-Control"])
                self.assertNotIn("immutable", response.headers["Cache-Control"])
        # the web client's (or an integration's) read of the image, on a read-only cursor
        self.env.cr.execute("DELETE FROM hmr_photo_access_log")
        route = "/web/dataset/call_kw/hmr.case.photo/read"
        result = self.make_jsonrpc_request(
            route,
            {
                "model": "hmr.case.photo",
                "method": "read",
                "args": [[self.photo.id], ["image"]],
                "kwargs": {},
            },
        )
        self.assertEqual(base64.b64decode(result[0]["image"]), self.stored)
        entry = self.entries()
        self.assertEqual(
            (entry.user_id, entry.channel, entry.request_path),
            (self.user_executive, "rpc", route),
        )
        # the prospect with the link is not the staff: nothing logged
        self.env.cr.execute("DELETE FROM hmr_photo_access_log")
        self.authenticate(None, None)
        url = f"/my/hmr/cases/{self.case.id}/photo/{self.slots[0].id}/image"
        response = self.url_open(f"{url}?access_token={self.case.access_token}")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.entries())

    def test_no_image_without_its_log(self):
        """J10: when the log cannot be written, the image is not served (fails closed):
        the ORM read raises, /web/image answers its placeholder."""
        self.env.invalidate_all()
        Log = type(self.env[LOG])
        with patch.object(Log, "create", autospec=True, side_effect=UserError("log down")):
            with self.assertRaises(UserError):
                self.photo.with_user(self.user_executive).read(["image"])
            self.authenticate(self.user_executive.login, self.user_executive.login)
            response = self.url_open(f"/web/image/hmr.case.photo/{self.photo.id}/image")
            self.assertNotEqual(response.content, self.stored)
            self.assertNotEqual(response.content[:2], b"\xff\xd8")

    def test_log_is_read_by_managers_only_and_never_changed(self):
        """J10: the manager reads the log; executives, doctors and prospects cannot; no
        one (the manager, the administrator, even the superuser) changes or deletes an
        entry, nor creates one by hand."""
        self.env.invalidate_all()
        self.photo.with_user(self.user_executive).read(["image"])
        entry = self.entries()
        self.assertEqual(len(entry), 1)
        manager_read = entry.with_user(self.user_manager).read(["user_id"])
        self.assertEqual(manager_read[0]["user_id"][0], self.user_executive.id)
        for user in (self.user_executive, self.user_doctor, self.portal_ana):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env[LOG].with_user(user).search([])
        admin = self.env.ref("base.user_admin")
        for log in (entry.with_user(self.user_manager), entry.with_user(admin), entry.sudo()):
            with self.subTest(user=log.env.user.login, su=log.env.su):
                with self.assertRaises(AccessError):
                    log.write({"channel": "other"})
                with self.assertRaises(AccessError):
                    log.unlink()
        for user in (self.user_manager, admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env[LOG].with_user(user).create(
                    {"user_id": user.id, "photo_id": self.photo.id, "channel": "other"}
                )
        # a deleted photo keeps its entries (who saw it, when)
        self.photo.unlink()
        self.assertTrue(entry.exists())
        self.assertFalse(entry.photo_id)
        self.assertEqual(entry.case_id, self.case)

    def test_retention(self):
        """J10: the autovacuum removes the entries older than the configured retention
        (five years by default), never the others; 0 keeps them all."""
        Log = self.env[LOG].sudo()
        now = fields.Datetime.now()
        values = {"user_id": self.user_executive.id, "photo_id": self.photo.id, "channel": "rpc"}
        old = Log.create({**values, "access_date": now - timedelta(days=6 * 365)})
        recent = Log.create({**values, "access_date": now - timedelta(days=4 * 365)})
        param = "hmr_treatments_addon.photo_access_log_retention_days"
        self.env["ir.config_parameter"].set_param(param, "0")
        Log._gc_expired_entries()
        self.assertTrue(old.exists())
        self.env["ir.config_parameter"].set_param(param, False)
        Log._gc_expired_entries()
        Log.invalidate_model()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        self.env["ir.config_parameter"].set_param(param, "30")
        Log._gc_expired_entries()
        Log.invalidate_model()
        self.assertFalse(recent.exists())

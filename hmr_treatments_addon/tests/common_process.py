import base64
import io

from PIL import Image

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user


class HmrProcessCommon(MailCommon):
    """Staff and prospects following the shipped "Proceso Capilar" (module data, not
    demo): 5 photo slots, assessment, quote, answer, follow-up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = cls._new_user("proc_manager", "group_hmr_manager", "Mara Manager")
        cls.user_executive = cls._new_user("proc_exec", "group_hmr_executive", "Eva Exec")
        cls.user_doctor = cls._new_user("proc_doctor", "group_hmr_doctor", "Dora Doctor")
        cls.user_doctor_2 = cls._new_user("proc_doctor2", "group_hmr_doctor", "Dan Doctor")
        cls.process = cls.env.ref("hmr_treatments_addon.hmr_process_hair")
        cls.treatment = cls.env.ref("hmr_treatments_addon.hmr_treatment_fue")
        cls.slots = cls.process._get_step("photos").photo_slot_ids
        cls.jpeg_b64 = base64.b64encode(cls._make_jpeg())

    @classmethod
    def _new_user(cls, login, group, name):
        return mail_new_test_user(
            cls.env,
            login=login,
            name=name,
            groups=f"hmr_crm_addon.{group}",
            notification_type="inbox",
        )

    @staticmethod
    def _make_jpeg(color=(120, 90, 60)):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), color).save(buffer, format="JPEG")
        return buffer.getvalue()

    @classmethod
    def _new_case(cls, name="Ana López", treatment=None, executive=None):
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
            {"lead_id": lead.id, "treatment_id": (treatment or cls.treatment).id}
        )

    def _send_all_photos(self, case):
        case.env["hmr.case.photo"].create(
            [
                {"case_id": case.id, "slot_id": slot.id, "image": self.jpeg_b64}
                for slot in self.slots
            ]
        )

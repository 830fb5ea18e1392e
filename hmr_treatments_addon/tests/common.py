from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.mail.tests.common import mail_new_test_user


class HmrTreatmentsCommon(BaseCommon):
    """Clinic staff in every role, a process, two treatments and three prospects, all
    built here (never from demo data)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = cls._new_hmr_user("hmr_trt_manager", "group_hmr_manager")
        cls.user_executive = cls._new_hmr_user("hmr_trt_exec", "group_hmr_executive")
        cls.user_executive_2 = cls._new_hmr_user("hmr_trt_exec2", "group_hmr_executive")
        cls.user_doctor = cls._new_hmr_user("hmr_trt_doctor", "group_hmr_doctor")
        cls.user_doctor_2 = cls._new_hmr_user("hmr_trt_doctor2", "group_hmr_doctor")

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

        Lead = cls.env["crm.lead"].with_context(mail_create_nolog=True)
        cls.lead_exec = Lead.create(
            {
                "name": "Ana López",
                "contact_name": "Ana López",
                "type": "opportunity",
                "user_id": cls.user_executive.id,
                "doctor_ids": [(6, 0, cls.user_doctor.ids)],
            }
        )
        cls.lead_exec_2 = Lead.create(
            {
                "name": "Bruno García",
                "contact_name": "Bruno García",
                "type": "opportunity",
                "user_id": cls.user_executive_2.id,
                "doctor_ids": [(6, 0, cls.user_doctor_2.ids)],
            }
        )
        cls.lead_unassigned = Lead.create(
            {"name": "Carla Méndez", "type": "opportunity", "user_id": False}
        )

    @classmethod
    def _new_hmr_user(cls, login, group):
        return mail_new_test_user(
            cls.env, login=login, groups=f"hmr_crm_addon.{group}", notification_type="email"
        )

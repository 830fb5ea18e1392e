from contextlib import ExitStack

from odoo.fields import Command
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user


class HmrCrmCommon(MailCommon):
    """Clinic staff in every role, a few catalogs, three prospects and a service to quote,
    built here (never from demo data); helpers for quotes, the CRM menu's tabs and crons.
    The base of every test class of both addons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = cls._new_hmr_user("hmr_manager", "group_hmr_manager", "Mara Manager")
        cls.user_executive = cls._new_hmr_user("hmr_exec", "group_hmr_executive", "Eva Executive")
        cls.user_executive_2 = cls._new_hmr_user("hmr_exec2", "group_hmr_executive", "Ezra Exec")
        cls.user_doctor = cls._new_hmr_user("hmr_doctor", "group_hmr_doctor", "Dora Doctor")
        cls.user_doctor_2 = cls._new_hmr_user("hmr_doctor2", "group_hmr_doctor", "Dan Doctor")
        cls.user_plain = mail_new_test_user(cls.env, login="hmr_plain", groups="base.group_user")

        cls.section_hair = cls.env.ref("hmr_crm_addon.hmr_section_hair")
        cls.method_whatsapp = cls.env.ref("hmr_crm_addon.hmr_contact_method_whatsapp")
        cls.source_instagram = cls.env.ref("hmr_crm_addon.utm_source_instagram")
        cls.source_google = cls.env.ref("hmr_crm_addon.utm_source_google_ads")
        cls.group_executive = cls.env.ref("hmr_crm_addon.group_hmr_executive")
        cls.group_manager = cls.env.ref("hmr_crm_addon.group_hmr_manager")
        cls.product_fue = cls.env["product.product"].create(
            {
                "name": "Trasplante FUE (test)",
                "type": "service",
                "list_price": 45000.0,
                "invoice_policy": "order",
            }
        )

        Lead = cls.env["crm.lead"].with_context(mail_create_nolog=True)
        cls.lead_exec = Lead.create(cls._prospect_values("Ana", "López Pérez", cls.user_executive))
        cls.lead_exec_2 = Lead.create(
            cls._prospect_values("Bruno", "García Ruiz", cls.user_executive_2)
        )
        cls.lead_unassigned = Lead.create(cls._prospect_values("Carla", "Méndez", None))

    @classmethod
    def _new_hmr_user(cls, login, group, name, **values):
        return mail_new_test_user(
            cls.env,
            login=login,
            name=name,
            groups=f"hmr_crm_addon.{group}",
            notification_type="email",
            **values,
        )

    @classmethod
    def _prospect_values(cls, first_name, last_name, user, **extra):
        slug = first_name.lower()
        return {
            "first_name": first_name,
            "last_name": last_name,
            "email_from": f"{slug}@example.mx",
            "phone": f"+52 55 1234 {sum(map(ord, first_name + last_name)):04d}",
            "contact_method_id": cls.method_whatsapp.id,
            "source_id": cls.source_instagram.id,
            "section_id": cls.section_hair.id,
            "user_id": user.id if user else False,
            "type": "opportunity",
            **extra,
        }

    def _new_quote(self, lead, **values):
        """A quote of ``lead`` made by the current user."""
        return self.env["sale.order"].create(
            {
                "partner_id": lead.partner_id.id,
                "opportunity_id": lead.id,
                "user_id": lead.user_id.id,
                "order_line": [
                    Command.create({"product_id": self.product_fue.id, "product_uom_qty": 1})
                ],
                **values,
            }
        )

    def _tab(self, xmlid):
        """The records a tab of the CRM menu shows, as its user."""
        action = self.env.ref(xmlid).sudo()
        return self.env[action.res_model].search(safe_eval(action.domain or "[]"))

    def _run_cron(self, xmlid):
        """Run a scheduled action as Odoo's scheduler does: as its user, in a transaction
        of its own (the test's, in test mode: HTTP cases always are), committing its
        progress."""
        with ExitStack() as stack:
            if not type(self)._registry_patched:
                stack.enter_context(self.enter_registry_test_mode())
            self.env.ref(xmlid).method_direct_trigger()

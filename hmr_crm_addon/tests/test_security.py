from ast import literal_eval

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, tagged, users

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_security")
class TestRoles(HmrCrmCommon):
    def _visible_prospects(self):
        leads = self.lead_exec | self.lead_exec_2 | self.lead_unassigned
        return self.env["crm.lead"].search([("id", "in", leads.ids)])

    def test_roles_are_one_privilege(self):
        """C1, C2: the three roles live under one "HMR CRM" privilege; the manager
        role implies the others; each user shows their role, department and section."""
        privilege = self.env.ref("hmr_crm_addon.res_groups_privilege_hmr_crm")
        manager = self.env.ref("hmr_crm_addon.group_hmr_manager")
        self.assertEqual(
            set(privilege.group_ids.mapped("name")),
            {"Sales Executive", "Diagnosis Doctor", "Manager"},
        )
        self.assertIn(self.env.ref("hmr_crm_addon.group_hmr_executive"), manager.all_implied_ids)
        self.assertIn(self.env.ref("hmr_crm_addon.group_hmr_doctor"), manager.all_implied_ids)
        department = self.env.ref("hmr_crm_addon.hmr_department_sales")
        self.user_executive.write(
            {"hmr_department_id": department.id, "hmr_section_id": self.section_hair.id}
        )
        self.assertRecordValues(
            self.user_executive | self.user_doctor | self.user_manager,
            [
                {"hmr_role": "executive", "hmr_department_id": department.id},
                {"hmr_role": "doctor", "hmr_department_id": False},
                {"hmr_role": "manager", "hmr_department_id": False},
            ],
        )
        self.assertIn(self.user_executive, self.section_hair.user_ids)

    @users("hmr_exec")
    def test_executive_sees_and_edits_own_prospects_only(self):
        """C2: an executive sees and edits their own prospects, neither another
        executive's nor (by default) the unassigned ones."""
        self.assertEqual(self._visible_prospects(), self.lead_exec)
        self.lead_exec.with_user(self.env.user).write({"whatsapp": "+52 1 55 0000 0000"})
        for lead in (self.lead_exec_2, self.lead_unassigned):
            with self.assertRaises(AccessError):
                lead.with_user(self.env.user).read(["name"])
            with self.assertRaises(AccessError):
                lead.with_user(self.env.user).write({"whatsapp": "+52 1 55 0000 0001"})

    def test_executive_sees_unassigned_when_manager_allows(self):
        """C2, B4: the manager lets executives see unassigned prospects in the clinic's
        settings: Odoo's implied group, given to the executives only."""
        see_unassigned = self.env.ref("hmr_crm_addon.group_hmr_see_unassigned")
        self.assertNotIn(see_unassigned, self.user_executive.all_group_ids)
        settings = self.env["res.config.settings"].with_user(self.user_manager).create({})
        settings.group_hmr_see_unassigned = True
        settings.execute()
        self.assertIn(see_unassigned, self.user_executive.all_group_ids)
        executive_env = self.env(user=self.user_executive)
        leads = self.lead_exec | self.lead_exec_2 | self.lead_unassigned
        visible = executive_env["crm.lead"].search([("id", "in", leads.ids)])
        self.assertEqual(visible, self.lead_exec | self.lead_unassigned)
        doctor_env = self.env(user=self.user_doctor)
        self.assertFalse(
            doctor_env["crm.lead"].search([("id", "in", leads.ids)]),
            "the setting is for executives: doctors still see only what they assess",
        )
        settings = self.env["res.config.settings"].with_user(self.user_manager).create({})
        self.assertTrue(settings.group_hmr_see_unassigned)
        settings.group_hmr_see_unassigned = False
        settings.execute()
        self.assertEqual(
            executive_env["crm.lead"].search([("id", "in", leads.ids)]), self.lead_exec
        )
        self.assertIn(see_unassigned, self.user_manager.all_group_ids, "managers see them always")

    def test_plain_salesman_keeps_odoo_reach(self):
        """C2: an Odoo salesman without a clinic role keeps Odoo's own rules: their
        prospects and quotes and the unassigned ones."""
        salesman = mail_new_test_user(
            self.env, login="hmr_odoo_salesman", groups="sales_team.group_sale_salesman"
        )
        leads = self.lead_exec | self.lead_exec_2 | self.lead_unassigned
        as_salesman = self.env(user=salesman)
        self.assertEqual(
            as_salesman["crm.lead"].search([("id", "in", leads.ids)]), self.lead_unassigned
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.lead_exec.partner_id.id,
                "opportunity_id": self.lead_exec.id,
                "user_id": False,
            }
        )
        self.assertEqual(as_salesman["sale.order"].search([("id", "=", order.id)]), order)

    def test_manager_administers_without_technical_settings(self):
        """C1, C2, B4: the manager is no Odoo administrator (no Access Rights, no technical
        settings, no code), yet manages the clinic's staff and roles, its templates and
        its settings."""
        manager = self.user_manager
        as_manager = self.env(user=manager)
        self.assertFalse(as_manager.is_system())
        self.assertFalse(manager.has_group("base.group_erp_manager"))
        self.env.ref("hmr_crm_addon.mail_template_hmr_prospect_follow_up").with_user(
            manager
        ).subject = "Seguimiento"
        self.env.ref("hmr_crm_addon.sms_template_hmr_prospect_reminder").with_user(
            manager
        ).body = "Recordatorio"
        action = as_manager["ir.actions.act_window"]._for_xml_id(
            "hmr_crm_addon.res_config_settings_action"
        )
        views = as_manager["res.config.settings"].get_views([(action["view_id"][0], "form")])
        self.assertIn("group_hmr_see_unassigned", views["models"]["res.config.settings"]["fields"])
        with self.assertRaises(AccessError):
            as_manager["ir.actions.server"].create(
                {"name": "Code", "model_id": self.env.ref("crm.model_crm_lead").id, "state": "code"}
            )

    def test_manager_manages_staff_by_clinic_role(self):
        """C1, C2: the manager adds a member of the staff with their clinic role, section
        and department through the staff form, and changes the role later; the role
        replaces the previous one."""
        as_manager = self.env(user=self.user_manager)
        department = self.env.ref("hmr_crm_addon.hmr_department_sales")
        action = as_manager["ir.actions.act_window"]._for_xml_id(
            "hmr_crm_addon.res_users_action_staff"
        )
        form_view = {mode: view_id for view_id, mode in action["views"]}["form"]
        with Form(as_manager["res.users"], view=form_view) as form:
            form.name = "Nueva Ejecutiva"
            form.login = "hmr_new_exec"
            form.email = "nueva@hmr.example.mx"
            form.hmr_role = "executive"
            form.hmr_department_id = department
            form.hmr_section_id = self.section_hair
        staff = form.record
        self.assertRecordValues(
            staff,
            [{"hmr_role": "executive", "share": False, "hmr_department_id": department.id}],
        )
        self.assertTrue(staff.has_group("base.group_user"))
        staff.write({"hmr_role": "doctor"})
        self.assertEqual(staff.hmr_role, "doctor")
        self.assertNotIn(self.group_executive, staff.sudo().group_ids)
        staff.write({"hmr_role": "manager"})
        self.assertEqual(staff.hmr_role, "manager")
        self.assertIn(staff, self.env["res.users"].search(literal_eval(action["domain"])))

    def test_manager_cannot_become_administrator(self):
        """C1, C2: the manager cannot give Odoo's Administrator or Access Rights groups to
        anyone (themselves included), nor touch an administrator's account, the access
        rules or the groups."""
        as_manager = self.env(user=self.user_manager)
        staff = self.user_executive.with_env(as_manager)
        for xmlid in ("base.group_system", "base.group_erp_manager"):
            group = self.env.ref(xmlid)
            for user in (staff, self.user_manager.with_env(as_manager)):
                with self.assertRaises(AccessError):
                    user.write({"group_ids": [Command.link(group.id)]})
            with self.assertRaises(AccessError):
                as_manager["res.users"].create(
                    {"name": "Admin", "login": "hmr_admin_2", "group_ids": [Command.link(group.id)]}
                )
            with self.assertRaises(AccessError):
                group.with_env(as_manager).user_ids = [Command.link(self.user_manager.id)]
        with self.assertRaises(AccessError):
            self.env.ref("base.user_admin").with_env(as_manager).write({"password": "hmr"})
        with self.assertRaises(AccessError):
            as_manager["ir.rule"].create(
                {"name": "Open", "model_id": self.env.ref("crm.model_crm_lead").id}
            )
        with self.assertRaises(AccessError):
            as_manager["ir.model.access"].create(
                {
                    "name": "Open",
                    "model_id": self.env.ref("crm.model_crm_lead").id,
                    "group_id": self.group_manager.id,
                    "perm_unlink": True,
                }
            )
        self.assertFalse(self.user_manager.has_group("base.group_system"))

    @users("hmr_manager")
    def test_manager_sees_everything(self):
        """C2: managers see and edit every prospect."""
        self.assertEqual(
            self._visible_prospects(), self.lead_exec | self.lead_exec_2 | self.lead_unassigned
        )
        self.lead_unassigned.with_user(self.env.user).user_id = self.user_executive

    @users("hmr_plain")
    def test_user_without_role_sees_no_prospect(self):
        """C2: an internal user without an HMR CRM role reaches no prospect."""
        with self.assertRaises(AccessError):
            self.env["crm.lead"].search([])

    @users("hmr_exec", "hmr_doctor")
    def test_catalogs_are_read_only_for_staff(self):
        """C2, C3, C6: staff read the catalogs; only managers change them."""
        self.assertTrue(self.env["hmr.section"].search([]))
        self.assertTrue(self.env["hmr.contact.method"].search([]))
        for model, values in [
            ("hmr.section", {"name": "Nails"}),
            ("hmr.department", {"name": "Marketing"}),
            ("hmr.contact.method", {"name": "Telegram"}),
        ]:
            with self.assertRaises(AccessError):
                self.env[model].create(values)
        with self.assertRaises(AccessError):
            self.section_hair.with_user(self.env.user).name = "Renamed"

    def test_quotes_of_unassigned_prospects_follow_the_prospect_rule(self):
        """C2, B3: a quote without salesperson is seen by the executives only as its prospect
        is: the prospect's own executive sees it, the others only when unassigned
        prospects are visible to them."""
        partner = self.lead_unassigned.partner_id
        order_unassigned = self.env["sale.order"].create(
            {"partner_id": partner.id, "opportunity_id": self.lead_unassigned.id, "user_id": False}
        )
        order_own = self.env["sale.order"].create(
            {
                "partner_id": self.lead_exec.partner_id.id,
                "opportunity_id": self.lead_exec.id,
                "user_id": False,
            }
        )
        orders = order_unassigned | order_own
        as_executive = self.env["sale.order"].with_user(self.user_executive)
        self.assertEqual(as_executive.search([("id", "in", orders.ids)]), order_own)
        # as the setting does
        self.env.ref("hmr_crm_addon.group_hmr_executive")._apply_group(
            self.env.ref("hmr_crm_addon.group_hmr_see_unassigned")
        )
        self.assertEqual(as_executive.search([("id", "in", orders.ids)]), orders)
        as_other = self.env["sale.order"].with_user(self.user_executive_2)
        self.assertEqual(as_other.search([("id", "in", orders.ids)]), order_unassigned)

    def test_calls_and_messages_of_unassigned_prospects_need_the_group(self):
        """C2, D6, D7: the calls and messages of unassigned prospects reach the executives
        only with the "See unassigned prospects" group, as the prospects do."""
        call = self.env["hmr.call"].create(
            {"lead_id": self.lead_unassigned.id, "call_at": self.env["hmr.call"]._default_call_at()}
        )
        template = self.env.ref("hmr_crm_addon.mail_template_hmr_prospect_follow_up")
        with self.mock_mail_gateway():
            self.env["hmr.message.composer"].create(
                {
                    "lead_ids": self.lead_unassigned.ids,
                    "channel": "email",
                    "mail_template_id": template.id,
                }
            ).action_send()
        self.env.flush_all()
        Call = self.env["hmr.call"].with_user(self.user_executive)
        Message = self.env["hmr.crm.message"].with_user(self.user_executive)
        domain = [("lead_id", "=", self.lead_unassigned.id)]
        self.assertTrue(self.env["hmr.crm.message"].search(domain))
        self.assertFalse(Call.search(domain))
        self.assertFalse(Message.search(domain))
        self.user_executive.group_ids += self.env.ref("hmr_crm_addon.group_hmr_see_unassigned")
        self.assertEqual(Call.search(domain), call)
        self.assertTrue(Message.search(domain))

from odoo.exceptions import AccessError
from odoo.tests import tagged, users

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
        """C2: the manager lets executives see unassigned prospects in the settings."""
        settings = self.env["res.config.settings"].with_user(self.user_manager).create({})
        settings.hmr_unassigned_prospects_visible = True
        settings.execute()
        self.assertTrue(self.env.company.hmr_unassigned_prospects_visible)
        executive_env = self.env(user=self.user_executive)
        leads = self.lead_exec | self.lead_exec_2 | self.lead_unassigned
        visible = executive_env["crm.lead"].search([("id", "in", leads.ids)])
        self.assertEqual(visible, self.lead_exec | self.lead_unassigned)
        doctor_env = self.env(user=self.user_doctor)
        self.assertFalse(
            doctor_env["crm.lead"].search([("id", "in", leads.ids)]),
            "the setting is for executives: doctors still see only what they assess",
        )

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
        self.env.company.hmr_unassigned_prospects_visible = True
        self.assertEqual(as_executive.search([("id", "in", orders.ids)]), orders)
        as_other = self.env["sale.order"].with_user(self.user_executive_2)
        self.assertEqual(as_other.search([("id", "in", orders.ids)]), order_unassigned)

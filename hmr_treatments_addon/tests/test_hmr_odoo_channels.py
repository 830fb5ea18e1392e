from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_odoo_channels")
class TestOdooChannels(HmrTreatmentsCommon):
    """Odoo's own ways into the pipeline keep working with the clinic's addons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = mail_new_test_user(
            cls.env, login="hmr_odoo_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "Website team", "user_id": cls.salesman.id, "member_ids": cls.salesman.ids}
        )

    def test_plain_salesman_opens_lead_form(self):
        """C2: an Odoo salesman without a clinic role opens and edits their lead: the
        treatments, which they may not read, are not on their form."""
        lead = self.env["crm.lead"].create(
            {"name": "Odoo deal", "type": "opportunity", "user_id": self.salesman.id}
        )
        form = Form(lead.with_user(self.salesman))
        form.name = "Odoo deal, renamed"
        form.save()
        self.assertEqual(lead.name, "Odoo deal, renamed")
        arch = lead.with_user(self.user_executive).get_views([(False, "form")])
        self.assertIn("treatment_case_ids", arch["views"]["form"]["arch"])

    def test_public_channel_lands_on_an_executive(self):
        """B1: a lead a visitor creates through Odoo's own channels (website contact
        form, public survey) goes to a sales executive by the clinic's rule when the
        team's default salesperson has no clinic role; one naming an executive stays."""
        public = self.env.ref("base.public_user")
        Lead = self.env["crm.lead"].with_user(public).sudo()
        for user in (self.salesman, self.env["res.users"]):
            with self.subTest(user=user.login):
                lead = Lead.create(
                    {"name": "Contact us", "team_id": self.team.id, "user_id": user.id}
                )
                self.assertIn(lead.user_id, self.user_executive | self.user_executive_2)
        lead = Lead.create({"name": "Contact Ezra", "user_id": self.user_executive_2.id})
        self.assertEqual(lead.user_id, self.user_executive_2)

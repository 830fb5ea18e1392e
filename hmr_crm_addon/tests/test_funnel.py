from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import HmrCrmCommon
from .test_crm_status import at_time


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestFunnel(HmrCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        start = datetime(2026, 5, 1, 10, 0)
        with at_time(cls.env, start):
            cls.won = Lead.create(cls._prospect_values("Wendy", "Won", cls.user_executive))
            cls.stalled = Lead.create(cls._prospect_values("Sam", "Stalled", cls.user_executive))
            cls.lost = Lead.create(
                cls._prospect_values(
                    "Lola", "Lost", cls.user_executive_2, source_id=cls.source_google.id
                )
            )
        with at_time(cls.env, start + timedelta(days=2)):  # 2 days as a lead
            (cls.won | cls.stalled)._hmr_set_status("contact")
            cls.lost.action_set_lost()
        with at_time(cls.env, start + timedelta(days=5)):  # 3 days as a contact
            cls.won._hmr_set_status("deal")
        with at_time(cls.env, start + timedelta(days=6)):  # 1 day as a deal
            cls.won.action_set_won()

    def _report(self, leads):
        self.env.flush_all()
        return self.env["hmr.crm.funnel.report"].search([("lead_id", "in", leads.ids)])

    @users("hmr_manager")
    def test_conversion_and_time_per_step_by_source(self):
        """B5: the funnel gives, by source, how many prospects reached each step
        (contact, deal, client) and the average days spent in each stage, read from the
        stage changes tracked in the chatter (a lost prospect's time stops when lost)."""
        leads = self.won | self.stalled | self.lost
        report = self._report(leads)
        keys = ["contact_rate", "deal_rate", "client_rate", "not_interested_rate", "lead_days"]
        self.assertEqual(
            [[line[key] for key in keys] for line in report.sorted(lambda line: line.lead_id.id)],
            [[100, 100, 100, 0, 2], [100, 0, 0, 0, 2], [0, 0, 0, 100, 2]],
        )
        won = report.filtered(lambda line: line.lead_id == self.won)
        self.assertRecordValues(won, [{"contact_days": 3, "deal_days": 1, "days_to_client": 6}])
        stalled = report.filtered(lambda line: line.lead_id == self.stalled)
        self.assertGreater(stalled.contact_days, 3, "the current status counts until now")
        groups = self.env["hmr.crm.funnel.report"]._read_group(
            [("lead_id", "in", leads.ids)],
            ["source_id"],
            ["__count", "contact_rate:avg", "client_rate:avg", "lead_days:avg", "deal_days:avg"],
        )
        self.assertEqual(
            groups,
            [
                (self.source_google, 1, 0.0, 0.0, 2.0, False),  # nobody was a deal
                (self.source_instagram, 2, 100.0, 50.0, 2.0, 1.0),
            ],
        )

    @users("hmr_manager")
    def test_quotes_accepted_and_rejected(self):
        """B5: the quotes accepted and rejected, by source."""
        self._new_quote(self.won, hmr_initial_status="accepted")
        self._new_quote(self.stalled, hmr_initial_status="rejected")
        self._new_quote(self.stalled)
        groups = self.env["sale.order"]._read_group(
            [("opportunity_id", "in", (self.won | self.stalled).ids)],
            ["source_id", "hmr_quote_status"],
            ["__count"],
        )
        self.assertEqual(
            sorted((status, count) for _source, status, count in groups),
            [("accepted", 1), ("in_progress", 1), ("rejected", 1)],
        )
        self.assertEqual({source for source, _status, _count in groups}, {self.source_instagram})

    @users("hmr_exec")
    def test_funnel_for_managers(self):
        """B5, C2: the funnel is the managers' report."""
        with self.assertRaises(AccessError):
            self.env["hmr.crm.funnel.report"].search([])

    @users("hmr_manager")
    def test_days_per_status_sum_every_period_of_the_history(self):
        """B5 (issue 11): the days per status are read from the whole stage history, not
        from the last stage change: a prospect sent back to a former status spends its days
        there twice, and its time stops when it is lost."""
        start = datetime(2026, 6, 1, 10, 0)
        with at_time(self.env, start):
            lead = self.env["crm.lead"].create(
                self._prospect_values("Rita", "Vuelta", self.user_executive)
            )
        for days, status in ((1, "contact"), (3, "lead"), (4, "contact")):
            with at_time(self.env, start + timedelta(days=days)):
                lead._hmr_set_status(status)
        with at_time(self.env, start + timedelta(days=6, hours=12)):
            lead.action_set_lost()
        self.assertRecordValues(
            self._report(lead),
            [{"lead_days": 2.0, "contact_days": 4.5, "deal_days": 0.0, "not_interested_rate": 100}],
        )

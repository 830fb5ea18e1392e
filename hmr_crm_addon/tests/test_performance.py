import logging
from datetime import datetime, timedelta

from lxml import etree

from odoo.tests import tagged, users, warmup

from .common import HmrCrmCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "hmr_performance")
class TestProspectPerformance(HmrCrmCommon):
    """Query budgets measured against vanilla crm.lead in the same run (quality bars)."""

    def _count_queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def _vanilla_values(self, index):
        return {
            "name": f"Vanilla {index}",
            "contact_name": f"Vanilla {index}",
            "email_from": f"vanilla{index}@example.mx",
            "phone": f"+52 55 4000 {index:04d}",
            "type": "opportunity",
            "user_id": self.user_executive.id,
        }

    def _prospect_batch(self, index, size):
        return [
            self._prospect_values(f"Perf{index}x{n}", "Prospect", self.user_executive)
            for n in range(size)
        ]

    def _overhead(self, size, index):
        Lead = self.env["crm.lead"]
        vanilla = self._count_queries(
            lambda: Lead.create([self._vanilla_values(index * 100 + n) for n in range(size)])
        )
        ours = self._count_queries(lambda: Lead.create(self._prospect_batch(index, size)))
        return vanilla, ours

    @users("hmr_exec")
    @warmup
    def test_q1_create_one_prospect(self):
        """Q1, P1: creating one prospect with our fields costs at most 10 queries more
        than a vanilla crm.lead create."""
        self._overhead(1, 1)  # warm the caches of both paths
        vanilla, ours = self._overhead(1, 2)
        self.assertLessEqual(ours - vanilla, 10, f"vanilla={vanilla} ours={ours}")

    @users("hmr_exec")
    @warmup
    def test_q2_overhead_does_not_grow_with_batch(self):
        """Q2, P1: creating 20 prospects in one call: our overhead over vanilla does not
        grow with N (overhead(20) <= overhead(1) + 5)."""
        self._overhead(1, 3)
        vanilla_1, ours_1 = self._overhead(1, 4)
        vanilla_20, ours_20 = self._overhead(20, 5)
        overhead_1, overhead_20 = ours_1 - vanilla_1, ours_20 - vanilla_20
        self.assertLessEqual(
            overhead_20, overhead_1 + 5, f"overhead(1)={overhead_1} overhead(20)={overhead_20}"
        )


@tagged("post_install", "-at_install", "hmr_performance")
class TestProspectListPerformance(HmrCrmCommon):
    """Q8: the prospect lists of the CRM panel read stored values only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stages = [
            cls.env.ref(f"hmr_crm_addon.crm_stage_{status}")
            for status in ("lead", "contact", "deal", "client")
        ]
        cls.list_leads = cls.env["crm.lead"].create(
            [
                cls._prospect_values(
                    f"List{index}",
                    "Prospect",
                    cls.user_executive,
                    stage_id=stages[index % 4].id,
                    hmr_sale_comment=f"Comment {index}",
                )
                for index in range(80)
            ]
        )
        cls.env["hmr.call"].create(
            [
                {
                    "lead_id": lead.id,
                    "user_id": cls.user_executive.id,
                    # calls to make: from tomorrow on
                    "call_at": datetime.now().replace(microsecond=0)
                    + timedelta(days=1, hours=index),
                }
                for index, lead in enumerate(cls.list_leads[:40])
            ]
        )

    def _list_specification(self, xmlid):
        """What the web client reads for a list view: each column, display names of
        the many2one, the ids of x2many."""
        view = self.env.ref(xmlid)
        arch = etree.fromstring(
            self.env["crm.lead"].get_views([(view.id, "list")])["views"]["list"]["arch"]
        )
        specification = {}
        for node in arch.iter("field"):
            field = self.env["crm.lead"]._fields[node.get("name")]
            specification[field.name] = (
                {"fields": {"display_name": {}}} if field.type == "many2one" else {}
            )
        return specification

    def _count_list_read(self, specification):
        domain = [("id", "in", self.list_leads.ids)]
        result = {}

        def read():
            result.update(self.env["crm.lead"].web_search_read(domain, specification, limit=80))

        count = TestProspectPerformance._count_queries(self, read)
        self.assertEqual(result["length"], 80)
        return count

    @users("hmr_exec")
    @warmup
    def test_q8_prospect_list_of_80(self):
        """Q8, D2: a tab of 80 prospects (status, deal status, next call, comments...)
        costs no more than Odoo's own opportunity list + 2 queries."""
        vanilla = self._count_list_read(self._list_specification("crm.crm_case_tree_view_oppor"))
        ours = self._count_list_read(
            self._list_specification("hmr_crm_addon.crm_lead_view_list_hmr_panel")
        )
        _logger.info("Q8: list of 80 prospects: vanilla=%s queries, ours=%s", vanilla, ours)
        self.assertLessEqual(ours, vanilla + 2, f"vanilla={vanilla} ours={ours}")

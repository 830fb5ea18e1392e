from odoo.tests import tagged, users, warmup

from .common import HmrCrmCommon


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

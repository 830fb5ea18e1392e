from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.hmr_crm_addon.tests.test_crm_status import at_time

from .common import HmrTreatmentsCommon

START = datetime(2026, 5, 4, 15, 0)


@tagged("post_install", "-at_install", "hmr_reports")
class TestStepTimes(HmrTreatmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wait_process = cls.env["hmr.process"].create({"name": "Answer and call"})
        cls.step_wait, cls.step_call = cls.env["hmr.process.step"].create(
            [
                {
                    "process_id": cls.wait_process.id,
                    "sequence": 1,
                    "name": "Wait",
                    "kind": "answer",
                },
                {
                    "process_id": cls.wait_process.id,
                    "sequence": 2,
                    "name": "Call",
                    "kind": "follow_up",
                },
            ]
        )
        cls.wait_treatment = cls.env["hmr.treatment"].create(
            {"name": "Answer and call", "process_id": cls.wait_process.id}
        )

    def _walk(self, name, days_waiting, days_calling=None):
        """A case entering the first step at START, the second ``days_waiting`` later, and
        closed done ``days_calling`` after that (if given)."""
        with at_time(self.env, START):
            case = self._new_case(name, treatment=self.wait_treatment)
        with at_time(self.env, START + timedelta(days=days_waiting)):
            case._advance("answer")
        if days_calling is not None:
            with at_time(self.env, START + timedelta(days=days_waiting + days_calling)):
                case._advance("follow_up")
        return case

    def _lines(self):
        self.env.flush_all()
        Report = self.env["hmr.step.time.report"].with_user(self.user_manager)
        return {
            line.step_id: line
            for line in Report.search([("process_id", "=", self.wait_process.id)])
        }

    def test_median_and_p90_per_step_from_step_history(self):
        """B5, S4 (issue 11): the time the cases spend in each step of a process, median
        and 90th percentile, read from the step changes tracked on the cases (a case
        closed done after its last step counts that step too); the cases still in a step
        are counted apart, not measured."""
        self._walk("Uno Prueba", 1, 0.5)
        self._walk("Dos Prueba", 2, 1)
        self._walk("Tres Prueba", 10, 1.5)
        self._walk("Cuatro Prueba", 4)  # still in "Call"
        lines = self._lines()
        wait, call = lines[self.step_wait], lines[self.step_call]
        self.assertEqual(wait.case_count, 4)
        self.assertAlmostEqual(wait.median_days, 3.0)  # 1, 2, 4, 10
        self.assertAlmostEqual(wait.p90_days, 4 + 0.7 * 6)  # percentile_cont
        self.assertAlmostEqual(wait.avg_days, 4.25)
        self.assertEqual((call.case_count, call.open_count), (3, 1))
        self.assertAlmostEqual(call.median_days, 1.0)
        self.assertAlmostEqual(call.p90_days, 1.4)
        self.assertEqual(wait.step_kind, "answer")

    def test_step_field_is_tracked(self):
        """B7, B5 (issue 11): the case's step is tracked in its chatter, the history the
        report reads."""
        case = self._walk("Cinco Prueba", 3)
        self.env.flush_all()
        values = case.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "step_id"
        )
        # the first step is set with the case: its creation opens it
        self.assertEqual(len(values), 1)
        self.assertEqual(values.old_value_integer, self.step_wait.id)
        self.assertEqual(values.new_value_integer, self.step_call.id)

    def test_reports_for_managers_only(self):
        """B5, C2 (issue 11): the time per step and the doctor workload are the managers'."""
        for model in ("hmr.step.time.report", "hmr.doctor.workload.report"):
            self.env[model].with_user(self.user_manager).search([])
            for user in (self.user_executive, self.user_doctor):
                with self.subTest(model=model, user=user.login), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])


@tagged("post_install", "-at_install", "hmr_reports")
class TestDoctorWorkloadReport(HmrTreatmentsCommon):
    def _assess(self, assessment, when):
        with at_time(self.env, when):
            assessment.write({"hair_loss_scale": "4", "graft_estimate": 2000})
            assessment.action_done()

    def test_workload_counts_assessments_and_turnaround(self):
        """B5, S2.2 (issue 11): each doctor's workload counts assessments, not prospects
        (a prospect with two treatments is two assessments), and the turnaround runs from
        the assignment (the handover, when it changed doctor) to the assessment: median
        and 90th percentile."""
        first, second = self.user_doctor, self.user_doctor_2
        second_fue = self.env["hmr.treatment"].create(
            {"name": "FUE coronilla", "process_id": self.hair_process.id}
        )
        with at_time(self.env, START):
            cases = [self._new_case(f"Carga{index} Prueba") for index in range(3)]
            cases.append(
                self.env["hmr.treatment.case"].create(
                    {"lead_id": cases[0].lead_id.id, "treatment_id": second_fue.id}
                )
            )
            for case in cases:
                self._send_all_photos(case)
            assessments = [case.assessment_ids for case in cases]
            for assessment in assessments[:3]:
                assessment.doctor_id = first
            assessments[3].doctor_id = second
        self._assess(assessments[0], START + timedelta(days=1))
        self._assess(assessments[1], START + timedelta(days=3))
        self._assess(assessments[2], START + timedelta(days=4))
        with at_time(self.env, START + timedelta(days=2)):  # handed over
            assessments[3].doctor_id = first
        self._assess(assessments[3], START + timedelta(days=2, hours=12))
        self.env.flush_all()
        Report = self.env["hmr.doctor.workload.report"].with_user(self.user_manager)
        line = Report.search([("doctor_id", "=", first.id)])
        self.assertRecordValues(line, [{"assessment_count": 4, "open_count": 0, "done_count": 4}])
        self.assertEqual(len({case.lead_id for case in cases}), 3, "three prospects")
        # 1, 3, 4 days and 0.5 day after the handover
        self.assertAlmostEqual(line.median_days, 2.0)
        self.assertAlmostEqual(line.p90_days, 3 + 0.7 * 1)
        self.assertFalse(Report.search([("doctor_id", "=", second.id)]))

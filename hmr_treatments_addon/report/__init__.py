from . import hmr_step_time_report
from . import hmr_doctor_workload_report

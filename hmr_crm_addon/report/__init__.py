from . import hmr_crm_funnel_report
from . import hmr_crm_message

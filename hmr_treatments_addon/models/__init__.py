from . import hmr_process
from . import hmr_treatment
from . import hmr_treatment_case
from . import hmr_discount
from . import crm_lead
from . import survey_survey

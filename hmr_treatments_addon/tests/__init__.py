from . import test_hmr_catalogs
from . import test_hmr_discount
from . import test_hmr_starter_data
from . import test_hmr_treatment_case

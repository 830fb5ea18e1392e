from . import test_catalogs
from . import test_performance
from . import test_prospect
from . import test_security
from . import test_reassignment

from . import test_web_client_tours
from . import test_translations
from . import test_proceso_capilar_tour

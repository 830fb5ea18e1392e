from . import test_web_client_tours

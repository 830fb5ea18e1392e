from . import portal
from . import main
from . import consent

from . import portal
from . import main
from . import survey
from . import consent
from . import arco

from . import portal
from . import main
from . import arco

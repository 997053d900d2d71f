from .models_meetings import *  # noqa
from .models_intelligence import *  # noqa
from .models_packs import *  # noqa
from .models_regional import *  # noqa

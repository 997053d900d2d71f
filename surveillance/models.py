from .models_meetings import *  # noqa
from .models_intelligence import *  # noqa
from .models_regional import *  # noqa

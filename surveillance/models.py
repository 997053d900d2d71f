from .models_meetings import *  # noqa
from .models_regional import *  # noqa

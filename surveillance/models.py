from .models_meetings import *  # noqa

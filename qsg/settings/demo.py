"""The embedded default: SQLite, tasks run in-process, e-mail on the console.

`make demo` uses this. Nothing outside the project folder is needed.
"""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Demo accounts may skip the second factor here, and the login page says so. Nowhere else.
QSG_TWO_FACTOR_DEMO_EXEMPT = True

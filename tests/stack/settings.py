"""Settings for the throwaway stacks of tests/load and tests/faults: production, over plain HTTP.

Everything is production (DEBUG off, secrets from the environment, WhiteNoise's compressed
static files, a real broker) except what needs TLS: the scripts talk HTTP to gunicorn on
127.0.0.1, with no proxy in front to terminate TLS, so cookies cannot be marked Secure.
"""

from qsg.settings.production import *  # noqa: F403
from qsg.settings.production import CELERY_BROKER_TRANSPORT_OPTIONS, STATIC_ROOT, env

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = env.str("QSG_STATIC_ROOT", default=str(STATIC_ROOT))
# Redelivery after a whole worker host dies waits for the broker's visibility timeout (20 minutes
# in production, longer than any task may run). The fault scripts shorten it to see it happen.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int(
        "QSG_VISIBILITY_TIMEOUT", default=CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ),
}
if env.str("QSG_VISIBILITY_TIMEOUT", default=""):
    # Sweep for unacknowledged messages every few seconds, not every 10 x 10 seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = 2
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1

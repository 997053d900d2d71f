"""The test suite: real PostgreSQL and Redis on localhost."""

from .base import *
from .base import env

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/qsg")}
DATABASES["default"]["TEST"] = {"NAME": env.str("QSG_TEST_DB_NAME", default="test_qsg")}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/1")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # One prefix per test database and worker: runs side by side share no counters.
        "KEY_PREFIX": "qsgtest-"
        + env.str("QSG_TEST_DB_NAME", default="test_qsg")
        + "-"
        + env.str("PYTEST_XDIST_WORKER", default="main"),
    }
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Most tests run tasks in-process; tests marked `worker` start a real worker against Redis.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"token": "1000/minute", "submission": "1000/minute"},
}

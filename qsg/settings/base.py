"""Settings shared by every environment.

Everything that differs between the demo, the test suite and production comes from the
environment (django-environ) or from the small modules beside this one.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SHARED_DIR = Path(
    environ.Env().str("QSG_SHARED_DIR", default=str(BASE_DIR.parent / "shared"))
).resolve()

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="insecure-demo-key-change-me-in-production-0123456789"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "qsg.admin_site.WorkspaceAdminConfig",  # django.contrib.admin in the profile's words
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "simple_history",
    "django_htmx",
    "qsg",
    "dashboard",
    "surveillance",
    "risksummits",
]

MIDDLEWARE = [
    "qsg.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qsg.middleware.RollingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qsg.middleware.AbsoluteSessionExpiryMiddleware",
    "qsg.middleware.PrivateResponsesMiddleware",
    # After django-otp's: a session that owes its second factor reaches no page or API.
    "qsg.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "qsg.middleware.RequestSizeLimitMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qsg.urls"
WSGI_APPLICATION = "qsg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "qsg.jinja2.environment"},
    },
    {
        # Django templates serve the admin, the browsable API and the API docs only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]
FORM_RENDERER = "django.forms.renderers.DjangoTemplates"

# The embedded default keeps one SQLite file per profile, so `QSG_PROFILE=2022 make demo` after
# `make demo` seeds a network of its own instead of mixing the two models in one database.
_DEMO_DB = (
    "demo.sqlite3" if env.str("QSG_PROFILE", default="2013") == "2013" else "demo-2022.sqlite3"
)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / _DEMO_DB}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo serves requests in threads, one SQLite connection each, and every request writes
    # (the session). A DEFERRED transaction that reads and then writes (a form token claimed,
    # then the record) can deadlock with another one doing the same, and SQLite refuses one of
    # them at once: "database is locked", a 503. IMMEDIATE takes the write lock at BEGIN, so
    # writers queue (up to `timeout` seconds) instead; WAL lets pages read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "qsg.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Reads the permissions ModelBackend answers from in one query, not two (qsg/accounts/backends.py).
    "qsg.accounts.backends.PermissionReadBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "qsg:login"
LOGIN_REDIRECT_URL = "qsg:home"
LOGOUT_REDIRECT_URL = "qsg:login"

# django-guardian: no anonymous user row (every user belongs to an organisation).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: lock an account and address pair out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.jinja"
AXES_VERBOSE = False

# Signing in (qsg.accounts; docs/security.md "Signing in").
# Roles whose holders must pass a second factor: they read restricted intelligence or the
# sources of "do not attribute" items. Staff and superusers too.
QSG_TWO_FACTOR_REQUIRED_ROLES = env.list(
    "QSG_TWO_FACTOR_REQUIRED_ROLES", default=["secretariat", "chair", "regional_reviewer"]
)
QSG_TWO_FACTOR_REQUIRED_FOR_STAFF = True
# Only qsg.settings.demo turns this on (demo accounts may skip the second factor there).
QSG_TWO_FACTOR_DEMO_EXEMPT = False


def _totp_issuer(device) -> str:
    """The account's name in the authenticator app: the service, in the profile's words."""
    from qsg.vocabulary import term

    return term("service")


OTP_TOTP_ISSUER = _totp_issuer
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code in a row
# API tokens: days a new token lasts unless its owner chooses (at most the maximum).
QSG_API_TOKEN_DAYS = env.int("QSG_API_TOKEN_DAYS", default=90)
QSG_API_TOKEN_MAX_DAYS = env.int("QSG_API_TOKEN_MAX_DAYS", default=365)

# Single sign-on over OpenID Connect (off unless a discovery URL and client id are set).
# docs/operations.md explains how to register the service with NHS CIS2 or another provider.
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="NHS Care Identity Service")
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="")
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")  # default: the discovery URL's base
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_TOKEN_ENDPOINT_AUTH_METHOD = env.str(
    "OIDC_TOKEN_ENDPOINT_AUTH_METHOD", default="client_secret_basic"
)
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid profile email")
OIDC_ID_TOKEN_ALGORITHMS = env.list(
    "OIDC_ID_TOKEN_ALGORITHMS", default=["RS256", "RS384", "RS512", "PS256", "PS512", "ES256"]
)
# Authentication assurance asked for and required in the ID token (CIS2: e.g. AAL3_ANY).
OIDC_ACR_VALUES = env.list("OIDC_ACR_VALUES", default=[])
# Assurance values that count as a second factor (the person then skips ours).
OIDC_TWO_FACTOR_ACR_VALUES = env.list("OIDC_TWO_FACTOR_ACR_VALUES", default=[])
OIDC_MATCH_EMAIL = env.bool("OIDC_MATCH_EMAIL", default=False)
OIDC_CREATE_ACCOUNTS = env.bool("OIDC_CREATE_ACCOUNTS", default=False)
OIDC_ORGANISATION_CLAIM = env.str("OIDC_ORGANISATION_CLAIM", default="")
OIDC_PASSWORD_SIGN_IN_FOR_LINKED_ACCOUNTS = env.bool(
    "OIDC_PASSWORD_SIGN_IN_FOR_LINKED_ACCOUNTS", default=True
)
OIDC_LOGOUT_AT_PROVIDER = env.bool("OIDC_LOGOUT_AT_PROVIDER", default=True)
OIDC_LEEWAY_SECONDS = env.int("OIDC_LEEWAY_SECONDS", default=60)


def provider_origins(discovery_url: str, extra: list[str]) -> list[str]:
    """The identity provider's origin(s): the logout button's form is redirected there, and
    CSP form-action applies to a form's redirects (browsers check the page's own policy)."""
    if not discovery_url:
        return []
    scheme, _, rest = discovery_url.partition("://")
    return [f"{scheme}://{rest.split('/', 1)[0]}", *extra]


LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("QSG_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
QSG_MAX_UPLOAD_BYTES = env.int("QSG_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Bodies over QSG_MAX_UPLOAD_BYTES + 1 MB are refused with 413 before they are read
# (qsg.middleware); an upload without a Content-Length is cut off at the cap.
FILE_UPLOAD_HANDLERS = [
    "qsg.middleware.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Sessions: idle expiry (rolling) and an absolute lifetime enforced by middleware. The idle
# expiry rolls in qsg.middleware.RollingSessionMiddleware, which writes a session that did not
# change only when its expiry would move by more than SESSION_RENEW_SECONDS (or a tenth of the
# idle time if shorter), instead of SESSION_SAVE_EVERY_REQUEST's write on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += provider_origins(
    OIDC_DISCOVERY_URL, env.list("OIDC_EXTRA_FORM_ACTION_ORIGINS", default=[])
)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# An address alone is named with the service in the profile's words (qsg.notifications.sender);
# a setting with a display name of its own ("Name <address>") is sent as it is.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@qsg-workspace.invalid")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Answers as an empty cache while Redis is unreachable (qsg/cache.py).
            "BACKEND": "qsg.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: late acknowledgement so that a task lost with its worker is redelivered.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not bool(REDIS_URL))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues a job must not hang when Redis is down or frozen: one attempt, short
# timeouts, then the job is marked "not_queued" and beat sends it again once Redis is back
# (tests/faults/redis_outage.py measured 6-13 s with a retry and a 5 s socket timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 20 * 60,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE: dict = {
    "worker-heartbeat": {"task": "qsg.worker_heartbeat", "schedule": 30.0},
    # Jobs that could not be queued while the broker was down are sent again once it is back.
    "requeue-not-queued": {"task": "qsg.requeue_not_queued", "schedule": 60.0},
    # Jobs left "running" by attempts that cannot still be running (retries exhausted while the
    # database was down, a hard time limit) are marked failed, so they can be tried again.
    "fail-abandoned-jobs": {"task": "qsg.fail_abandoned_jobs", "schedule": 5 * 60.0},
    # Jobs still queued long after they were sent (the broker lost the message) are sent again.
    "resend-stalled-jobs": {"task": "qsg.resend_stalled_jobs", "schedule": 15 * 60.0},
    # Risk summits run on a 24/48-hour clock: check often. Each alert is sent once.
    "risk-summit-alerts": {"task": "risksummits.send_alerts", "schedule": 5 * 60.0},
    "risk-summit-ring-holder-defaults": {
        "task": "risksummits.apply_ring_holder_defaults",
        "schedule": 5 * 60.0,
    },
    "risk-summit-referrals": {"task": "risksummits.pick_up_referrals", "schedule": 5 * 60.0},
    # Reminders before and after actions' due dates; each is sent once per action and kind.
    "meeting-action-reminders": {
        "task": "surveillance.send_action_reminders",
        "schedule": 6 * 60 * 60.0,
    },
    # Reminders about member returns before meetings; each is sent once per organisation and kind.
    "meeting-pack-return-reminders": {
        "task": "surveillance.send_return_reminders",
        "schedule": 6 * 60 * 60.0,
    },
    # The dashboard works out every SPC series again each night (imports recompute only what
    # they change): a safety net, and how engine or catalogue changes reach every chart.
    "dashboard-nightly-recompute": {
        "task": "dashboard.nightly_recompute",
        "schedule": crontab(hour=2, minute=30),
    },
}
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qsg.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qsg.api.pagination.PageNumberPagination",
    # JSON with a cap on nesting depth (qsg.api.parsers): 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "qsg.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "qsg.api.filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qsg.api.errors.exception_handler",
    # Writes through the API are limited per person (qsg.api.throttles); the token exchange
    # per address. 429 with Retry-After when over.
    "DEFAULT_THROTTLE_CLASSES": ["qsg.api.throttles.SubmissionThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("THROTTLE_TOKEN", default="20/minute"),
        "submission": env.str("THROTTLE_SUBMISSION", default="120/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QSG workspace API",
    "DESCRIPTION": (
        "The API of the QSG workspace. Every endpoint answers with what the caller's "
        "organisation and role may see; objects outside that are reported as not found."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "qsg.api.schema.add_error_responses",
        "qsg.api.schema.bound_path_ids",
        "qsg.api.schema.in_profile_words",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name across apps get a name each (dotted paths, no import).
    "ENUM_NAME_OVERRIDES": {
        "MembershipKindEnum": "qsg.models.Membership.Kind",
        "QSGLevelEnum": "qsg.models.QSG.Level",
        "EscalationLevelEnum": "surveillance.escalation.models.Level",
        "AgendaItemKindEnum": "surveillance.meetings.models.AgendaItem.Kind",
        "IndicatorKindEnum": "dashboard.models.Indicator.Kind",
        # The indicator API's quality dimensions as seeded per profile, with the older aliases.
        "IndicatorQualityDimensionEnum": "qsg.dimensions.REQUEST_CODES_2013",
        "IndicatorQualityDimension2022Enum": "qsg.dimensions.REQUEST_CODES_2022",
        "IntelligenceQualityDimensionEnum": (
            "surveillance.intelligence.models.IntelligenceItem.QualityDimension"
        ),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qsg.middleware.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "qsg.logformat.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step and page of every PDF at INFO (40 lines for a pack).
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Hours the participants have to agree a ring-holder before NHS England holds it by default.
RISK_SUMMIT_RING_HOLDER_HOURS = env.int("RISK_SUMMIT_RING_HOLDER_HOURS", default=24)
# The deployment's model and terms: "2013" (QSGs, risk summits) or "2022" (System and Regional
# Quality Groups, rapid quality reviews). See qsg.vocabulary; `QSG_PROFILE=2022 make demo`.
QSG_PROFILE = env.str("QSG_PROFILE", default="2013")
QSG_PROTECTIVE_MARKING = env.str("QSG_PROTECTIVE_MARKING", default="OFFICIAL-SENSITIVE")
QSG_RETURNS_DAYS_BEFORE = env.int("QSG_RETURNS_DAYS_BEFORE", default=7)
QSG_SITE_URL = env.str("QSG_SITE_URL", default="http://127.0.0.1:8000")
CSRF_FAILURE_VIEW = "qsg.views.csrf_failure"

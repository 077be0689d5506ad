"""Settings shared by every environment; each value that differs comes from the environment.

DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG and ALLOWED_HOSTS are read here. With none
set, the app runs on SQLite with Celery tasks executed eagerly (the embedded default).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from haiti_esc.languages import add_haitian_creole

from .env import env_bool, env_list

# Signing in: backends, the lockout, the second factor, the access review's idle accounts.
from .signin import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Django's admin, its login form limited (accounts/admin_site.py).
    "accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "programs",
    "accounts",
    "beneficiaries",
    "fora",
    "enterprises",
    "rehab",
    "progress",
    "demo",
    "field",
    "dashboard",
    "interop",
    "notifications",
    "reports",
    "rest_framework.authtoken",
    "drf_spectacular_sidecar",
    # The second factor: TOTP from any authenticator app, and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for the field's slow connections (a dashboard page: 250 KB → about 20 KB);
    # static files are compressed once by WhiteNoise. Django's gzip pads each response against
    # BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    # Django's, but an open dashboard waiting for figures does not extend the session.
    "accounts.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "programs.middleware.OversizeBodyMiddleware",  # 413 with a message, before CSRF reads the body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.language.UserLanguageMiddleware",
    # Until a required second factor is verified: only the enrolment, verification and logout.
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "programs.middleware.PrivateCacheMiddleware",
    "programs.middleware.RefusalAuditMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# No inline script anywhere; styles may be inline (Bootstrap utilities, progress bars).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Sessions end after 30 minutes without a request; their expiry is moved at most once a minute
# (accounts/sessions.py), so they end between 29 and 30 minutes after the last request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "haiti_esc.urls"
WSGI_APPLICATION = "haiti_esc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

add_haitian_creole()
#: French by default (the administration's language); Kreyòl for the people of Bel Air and Fort
#: National; English. Django's own strings missing in `ht` fall back to French, never English.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ht", _("Haitian Creole")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["haiti_esc.formats"]
#: The offline field app's version: with the precached files' names, it makes the service
#: worker's cache name; a new one takes over once no entry is being sent (outbox kept).
FIELD_OFFLINE_VERSION = os.environ.get("FIELD_OFFLINE_VERSION", "1")
#: The language of mails to people who chose none: French, the administration's.
NOTIFICATIONS_FALLBACK_LANGUAGE = "fr"
TIME_ZONE = "America/Port-au-Prince"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

#: Personal data is kept this many days after a person's last job or registration, then the
#: person is anonymised by a daily task (the counts stay). Five years by default.
DATA_RETENTION_DAYS = int(os.environ.get("DATA_RETENTION_DAYS", str(5 * 365)))

#: Photos larger than this are refused with a message; the browser resizes them before upload.
PHOTO_MAX_UPLOAD_BYTES = 8 * 1024 * 1024
#: A phone camera never needs more; a larger image is refused from its header, before decoding.
PHOTO_MAX_PIXELS = 40_000_000
#: Photos are stored at most this many pixels wide or high.
PHOTO_MAX_DIMENSION = 1600
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a larger text body: 413

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "field:home"
LOGOUT_REDIRECT_URL = "login"

# E-mail (notifications, password resets) through Django's mail framework, from the environment:
# an SMTP server (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS),
# or another backend (EMAIL_BACKEND, with EMAIL_FILE_PATH for the file-based one).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / ".run" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "haiti_esc <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: The address of the site in links of mails sent without a request (digests, reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
#: The daily digests and reminders go out at this local hour (the catch-up does not claim before).
NOTIFICATIONS_DIGEST_HOUR = int(os.environ.get("NOTIFICATIONS_DIGEST_HOUR", "6"))
#: A password reset link works once, for this many seconds (2 hours by default).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(2 * 60 * 60)))
#: Password reset requests per hour, per address asked for and per client IP.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "20"))

# Admin exports: characters XLSX cannot hold are dropped; formulas are neutralised by the resources.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Tasks are fire-and-forget: their results are written to the database, not kept by Celery.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task leaves its message unacknowledged: it runs again (tasks are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# Bound how long a web request waits for a broker that is down (celery#4556): about 1 s,
# after which the write is kept and the catch-up task recomputes progress later.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    # An unacknowledged message (its worker died) is delivered again after this many seconds.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300")),
}
#: A recompute waits this long so that a burst of changes is counted by one run.
PROGRESS_COALESCE_SECONDS = float(os.environ.get("PROGRESS_COALESCE_SECONDS", "2"))
#: An open dashboard asks for its changed board and waits up to this long for a change (one
#: web thread held: gunicorn runs threaded workers, `make up`); it checks every so often.
DASHBOARD_LIVE_SECONDS = float(os.environ.get("DASHBOARD_LIVE_SECONDS", "20"))
DASHBOARD_LIVE_CHECK_SECONDS = float(os.environ.get("DASHBOARD_LIVE_CHECK_SECONDS", "0.2"))
#: At most this many open dashboards wait in one web process at a time (gunicorn.conf.py gives it
#: 4 threads): the others are answered at once and ask again after DASHBOARD_LIVE_SECONDS, so
#: that managers' open pages never hold every thread the field's requests need.
DASHBOARD_LIVE_WAITING = int(os.environ.get("DASHBOARD_LIVE_WAITING", "2"))
#: A project stale for longer than this lost its queued recompute; the catch-up redoes it.
PROGRESS_CATCH_UP_SECONDS = float(os.environ.get("PROGRESS_CATCH_UP_SECONDS", "30"))
#: A project with more field records than this has its approved report's PDF prepared by the
#: Celery worker after the approval, rather than during the approval's request.
REPORTS_PDF_INLINE_RECORDS = int(os.environ.get("REPORTS_PDF_INLINE_RECORDS", "20000"))
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# The cache holds rendered dashboard boards (dashboard/boards.py). It is shared by every web
# worker through Redis when REDIS_URL is set; a Redis that does not answer within the timeouts
# is a cache miss, never an error page.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "haiti_esc",
            "TIMEOUT": 600,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 600}
    ),
    # Request counts of the throttles (accounts/throttling.py), apart from the boards.
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "haiti_esc_throttle",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}
THROTTLE_CACHE = "throttle"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials is answered 401 with `WWW-Authenticate`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["interop.api.permissions.HasRole"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "interop.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "interop.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "interop.api.exceptions.exception_handler",
    # Over a rate: 429 with Retry-After (README, interop/README.md). Anonymous requests and the
    # token endpoint per address, signed-in API use per user; the login and password forms too.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.AnonymousRateThrottle",
        "accounts.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON_RATE", "60/minute"),
        "user": os.environ.get("THROTTLE_USER_RATE", "600/minute"),
        "token": os.environ.get("THROTTLE_TOKEN_RATE", "10/minute"),
        "login": os.environ.get("THROTTLE_LOGIN_RATE", "10/minute"),
        "password": os.environ.get("THROTTLE_PASSWORD_RATE", "5/minute"),
    },
    # The address is REMOTE_ADDR; behind N proxies of ours, the Nth address from the right of
    # X-Forwarded-For (never the whole header, which a client could vary at will).
    "NUM_PROXIES": int(os.environ.get("THROTTLE_NUM_PROXIES", "0")),
}
# The API's OpenAPI 3 schema at /api/schema/; Swagger UI at /api/docs/ from local static files.
SPECTACULAR_SETTINGS = {
    "TITLE": "haiti_esc API",
    "DESCRIPTION": "Partnerships, projects, targets with their progress, and the field records of "
    "the ILO–MINUSTAH Enterprise Service Centres project. Writes follow the same rules, review "
    "states and neighbourhood scoping as the field forms.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "programs.models.Organisation.Kind",
        "ForumSessionKindEnum": "fora.models.ForumSession.Kind",
        "StructureKindEnum": "fora.models.StructureKind",
        "EscServiceKindEnum": "enterprises.models.EscService.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Lockouts and failed logins are kept in the database (axes' admin); the console shows warnings.
    # WeasyPrint logs each step of each PDF at INFO: kept for warnings only.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

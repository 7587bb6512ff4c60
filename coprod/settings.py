"""coprod settings: one module, everything that differs between machines comes
from environment variables (see `.env.example`). Parsing is strict: a bad value
stops start-up with a message naming the variable."""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from coprod.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("The environment variable SECRET_KEY is required unless DEBUG=true.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105  # nosec B105  # DEBUG only: refused above otherwise

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "coprod",
    "projects",
    "stakeholders",
    "boards",
    "overview",
    "disputes",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so static files carry the policy too.
    "coprod.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it wraps the view itself: resolves the organisation from the
    # URL and runs the view inside its scope (TENANT-1).
    "coprod.tenancy.OrganisationMiddleware",
]

ROOT_URLCONF = "coprod.urls"
WSGI_APPLICATION = "coprod.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coprod.context_processors.organisation",
            ],
        },
    },
]

# SQLite file in the project folder unless DATABASE_URL says otherwise.
_DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60, minimum=0)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _DEFAULT_DATABASE_URL),
            conn_max_age=CONN_MAX_AGE,
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"The environment variable DATABASE_URL is invalid: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; a short busy timeout avoids spurious
    # "database is locked" errors in the local demo.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Server-side binding lets psycopg prepare a query the fifth time a
    # connection runs it, so PostgreSQL stops planning the same joins on
    # every request: planning cost more than running most of our queries.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend with the login throttle below in front of it.
    "coprod.security.ThrottledModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Guardian: anonymous users never hold object permissions here.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
# English is complete; Welsh covers the public pages and forms, and falls
# back to English for anything not yet translated. Visitors choose with the
# switcher under the header of every page (LocaleMiddleware reads the choice).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT")) if env_str("STATIC_ROOT") else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "coprod <noreply@localhost>")
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the
# browser tests read the emails the server sends from this folder).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The public address of this site, for links in emails (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Contact details given with public input are deleted this many days after
# the reply; the input itself is kept.
INPUT_CONTACT_RETENTION_DAYS = env_int("INPUT_CONTACT_RETENTION_DAYS", 90, minimum=1)

# Public input accepted per client address per hour (more get a polite 429).
INPUT_RATE_LIMIT_PER_HOUR = env_int("INPUT_RATE_LIMIT_PER_HOUR", 5, minimum=1)

# Invitations to join an organisation expire after this many days.
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14, minimum=1)

# Celery: tasks run eagerly in-process when no broker is configured, so
# `make run` needs nothing but Python.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers unacknowledged tasks after this; countdowns stay well below.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Close seats whose term has ended and suspend bodies that fell below
    # their share because of it. Terms end on whole days, so hourly is prompt
    # enough; the task is idempotent, so a repeated or overlapping run is harmless.
    "expire-ended-seat-terms": {"task": "boards.expire_ended_terms", "schedule": 3600.0},
    # Raise and resolve cadence flags (bodies not meeting, items overdue,
    # milestones unreviewed, dispute stages late) and email about new ones.
    # Every 15 minutes is prompt for conditions measured in days; a flag is
    # claimed by a unique constraint, so overlapping runs cannot duplicate it.
    "cadence-sweep": {"task": "projects.cadence_sweep", "schedule": 900.0},
    # The daily digest, early morning London time; one claim row per person
    # per day makes a second run send nothing.
    "daily-digests": {"task": "projects.daily_digests", "schedule": crontab(hour=7, minute=0)},
    # Delete the contact details of public input answered long ago (the input
    # itself stays); daily is enough for a retention counted in days, and the
    # single UPDATE touches only rows not yet cleared, so reruns are harmless.
    "purge-input-contacts": {
        "task": "stakeholders.purge_input_contacts",
        "schedule": crontab(hour=3, minute=0),
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Every signed-in request reads its session. With a shared cache (Redis) it is
# read from there and written through to the database, so flushing the cache
# logs nobody out. Without one, sessions stay in the database only: a cache
# of each process's own would let one worker keep a session another ended.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous calls 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "coprod.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "coprod.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "coprod API",
    "DESCRIPTION": (
        "Run coproduction projects: organisations, projects, stakeholder groups and "
        "people. Refusals by a governance rule answer 403 or 409 with "
        '`{"rule": "BOARD-4", "detail": "...", "evidence": [...]}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coprod.api.postprocess_refusal_any_of",
        "coprod.api.postprocess_unsupported_media_type",
    ],
    # Served from our own static files: the app works offline, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set used by several fields or components (a
    # project role's `grants` and the `grant` given or taken; a seat's
    # `end_reason` and the `reason` it ends for), and distinct names for
    # choice sets sharing a field name (`status`), instead of warnings.
    "ENUM_NAME_OVERRIDES": {
        "GrantEnum": "projects.permissions.PROJECT_GRANT_CHOICES",
        "BodyStatusEnum": "boards.models.BodyStatus",
        "MeetingStatusEnum": "boards.models.MeetingStatus",
        "SeatEndReasonEnum": "boards.models.SeatEndReason",
        "InputStatusEnum": "stakeholders.models.InputStatus",
        "InputImpactEnum": "stakeholders.models.InputImpact",
        "StageKindEnum": "disputes.models.StageKind",
        "DisputeStatusEnum": "disputes.models.DisputeStatus",
        # Decisions and the ledger: `kind`, `status` and `body` carry these
        # choice sets beside other ones of the same field name.
        "BodyKindEnum": "boards.models.BodyKind",
        "ItemKindEnum": "boards.models.ItemKind",
        "ProposableItemKindEnum": "boards.serializers_decisions.PROPOSABLE_KINDS",
        "ItemStatusEnum": "boards.models.ItemStatus",
        "ImplementationStatusEnum": "boards.models.ImplementationStatus",
    },
}

# Upload and body limits: a large post is refused cleanly, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1_048_576, minimum=1024)

# Security. Secure cookies and HSTS follow from serving over HTTPS; without
# DEBUG every default is the safe one and `manage.py check --deploy` is clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The `preload` flag only makes the domain eligible for the browsers' preload
# lists; nothing is listed until someone submits the (apex) domain.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a reverse proxy that terminates TLS, Django learns that the original
# request was HTTPS from this header (the proxy must set it, overwriting any
# value the client sent). Without it SECURE_SSL_REDIRECT would redirect forever.
_TLS_PROXY_HEADER = env_str("TLS_PROXY_HEADER", "X-Forwarded-Proto")
if not re.fullmatch(r"[A-Za-z0-9-]+", _TLS_PROXY_HEADER):
    raise ImproperlyConfigured(
        f"The environment variable TLS_PROXY_HEADER must be a header name such as X-Forwarded-Proto (got {_TLS_PROXY_HEADER!r})."
    )
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _TLS_PROXY_HEADER.upper().replace("-", "_"), "https")
    if env_bool("BEHIND_TLS_PROXY", False)
    else None
)
# Reverse proxies in front of the app that append the client's address to
# X-Forwarded-For; rate limits read the client from there (0: the peer address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sent on every response, also with DEBUG (coprod.security). No inline
# scripts, styles or event handlers anywhere: templates link static files,
# and htmx is told not to inject its indicator styles (base.html).
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Password guessing: this many wrong passwords for one account (whatever the
# client), or from one client address (whatever the account), within the
# window pause logging in there for LOGIN_LOCKOUT_SECONDS. The address limit
# is higher because many people can share one address (an office, a library).
# Counted in the cache, so shared by every web process when REDIS_URL is set.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

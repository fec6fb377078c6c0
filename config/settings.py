"""Settings read from the environment.

- ``DATABASE_URL``: PostgreSQL in production (``postgres://user@host:5432/db``, via psycopg 3);
  when unset, an SQLite file next to ``manage.py`` so a fresh clone runs without a server.
- ``SECRET_KEY``: required unless ``DEBUG`` is on (a development key is used then).
- ``DEBUG``: ``1``/``true`` turns on debug mode; off by default.
- ``ALLOWED_HOSTS``: comma-separated host names; ``localhost,127.0.0.1`` by default.
- ``SECURE_*``: HTTPS-related settings, on when ``HTTPS=1`` (behind a TLS-terminating proxy).
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core.sentry import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


TESTING = "pytest" in sys.modules or env_bool("TESTING")
DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's and Redoc's files, served from /static/ (no CDN)
    "ticketing",
    "jobs",
    "discounts",
    "vouchers",
    "orders",
    "notifications",
    "audit",
]

MIDDLEWARE = [
    # First: binds X-Request-ID for the log lines and sets it on every response, the other
    # middlewares' errors included; records the latency metric and the access log line.
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's) straight from STATIC_ROOT, without a web server in front (WhiteNoise).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside CommonMiddleware: it sees the trailing-slash redirect, not the 404 behind it.
    "core.middleware.ApiErrorsMiddleware",
    "core.middleware.NulMiddleware",
    # Before anything reads a body (the sessions' CSRF check, the views): chunked without a length is a 411.
    "core.middleware.LengthRequiredMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Binds the request so that the audit log records who made each change (core.audit).
    "core.audit.RequestActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here; WhiteNoise serves it at STATIC_URL (the image collects at build time).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Tests collect no static files: look them up per request instead of a warning per test client.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# HTTPS hardening: enable when served behind TLS (HTTPS=1).
HTTPS = env_bool("HTTPS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
# The probes and the metrics scraper talk to the container directly, in plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The proxies in front of the app whose X-Forwarded-For is believed (addresses or networks,
# comma-separated, e.g. "10.0.0.0/8,127.0.0.1"); without them throttles count per connection address.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ticketing.api.authentication.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    # JSON only: the API's bodies are JSON (a CSV import declares its own parsers).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {
        "public": os.environ.get("PUBLIC_THROTTLE_RATE", "60/min"),
        # Code lookups that find nothing (guessing), counted apart and stricter.
        "public_miss": os.environ.get("PUBLIC_MISS_THROTTLE_RATE", "10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ticketshop organizer API",
    "DESCRIPTION": "pretix-style REST API for events, items, discount rules, codes and orders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from our own static files (drf-spectacular-sidecar), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets share a field name: the audit log's "source" and an order refund's.
    "ENUM_NAME_OVERRIDES": {
        "AuditSourceEnum": "audit.models.AuditSource",
        "RefundSourceEnum": "orders.models.payments.RefundSource",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.close_request_bodies",
    ],
}

# The cache holds the public endpoints' throttle counters. With several gunicorn workers,
# point REDIS_URL at a Redis server (pip install ".[redis]") so every worker shares them;
# the per-process default counts each worker separately. While Redis is unreachable the throttles count
# in each process (core.throttling); the short timeouts keep a Redis that hangs from holding requests.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUTS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_TIMEOUTS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ticketshop"}
    )
}

# Background jobs (the ``jobs`` app) on Celery. With CELERY_BROKER_URL (e.g. redis://cache:6379/1) they
# are queued for `celery -A config worker -l info`, and `celery -A config beat -l info` starts the
# periodic ones; without it (and always in tests) a job runs inline, in the process that starts it, so
# nothing else needs installing. The Job row is the result: no result backend.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = TESTING or not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"  # inline: nothing is sent, no broker looked for
# Inline, a failure of the task machinery reaches the caller; a job's own failure is recorded on the job.
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # jobs are long: a worker process reserves one at a time
# A job's message is acknowledged when a worker takes it (Celery's default, said here on purpose), and a
# job whose worker dies is not delivered again: the heartbeat shows it lost (fail-lost-jobs below), and a
# person re-runs it. Late acknowledgement would redeliver it by itself, but a job that kills its worker
# (memory) would then kill the next one too, and Redis redelivers a message not acknowledged within its
# visibility timeout (1 h) even to a second worker while the first still runs it.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The worker logs through LOGGING below (its lines carry the job's request id); LOG_LEVEL=INFO shows
# Celery's own info lines too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# How often the beat expires pending orders past their payment deadline (seconds).
ORDERS_EXPIRY_SECONDS = float(os.environ.get("ORDERS_EXPIRY_SECONDS", "60"))
if ORDERS_EXPIRY_SECONDS <= 0:
    raise ImproperlyConfigured("ORDERS_EXPIRY_SECONDS must be above 0.")
CELERY_BEAT_SCHEDULE = {
    # What `manage.py cleanup` does (expired carts, old idempotency keys), as a `cleanup` job.
    "cleanup": {"task": "orders.tasks.cleanup_task", "schedule": 300.0},
    # Finished jobs (and their stored CSV files) older than JOB_RETENTION_DAYS.
    "prune-jobs": {"task": "jobs.tasks.prune_jobs", "schedule": 3600.0},
    # Running jobs without a heartbeat for JOB_HEARTBEAT_TIMEOUT: their worker died; failed as worker_lost.
    "fail-lost-jobs": {"task": "jobs.tasks.fail_lost_jobs", "schedule": 60.0},
    # Notification deliveries that are due: first attempts the broker missed, and the retries.
    "deliver-notifications": {
        "task": "notifications.tasks.deliver_due",
        "schedule": float(os.environ.get("NOTIFICATION_DELIVER_EVERY", "30")),
    },
    # Pending orders past their payment deadline expire (``orders.services.expiry``).
    "expire-orders": {"task": "orders.tasks.expire_orders_task", "schedule": ORDERS_EXPIRY_SECONDS},
}
# A running job's worker writes its heartbeat every JOB_HEARTBEAT_SECONDS; one silent for
# JOB_HEARTBEAT_TIMEOUT seconds is taken for lost. The timeout must leave room for a few missed beats.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
JOB_HEARTBEAT_TIMEOUT = float(os.environ.get("JOB_HEARTBEAT_TIMEOUT", "120"))
if not 0 < JOB_HEARTBEAT_SECONDS * 3 <= JOB_HEARTBEAT_TIMEOUT:
    raise ImproperlyConfigured(
        "JOB_HEARTBEAT_TIMEOUT must be at least three times JOB_HEARTBEAT_SECONDS (and both above 0): "
        "a job whose worker is merely slow to write would be failed as lost."
    )
# Coupon generations of more codes, and CSV imports of more rows, run as jobs (202 with the job).
JOB_THRESHOLD_GENERATE = int(os.environ.get("JOB_THRESHOLD_GENERATE", "1000"))
JOB_THRESHOLD_IMPORT_ROWS = int(os.environ.get("JOB_THRESHOLD_IMPORT_ROWS", "1000"))
# A coupon CSV upload larger than this is a 413 (the file itself; JSON bodies stay under
# DATA_UPLOAD_MAX_MEMORY_SIZE).
CSV_IMPORT_MAX_BYTES = int(os.environ.get("CSV_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
JOB_RETENTION_DAYS = int(os.environ.get("JOB_RETENTION_DAYS", "30"))

# The outbox's handlers (docs/notifications.md): a delivery that raises is tried again after
# NOTIFICATION_RETRY_SECONDS, doubled after each failure up to NOTIFICATION_RETRY_MAX_SECONDS, and
# failed for good after NOTIFICATION_DELIVERY_ATTEMPTS attempts. The periodic run (every
# NOTIFICATION_DELIVER_EVERY seconds, CELERY_BEAT_SCHEDULE above) takes at most NOTIFICATION_DELIVER_BATCH.
NOTIFICATION_DELIVERY_ATTEMPTS = int(os.environ.get("NOTIFICATION_DELIVERY_ATTEMPTS", "10"))
NOTIFICATION_RETRY_SECONDS = float(os.environ.get("NOTIFICATION_RETRY_SECONDS", "30"))
NOTIFICATION_RETRY_MAX_SECONDS = float(os.environ.get("NOTIFICATION_RETRY_MAX_SECONDS", "3600"))
NOTIFICATION_DELIVER_BATCH = int(os.environ.get("NOTIFICATION_DELIVER_BATCH", "500"))
if NOTIFICATION_DELIVERY_ATTEMPTS < 1 or not 0 < NOTIFICATION_RETRY_SECONDS <= NOTIFICATION_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "NOTIFICATION_DELIVERY_ATTEMPTS must be at least 1, and NOTIFICATION_RETRY_SECONDS above 0 and "
        "at most NOTIFICATION_RETRY_MAX_SECONDS."
    )
if NOTIFICATION_DELIVER_BATCH < 1:
    raise ImproperlyConfigured("NOTIFICATION_DELIVER_BATCH must be at least 1.")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# json (default): one JSON object per line (time, level, logger, message, request_id, extra fields);
# text: a line for people, with the request id. The access log (ticketshop.request) is at INFO.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").strip().lower() or "json"
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"()": "core.logs.TextFormatter"},
    },
    # The handler's level too: Django's own loggers (django.request's 4xx warnings) pass records
    # up to the root's handler whatever the root's level is.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL, "formatter": LOG_FORMAT}},
    "filters": {"client_mistake": {"()": "core.logs.ClientMistake"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler (DEBUG only) would print its records a second time, unformatted.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A foreign Host header (a scanner, a misrouted probe) is the client's mistake: one WARNING line,
        # not an ERROR with a traceback.
        "django.security.DisallowedHost": {"filters": ["client_mistake"]},
    },
}

# Metrics: /metrics answers 404 unless METRICS_TOKEN is set, then wants "Authorization: Bearer <token>".
# With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (read by prometheus_client itself) to a
# directory every worker can write, emptied before the server starts; /metrics then adds up all workers.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Error reports to Sentry when SENTRY_DSN is set (pip install ".[sentry]"); SENTRY_ENVIRONMENT and
# SENTRY_TRACES_SAMPLE_RATE (default 0) too. Without the DSN sentry_sdk is not imported.
init_sentry(os.environ)

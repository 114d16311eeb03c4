"""Settings, read from the environment once, here.

With nothing set the service runs on the embedded default: SQLite (WAL, IMMEDIATE transactions), Celery tasks
run eagerly in the web process, a local-memory cache, the fake Notify and the stub NOMIS. Setting
``DATABASE_URL`` and ``REDIS_URL`` moves it onto PostgreSQL and Redis. With ``DEBUG`` off the service refuses to
start without a ``SECRET_KEY``.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# What stops production from starting, each said in one line at the end of this file.
REFUSALS: list[str] = []

DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-only-used-with-debug-on"
# Keys that have been published (in this repository's history, or Django's generated placeholder): never a secret.
PUBLICLY_KNOWN_SECRET_KEYS = {
    DEVELOPMENT_SECRET_KEY,
    "change-me-in-production-this-is-only-for-local-compose",
    "build-only-not-secret",
}
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and not SECRET_KEY:
    REFUSALS.append("Set SECRET_KEY: it is required when DEBUG is off")
elif not DEBUG and (SECRET_KEY in PUBLICLY_KNOWN_SECRET_KEYS or SECRET_KEY.startswith("django-insecure-")):
    REFUSALS.append("SECRET_KEY is a publicly known value: set a secret one (see docker-compose.yml)")
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# How many proxies (load balancers) stand in front of the service and append to X-Forwarded-For: the client's
# address for rate limits and lockouts is the one the first of them saw (common/client_ip.py). 0: the header is
# not trusted at all and the connection's address is used.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "govuk_frontend_django",
    "health_check",
    "axes",
    "csp",
    "config.apps.ConfigAppConfig",
    "prisons",
    "visits",
    "accounts",  # app label "staff": staff accounts, roles, the booking pause, the Django admin
    "notifications",  # sending the outbox through GOV.UK Notify
    "nomis_sync",  # pushing visits to NOMIS, acting on its events
    "waiting_list",  # full sessions' waiting lists
    "housekeeping",  # the periodic jobs
    "staff",  # the staff console (app label "staff_console")
    "prisons.nomis.hmpps",  # the HMPPS domain events received
]

MIDDLEWARE = [
    "common.middleware.RequestIdMiddleware",  # first, so that every response and log line has the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, compressed ahead of time
    # Pages compressed for browsers that ask. BREACH: Django masks the CSRF token afresh in every response, and the
    # middleware pads each response with random bytes (docs/security.md).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.session_lifetime.StaffSessionLifetimeMiddleware",  # signed out 12 hours after signing in
    "journey.read_ahead.ReadAheadMiddleware",  # a journey page's shared reads in one round trip to the cache
    "django.contrib.messages.middleware.MessageMiddleware",
    "common.input_guard.ControlCharactersMiddleware",  # no control character in an address reaches a view
    "common.input_guard.UnreadableFormMiddleware",  # a form that cannot be read is a GOV.UK "bad request"
    "common.input_guard.AdminDateLookupMiddleware",  # no admin date filter with a year no date has
    "common.middleware.ForbiddenMiddleware",  # a page the role may not open: 403, logged without a traceback
    "common.middleware.NoStoreMiddleware",  # no copy of a page kept by a browser or a proxy
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its response
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        # Every page of the service: one Jinja2 environment, built once, holding the official GOV.UK macros.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [
            BASE_DIR / "templates",
            BASE_DIR / "journey" / "templates",
            BASE_DIR / "notifications" / "templates",
            BASE_DIR / "prisons" / "templates",
            BASE_DIR / "staff" / "templates",
        ],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.service",
            ],
        },
    },
    {
        # Django's own templates: the admin only.
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

# Database: PostgreSQL through psycopg 3 when DATABASE_URL is set, otherwise SQLite with WAL and IMMEDIATE
# transactions so that two writers queue for the lock instead of failing half-way.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "CONN_MAX_AGE": 60,  # as PostgreSQL's: not a new connection for every request
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker, the cache (sessions, the NOMIS facts of a journey, rate limits, lockouts). django-redis
# keeps one client per connection pool (Django's own backend builds a client for every call: docs/benchmarks.md).
# Without Redis (the embedded default) tasks run eagerly and the cache is local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "visits"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without Redis (the embedded default) tasks run eagerly where they are queued; beat, a process of its own there
# (`make run` starts it), "publishes" through an in-memory transport and so runs each job itself.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
# Celery's file-backed scheduler, touching a file on each tick for beat's health check (config/health.py).
CELERY_BEAT_SCHEDULER = "config.health.HeartbeatScheduler"
# Periodic jobs, declared in code. Each one is idempotent and safe to run twice.
CELERY_BEAT_SCHEDULE = {
    "generate-visit-sessions": {
        "task": "prisons.tasks.generate_sessions_for_all_prisons",
        "schedule": crontab(minute=5, hour="*/6"),
    },
}

# Sessions (the journey's answers, a staff sign-in) live in Redis in production: a page reads no database row for
# them. Redis must keep them (docs/deploying.md: no eviction of keys without an expiry policy that fits). The
# embedded default keeps them in the database, which outlives a restart of `make run`.
SESSION_ENGINE = "django.contrib.sessions.backends.cache" if REDIS_URL else "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Signing in: django-axes locks a username, and separately a client address, out for 15 minutes after 5 failures,
# for the console and the Django admin alike (staff/signin.py), and keeps every sign-in, sign-out and failure
# (who, when, from where; never a password) as its access logs, shown in the Django admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "staff.signin.UnstorableUsernameBackend",  # no NUL byte reaches the database (staff/signin.py)
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "staff.signin.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "staff.signin.axes_username"  # never a NUL byte to PostgreSQL (staff/signin.py)
LOGIN_URL = "staff:sign-in"
LOGIN_REDIRECT_URL = "staff:home"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.storage.StaticFilesStorage"
    },
}
# Serve straight from the source folders (no collectstatic) when developing and in tests.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)

# Content Security Policy (django-csp): scripts, styles, fonts and images from the service itself only, nothing
# inline but the GOV.UK template's one-line script that marks the page as having JavaScript, allowed by its hash
# (tests/config/test_security_headers.py recomputes it from the template and from every page served).
GOVUK_TEMPLATE_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", GOVUK_TEMPLATE_SCRIPT_HASH],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# A form sent without its CSRF token (cookies blocked, a page left open for days): a GOV.UK page, not Django's.
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

# Security headers. Production (DEBUG off) passes `manage.py check --deploy` with no warnings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 2 * 60 * 60
# Sessions end after 2 hours idle: common.middleware.IdleSessionMiddleware renews the expiry at most every
# 5 minutes, rather than writing the session on every request (SESSION_SAVE_EVERY_REQUEST).
SESSION_IDLE_REFRESH_SECONDS = 5 * 60
# However busy, a staff user signs in again 12 hours after signing in (staff/session_lifetime.py).
STAFF_SESSION_MAX_AGE_SECONDS = int(os.environ.get("STAFF_SESSION_MAX_AGE_SECONDS", str(12 * 60 * 60)))
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/nomis$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Logging (common/logging.py, docs/observability.md): JSON lines in production, text with DEBUG; every line with its
# request id, and no manage-link token, query string or other personal data. The Celery worker and beat log
# through this too (common.logging.configure_celery_logging), not through Celery's own handlers.
from common.logging import LOG_FORMATS, logging_config  # noqa: E402

LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("text" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
if LOG_FORMAT not in LOG_FORMATS:
    REFUSALS.append(f"LOG_FORMAT must be {' or '.join(LOG_FORMATS)}, not {LOG_FORMAT!r}")
    LOG_FORMAT = "text"
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The service.
SERVICE_NAME = "Visit someone in prison"
STAFF_SERVICE_NAME = "Manage prison visits"
FEEDBACK_URL = os.environ.get("FEEDBACK_URL", "mailto:feedback@visit-someone-in-prison.example")
# The prison data shipped with the service (copied from shared/data/prisons; MIT licence kept beside it).
PRISON_DATA_DIR = Path(os.environ.get("PRISON_DATA_DIR", str(BASE_DIR / "prisons" / "data" / "prisons")))

# NOMIS (docs/nomis.md): the class behind prisons.nomis.get_client(), the HTTP client over the HMPPS APIs. With DEBUG
# on (make run) everything it needs defaults to the fake HMPPS server make run starts (python -m hmpps_fake); with
# DEBUG off every one of them must be set.
NOMIS_HTTP_CLIENT = "prisons.nomis.hmpps.client.HmppsNomisClient"
NOMIS_CLIENT = os.environ.get("NOMIS_CLIENT", NOMIS_HTTP_CLIENT)
NOMIS_TIMEOUT_SECONDS = float(os.environ.get("NOMIS_TIMEOUT_SECONDS", "5"))
HMPPS_FAKE_PORT = int(os.environ.get("HMPPS_FAKE_PORT", "8091"))
_FAKE_HMPPS = f"http://127.0.0.1:{HMPPS_FAKE_PORT}" if DEBUG else ""
# The HMPPS APIs over HTTP (prisons/nomis/hmpps/, docs/nomis.md): HMPPS Auth's client credentials; how long to wait
# for a connection; how often a read is tried; how many calls in a row that find NOMIS unavailable open the circuit
# breaker, and for how long it then fails every call at once.
HMPPS_AUTH_URL = os.environ.get("HMPPS_AUTH_URL", _FAKE_HMPPS)
HMPPS_CLIENT_ID = os.environ.get("HMPPS_CLIENT_ID", "visit-someone-in-prison" if DEBUG else "")
HMPPS_CLIENT_SECRET = os.environ.get("HMPPS_CLIENT_SECRET", "fake-secret" if DEBUG else "")
# Each API's base URL; HMPPS_API_URL is the one for all that are not set on their own (the fake HMPPS server serves
# them all at one address).
HMPPS_API_URL = os.environ.get("HMPPS_API_URL", _FAKE_HMPPS)
HMPPS_API_URLS = {
    api: os.environ.get(f"HMPPS_{api.upper()}_API_URL", "") or HMPPS_API_URL
    for api in (
        "prisoner_search",
        "prison_api",
        "alerts",
        "contact_registry",
        "non_associations",
        "visit_allocation",
        "whereabouts",
        "nomis_prisoner",
    )
}
# The service's SQS queue, subscribed to the HMPPS domain events topic (prisoner released, transferred, restrictions);
# AWS credentials come from the usual places (the environment, or the pod's role on Kubernetes).
HMPPS_EVENTS_QUEUE_URL = os.environ.get(
    "HMPPS_EVENTS_QUEUE_URL", f"{_FAKE_HMPPS}/000000000000/prisoner-events" if DEBUG else ""
)
HMPPS_EVENTS_REGION = os.environ.get("AWS_REGION", "eu-west-2")
# How long the HMPPS domain events received are kept (they are acted on within a minute), and how long a "to check
# in NOMIS" item stays on a prison's list when nobody has looked the prisoner up since (docs/security.md).
NOMIS_EVENTS_DAYS = int(os.environ.get("NOMIS_EVENTS_DAYS", "30"))
NOMIS_CHECKS_DAYS = int(os.environ.get("NOMIS_CHECKS_DAYS", "28"))
# No HMPPS API holds the weekly cap on visits of a prisoner on remand; the MOJ's visit services keep 3 a week.
NOMIS_REMAND_VISITS_PER_WEEK = int(os.environ.get("NOMIS_REMAND_VISITS_PER_WEEK", "3"))
NOMIS_CONNECT_TIMEOUT_SECONDS = float(os.environ.get("NOMIS_CONNECT_TIMEOUT_SECONDS", "2"))
NOMIS_READ_ATTEMPTS = int(os.environ.get("NOMIS_READ_ATTEMPTS", "3"))
NOMIS_BREAKER_FAILURES = int(os.environ.get("NOMIS_BREAKER_FAILURES", "5"))
NOMIS_BREAKER_RESET_SECONDS = float(os.environ.get("NOMIS_BREAKER_RESET_SECONDS", "30"))
# How long the pages of a journey reuse a prisoner's NOMIS facts (visits.selectors); the booking itself asks afresh.
NOMIS_FACTS_CACHE_SECONDS = int(os.environ.get("NOMIS_FACTS_CACHE_SECONDS", "600"))
# The rendering cache (common.govuk.jinja): entries of markup every visitor sees alike, kept by each process
# (about 3 KB each). 0: off, every page renders every macro (to measure what it saves).
RENDERING_CACHE_ENTRIES = int(os.environ.get("RENDERING_CACHE_ENTRIES", "4096"))
# Shared reads (visits.selectors): how long the public journey reuses what every visitor to a prison reads alike,
# its row and its sessions, places taken and whose visits take them, so that the visitors looking at once ask the
# database once; holding a time and booking check afresh. 0: every page asks.
SHARED_READS_SECONDS = int(os.environ.get("SHARED_READS_SECONDS", "5"))
# The maintenance switch (accounts/maintenance.py, docs/maintenance.md): BOOKING_PAUSED=1 pauses online booking at every
# prison whatever the database says, with BOOKING_PAUSED_MESSAGE on the "service unavailable" page. Pauses made in the
# staff console are read through the cache, at most this many seconds old (each pause and resume clears it).
BOOKING_PAUSED = env_bool("BOOKING_PAUSED", False)
BOOKING_PAUSED_MESSAGE = os.environ.get("BOOKING_PAUSED_MESSAGE", "")
BOOKING_PAUSE_CACHE_SECONDS = 5

# The public address of the service, for links in emails and texts. Required when DEBUG is off.
# With DEBUG on it defaults to the address `make run` serves (127.0.0.1 and PORT).
SERVICE_BASE_URL = os.environ.get("SERVICE_BASE_URL") or (
    f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}" if DEBUG else ""
)

# Notifications ------------------------------------------------------------------------------------------------------
# GOV.UK Notify through notifications/gateway.py. Without NOTIFY_API_KEY the fake gateway stores what would have been
# sent and /notify/fake-outbox shows it (DEBUG, or signed-in visits admins). See docs/notifications.md.
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
# With DEBUG off, running without a key must be asked for explicitly (NOTIFY_FAKE=1, a demo deployment); only then
# is /notify/fake-outbox routed.
NOTIFY_FAKE = env_bool("NOTIFY_FAKE", DEBUG)
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# The bearer token Notify sends with each delivery receipt (set the same value in Notify's callback settings).
# Empty: the callback URL refuses every request.
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("NOTIFY_TIMEOUT_SECONDS", "10"))
# A sender holds a message for this long; only then may another take it over (its sender died). Must be well over
# NOTIFY_TIMEOUT_SECONDS plus the longest wait for the rate limit, or a slow-but-alive sender could be overtaken.
NOTIFY_CLAIM_LEASE_SECONDS = float(os.environ.get("NOTIFY_CLAIM_LEASE_SECONDS", "300"))
# Retries of one send task on 429, 5xx and timeouts: exponential backoff with jitter from this base, up to the cap.
NOTIFY_MAX_RETRIES = int(os.environ.get("NOTIFY_MAX_RETRIES", "8"))
NOTIFY_RETRY_BACKOFF_SECONDS = float(os.environ.get("NOTIFY_RETRY_BACKOFF_SECONDS", "5"))
NOTIFY_RETRY_BACKOFF_MAX_SECONDS = float(os.environ.get("NOTIFY_RETRY_BACKOFF_MAX_SECONDS", "300"))
# The sweep sends messages still unsent this long after they were written (broker down, worker killed)...
NOTIFY_SWEEP_AFTER_SECONDS = float(os.environ.get("NOTIFY_SWEEP_AFTER_SECONDS", "120"))
# ...and gives up (failed, visit flagged for staff) on any still unsent after this many hours.
NOTIFY_GIVE_UP_AFTER_HOURS = float(os.environ.get("NOTIFY_GIVE_UP_AFTER_HOURS", "48"))
# Notify allows 3,000 requests a minute per key type, on a rolling basis. Every sender shares one budget per
# one-second window in Redis; 45 a second is at most 45 x 61 = 2,745 in any rolling minute. 0 turns the limit off.
NOTIFY_RATE_LIMIT_PER_SECOND = int(os.environ.get("NOTIFY_RATE_LIMIT_PER_SECOND", "45"))
# Template ids, one per message kind, channel and language: NOTIFY_TEMPLATE_<KIND>_<CHANNEL>_<LANGUAGE>, e.g.
# NOTIFY_TEMPLATE_BOOKED_EMAIL_EN. docs/notify-templates.md has the text of each one.
NOTIFY_MESSAGE_KINDS = (
    "booked",
    "requested",
    "approved",
    "rejected",
    "cancelled_by_visitor",
    "cancelled_by_prison",
    "changed",
    "reminder",
    "waiting_joined",  # waiting_list.services: on a session's waiting list, with the link to leave it
    "place_offered",  # waiting_list.services: a place held for them for 30 minutes, with the link to book it
)
NOTIFY_TEMPLATE_IDS = {
    f"{kind}.{channel}.{language}": os.environ.get(f"NOTIFY_TEMPLATE_{kind}_{channel}_{language}".upper(), "")
    for kind in NOTIFY_MESSAGE_KINDS
    for channel in ("email", "sms")
    for language in ("en", "cy")
}
# Messages to a prison's own visits mailbox (Prison.visits_mailbox, set in the console's timetable settings): by email
# only, and in English only, as the staff console is (docs/welsh.md). NOTIFY_TEMPLATE_PRISON_NEW_REQUEST_EMAIL_EN...
NOTIFY_MAILBOX_MESSAGE_KINDS = ("prison_new_request", "prison_visitor_cancelled", "prison_mailbox_changed")
NOTIFY_TEMPLATE_IDS.update(
    {
        f"{kind}.email.en": os.environ.get(f"NOTIFY_TEMPLATE_{kind}_EMAIL_EN".upper(), "")
        for kind in NOTIFY_MAILBOX_MESSAGE_KINDS
    }
)
if NOTIFY_API_KEY and not DEBUG:
    _missing = [f"NOTIFY_TEMPLATE_{name}".replace(".", "_").upper() for name, v in NOTIFY_TEMPLATE_IDS.items() if not v]
    if _missing:
        REFUSALS.append(f"NOTIFY_API_KEY is set, so set every template id: missing {', '.join(_missing)}")

CELERY_BEAT_SCHEDULE.update(
    {
        "send-stuck-messages": {"task": "visits.tasks.sweep_outbox", "schedule": 60.0},
        "offer-waiting-places": {"task": "visits.tasks.sweep_waiting_lists", "schedule": 60.0},
        # Hourly in the daytime, so a missed run catches up and no text arrives in the night.
        "queue-visit-reminders": {"task": "visits.tasks.queue_reminders", "schedule": crontab(minute=10, hour="9-20")},
    }
)

# NOMIS sync (nomis_sync.tasks) and the lifecycle jobs (housekeeping.tasks). Each is idempotent and safe with two beat
# processes. Task names are kept from before the code moved (see those modules).
RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", "6"))
CELERY_IMPORTS: list[str] = []  # every tasks module is an installed app's, found by autodiscovery (config/celery.py)
CELERY_BEAT_SCHEDULE.update(
    {
        "expire-holds": {"task": "visits.jobs.expire_holds", "schedule": 60.0},
        "push-unsynced-visits": {"task": "visits.jobs.push_unsynced_visits", "schedule": 300.0},
        "poll-nomis-events": {"task": "visits.jobs.poll_nomis_events", "schedule": 60.0},
        "auto-reject-unanswered-requests": {
            "task": "visits.jobs.auto_reject_unanswered_requests",
            "schedule": crontab(minute=30, hour="7,12,17"),
        },
        "anonymise-old-visits": {"task": "visits.jobs.anonymise_old_visits", "schedule": crontab(minute=0, hour=3)},
    }
)

# django-axes's records of staff sign-ins (username, address, browser) are kept this many days (docs/security.md).
SIGN_IN_LOGS_DAYS = int(os.environ.get("SIGN_IN_LOGS_DAYS", "90"))
CELERY_IMPORTS.append("accounts.tasks")
CELERY_BEAT_SCHEDULE["remove-old-sign-in-logs"] = {
    "task": "accounts.tasks.remove_old_sign_in_logs",
    "schedule": crontab(minute=15, hour=3),
}
# The HMPPS domain events received and the "to check in NOMIS" items past their time (NOMIS_EVENTS_DAYS,
# NOMIS_CHECKS_DAYS).
CELERY_BEAT_SCHEDULE["forget-old-nomis-data"] = {
    "task": "housekeeping.tasks.forget_old_nomis_data",
    "schedule": crontab(minute=30, hour=3),
}


# Error reporting ----------------------------------------------------------------------------------------------------
# Sentry (config/sentry.py, docs/observability.md), off unless SENTRY_DSN is set: the Django and Celery integrations,
# no personal data (send_default_pii off, no request bodies or local variables), tokens and query strings redacted.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )


# Production refuses to start without its secrets, or where it would silently run as a demo -------------------------
# One line a problem, naming the setting, and exit status 78 (EX_CONFIG), from every entry point: manage.py, gunicorn
# (whose master reads the settings, config/gunicorn.conf.py), the Celery worker and beat. The test settings
# (config/settings_test.py) stand in for a demo deployment and skip the demo checks, not the secrets.


def demo_problems() -> list[str]:
    problems = []
    if not REDIS_URL:
        problems.append(
            "REDIS_URL is not set: without Redis every web process keeps its own sessions, rate limits and "
            "lockouts, and tasks run inside web requests"
        )
    if not SERVICE_BASE_URL:
        problems.append("SERVICE_BASE_URL is not set: the links in emails and texts need the service's address")
    if not NOTIFY_API_KEY and not NOTIFY_FAKE:
        problems.append(
            "NOTIFY_API_KEY is not set: set it, or set NOTIFY_FAKE=1 to keep messages in the fake Notify (a demo)"
        )
    if NOMIS_CLIENT == NOMIS_HTTP_CLIENT:
        missing = [name for name in ("HMPPS_AUTH_URL", "HMPPS_CLIENT_ID", "HMPPS_CLIENT_SECRET") if not globals()[name]]
        missing += [f"HMPPS_{api.upper()}_API_URL" for api, url in HMPPS_API_URLS.items() if not url]
        missing += ["HMPPS_EVENTS_QUEUE_URL"] if not HMPPS_EVENTS_QUEUE_URL else []
        if missing:
            if any(name.endswith("_API_URL") for name in missing):
                missing = [name for name in missing if not name.endswith("_API_URL")] + [
                    "HMPPS_API_URL (or each API's)"
                ]
            problems.append(f"NOMIS is reached through the HMPPS APIs, which need {', '.join(missing)}")
    elif NOMIS_CLIENT.startswith("prisons.nomis.stub"):
        problems.append("NOMIS_CLIENT names the stub NOMIS, a test double no deployment has: unset it")
    return problems


# Settings modules made from these for the tests and the benchmarks say for themselves what they need.
NOT_DEPLOYED = ("config.settings_test", "benchmarks.stub_settings", "benchmarks.bench_settings")
if not DEBUG and os.environ.get("DJANGO_SETTINGS_MODULE") not in NOT_DEPLOYED:
    REFUSALS += demo_problems()
if REFUSALS:
    sys.stderr.write("".join(f"Refusing to start: {problem}.\n" for problem in REFUSALS))
    raise SystemExit(78)

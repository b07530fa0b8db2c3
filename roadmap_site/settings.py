"""Settings for the roadmap site: one file, read from the environment.

Development defaults are safe to run locally (`make run`); production refuses to start when a
setting it needs is missing or malformed. See docs/architecture.md for the variables.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import structlog
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from roadmap_site.environment import (
    email_config,
    env_bool,
    env_host_ports,
    env_int,
    env_list,
    env_str,
    env_url,
)
from roadmap_site.limits import PAGE_SIZE

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-never-used-when-debug-is-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SITE_NAME = "ML Engineer Roadmap"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # The search's trigram lookups and search vectors (apps.search), on PostgreSQL.
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_structlog",
    "simple_history",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "knox",
    "apps.accounts",
    "apps.roadmap",
    "apps.linkcheck",
    "apps.progress",
    "apps.community",
    "apps.operations",
    "apps.moderation",
    "apps.outbox",
    "apps.mail",
    "apps.solutions",
    "apps.showcase",
    "apps.search",
]

MIDDLEWARE = [
    "apps.operations.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The cached roadmap tree, served like a static file (see apps/roadmap/middleware.py).
    "apps.roadmap.middleware.RoadmapTreeFastPathMiddleware",
    # The public pages for visitors without a session, from the cache; Cache-Control on every
    # page (roadmap_site/page_cache.py).
    "roadmap_site.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.accounts.sessions.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "roadmap_site.htmx.HtmxSignInMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    # Inside the request id's scope: a 500 under /api/ carries it.
    "roadmap_site.error_views.ApiErrorsMiddleware",
    "roadmap_site.error_views.ApplicationErrorMiddleware",
    # The learner's dashboard, kept per learner and filled with the same layer (just before it,
    # so that every other middleware's process_view has run).
    "roadmap_site.dashboard_layer.DashboardLayerMiddleware",
    # Last, so that its process_view runs after every other middleware's: the signed-in
    # roadmap, phase and section pages as a shared shell and the learner's layer.
    "roadmap_site.page_layer.PageLayerMiddleware",
]

ROOT_URLCONF = "roadmap_site.urls"
WSGI_APPLICATION = "roadmap_site.wsgi.application"
ASGI_APPLICATION = "roadmap_site.asgi.application"

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
                "csp.context_processors.nonce",
                "apps.moderation.context_processors.moderation_header",
            ],
        },
    },
]

# Database: DATABASE_URL picks; SQLite file by default (the embedded default of `make run`).
_database_url = env_url(
    "DATABASE_URL",
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    schemes=frozenset({"sqlite", "postgres", "postgresql", "pgsql"}),
)
# PostgreSQL connections come from a pool in each process (psycopg's pool, through Django):
# a gunicorn worker or a Celery pool child keeps between DATABASE_POOL_MIN and DATABASE_POOL_MAX
# connections open and lends one to each request or task. DATABASE_POOL=0 goes back to one
# persistent connection per thread (CONN_MAX_AGE), as with PgBouncer in front (docs/scaling.md,
# "Connections").
DATABASE_POOL = env_bool("DATABASE_POOL", True)
DATABASE_POOL_MIN = env_int("DATABASE_POOL_MIN", 1, minimum=0, maximum=20)
# A process opens connections only as it needs them at once (one for a sync gunicorn worker or
# a prefork child, up to its threads with GUNICORN_THREADS): the maximum is a cap, not a size.
DATABASE_POOL_MAX = env_int("DATABASE_POOL_MAX", 20, minimum=1, maximum=50)
if DATABASE_POOL_MIN > DATABASE_POOL_MAX:
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MIN ({DATABASE_POOL_MIN}) must not exceed "
        f"DATABASE_POOL_MAX ({DATABASE_POOL_MAX})"
    )
# Seconds a request or task waits for a free pooled connection before it fails.
DATABASE_POOL_TIMEOUT = 10
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions: the dev server and eager tasks write without
    # "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # A connection is checked before use: a PostgreSQL restart costs no request an error.
    # With the pool, the pool does the check when it lends one (Django hands it this flag).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASE_POOL:
        # Django's backend, whose pool asks a lent connection's socket before it sends the
        # check query (roadmap_site/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "roadmap_site.postgresql"
        # The pool keeps the connections open itself: Django must not keep its own (it
        # refuses a pool with CONN_MAX_AGE set).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": DATABASE_POOL_MIN,
                "max_size": DATABASE_POOL_MAX,
                "timeout": DATABASE_POOL_TIMEOUT,
            }
        }
# The versions that key the cached pages and trees are pushed to each process by PostgreSQL
# (LISTEN/NOTIFY, apps.roadmap.version_feed), so a cached answer needs no query. Turn it off
# behind a pooler that cannot LISTEN (PgBouncer in transaction mode): every answer then reads
# them from the database. Ignored on SQLite.
VERSIONS_FEED = env_bool("VERSIONS_FEED", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Sessions live in the database with the owner's id beside them (apps.accounts.sessions), so
# deleting an account can end every one of its sessions at once.
SESSION_ENGINE = "apps.accounts.sessions"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Redis, the broker and the cache are separate settings; the two latter default to REDIS_URL.
_redis_schemes = frozenset({"redis", "rediss"})
REDIS_URL = env_url("REDIS_URL", "", schemes=_redis_schemes)
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", REDIS_URL, schemes=_redis_schemes | {"amqp", "memory"}
)
CACHE_URL = env_url("CACHE_URL", REDIS_URL, schemes=_redis_schemes | {"locmem", "dummy"})
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "roadmap")
# The public pages (roadmap_site/page_cache.py): browsers and a CDN may keep a copy this many
# seconds, and serve it this many more while they fetch the next; the cache keeps the bytes
# of one pages' version this long (a new version is a new key at once).
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 30, minimum=0, maximum=3600)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env_int(
    "PAGE_CACHE_STALE_WHILE_REVALIDATE", 60, minimum=0, maximum=86400
)
PAGE_CACHE_SECONDS = 60 * 60
# Each worker also keeps the pages it served last, up to this many bytes, in its own memory.
PAGE_CACHE_LOCAL_BYTES = 16 * 1024 * 1024
# Every Redis and broker call gives up after these many seconds: a Redis that accepts the
# connection but never answers must not hold a request (roadmap_site.cache, apps.outbox).
REDIS_SOCKET_TIMEOUT = 1
# After a failure the cache, or the broker, is skipped for this long; then one call probes it
# (roadmap_site.circuit).
OUTAGE_SKIP_SECONDS = env_int("OUTAGE_SKIP_SECONDS", 30, minimum=1)
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "roadmap_site.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
elif CACHE_URL.startswith("dummy:"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# Celery: with no broker (the embedded default) tasks run eagerly in-process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Two queues, so that each has workers of its own: link checks (slow, waiting on other sites)
# on CELERY_LINKCHECK_QUEUE, everything else (emails, the outbox, sweeps of other apps) on the
# default queue. `celery worker -Q <queue>` takes one; a worker without -Q takes both. A test
# run names its own queues so that it shares no messages.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_LINKCHECK_QUEUE = env_str("CELERY_LINKCHECK_QUEUE", "linkcheck")
if CELERY_LINKCHECK_QUEUE == CELERY_TASK_DEFAULT_QUEUE:
    raise ImproperlyConfigured("CELERY_LINKCHECK_QUEUE must differ from CELERY_TASK_DEFAULT_QUEUE")
CELERY_TASK_QUEUES = [
    Queue(CELERY_TASK_DEFAULT_QUEUE, routing_key=CELERY_TASK_DEFAULT_QUEUE),
    Queue(CELERY_LINKCHECK_QUEUE, routing_key=CELERY_LINKCHECK_QUEUE),
]
# The routes, in one place: every task of apps.linkcheck (the sweep and the per-host batches)
# on the link-check queue; anything not named here on the default queue.
CELERY_TASK_ROUTES = {"apps.linkcheck.tasks.*": {"queue": CELERY_LINKCHECK_QUEUE}}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A broker that is down or hangs must never hold up a web request: connect, every socket
# read and write, and publish give up fast, with no endless retries. Work that must happen goes
# through the outbox (apps.outbox), which publishes it once the broker answers again.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
# A worker that lost the broker retries for a few minutes, then exits (its container restarts).
CELERY_BROKER_CONNECTION_MAX_RETRIES = 10
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_keepalive": True,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_PUBLISH_RETRY = False
# No result backend: tasks report through the database. Named so that nothing waits on one.
CELERY_RESULT_BACKEND = None
# The outbox's publisher: what is pending goes to the broker every few seconds (apps.outbox).
OUTBOX_PUBLISH_SECONDS = env_int("OUTBOX_PUBLISH_SECONDS", 5, minimum=1)
# Beat may run more than once (two replicas, or one started by mistake): only the holder of a
# lock in Redis sends anything (roadmap_site.beat). The holder renews its lease on every tick;
# the others stand by and take over within BEAT_LOCK_SECONDS of the holder's death.
CELERY_BEAT_SCHEDULER = "roadmap_site.beat.LockedScheduler"
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 30, minimum=3, maximum=600)
BEAT_LOCK_KEY = env_str("BEAT_LOCK_KEY", "roadmap:beat-lock")
# Link sweeps every LINKCHECK_SWEEP_SECONDS (hourly); the integration test makes it seconds.
LINKCHECK_SWEEP_SECONDS = env_int("LINKCHECK_SWEEP_SECONDS", 3600, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # Moderators hear about a non-empty queue once a day (apps.moderation.tasks).
    "moderation-daily-digest": {
        "task": "apps.moderation.tasks.moderator_digest_send",
        "schedule": crontab(hour=8, minute=0),
    },
    # Links due for a check go out in one batch per host (apps.linkcheck.tasks).
    # Work written down in the outbox goes to the broker (apps.outbox.tasks).
    "outbox-publish": {
        "task": "apps.outbox.tasks.outbox_publish",
        "schedule": timedelta(seconds=OUTBOX_PUBLISH_SECONDS),
        "options": {"expires": OUTBOX_PUBLISH_SECONDS},
    },
    # The Monday email, 08:00 in each learner's time zone, and the drift nudge (apps.mail.tasks).
    "mail-weekly": {
        "task": "apps.mail.tasks.weekly_emails_send",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 5 * 60},
    },
    "mail-drift-nudge": {
        "task": "apps.mail.tasks.drift_nudges_send",
        "schedule": timedelta(hours=1),
        "options": {"expires": 60 * 60},
    },
    "linkcheck-sweep": {
        "task": "apps.linkcheck.tasks.link_sweep",
        "schedule": timedelta(seconds=LINKCHECK_SWEEP_SECONDS),
    },
    # Solutions' demo URLs on the link-health schedule; their repositories daily (apps.solutions).
    "solutions-demo-sweep": {
        "task": "apps.solutions.tasks.solution_demo_sweep",
        "schedule": timedelta(seconds=LINKCHECK_SWEEP_SECONDS),
    },
    "solutions-evidence-sweep": {
        "task": "apps.solutions.tasks.solution_evidence_sweep",
        "schedule": crontab(hour=3, minute=30),
    },
}

_email = email_config("EMAIL_URL", "console:" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ML Engineer Roadmap <roadmap@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts (django-allauth). Sign in by username or email. Email verification is mandatory by
# default everywhere (with `make run` the message goes to the console); DEBUG alone may relax it.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured(
        "ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none; "
        f"got {ACCOUNT_EMAIL_VERIFICATION!r}"
    )
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory":
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be mandatory when DEBUG is off")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# The adapter: the client address (TRUSTED_PROXY_COUNT, below), the site's name in emails and
# a signup's `next` kept until the first sign-in.
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    name: f"apps.accounts.forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "reset_password": "ResetPasswordForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
    }.items()
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SESSION_REMEMBER = None
# allauth's own limits, stated here so a reader sees them; they count in the cache above.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}

# Reverse proxies of ours in front of the web process (docker-compose: 1, Caddy). Each appends
# the address it received the request from to X-Forwarded-For; with 0 (`make run`) the header
# is ignored. apps.accounts.client_address turns this into the one client address that
# allauth's limits and the token endpoint's throttle count by; allauth's own setting follows.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# GitHub sign-in is wired but stays off unless both of its keys are in the environment.
GITHUB_CLIENT_ID = env_str("GITHUB_CLIENT_ID")
GITHUB_SECRET = env_str("GITHUB_SECRET")
if bool(GITHUB_CLIENT_ID) != bool(GITHUB_SECRET):
    raise ImproperlyConfigured("Set both GITHUB_CLIENT_ID and GITHUB_SECRET, or neither")
SOCIALACCOUNT_PROVIDERS: dict = {}
if GITHUB_CLIENT_ID:
    INSTALLED_APPS.append("allauth.socialaccount.providers.github")
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APP": {"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_SECRET, "key": ""},
        "SCOPE": ["user:email"],
    }

# API tokens (django-rest-knox's model behind apps.accounts' own views).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90, minimum=1, maximum=3650)
API_TOKEN_LIMIT_PER_USER = env_int("API_TOKEN_LIMIT_PER_USER", 20, minimum=1)
# "<count>/<seconds>" windows for POST /api/v1/auth/token/, per client address and per login.
API_TOKEN_RATE_LIMITS = {"ip": "20/3600", "login": "10/3600"}
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 (a model name, not a secret)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Static files: hashed names and long cache headers outside development.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security. TLS ends at the proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Probes and the scraper talk plain HTTP to the web container, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# Content-Security-Policy: nonces for scripts, no inline style, no eval, ever.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    # The house's refusals on every operation, and who may call it (roadmap_site/schema.py).
    "DEFAULT_SCHEMA_CLASS": "roadmap_site.schema.HouseAutoSchema",
    # DRF's three, the JSON one refusing bodies nested too deep (400).
    "DEFAULT_PARSER_CLASSES": [
        "roadmap_site.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials answers 401 with WWW-Authenticate.
        "apps.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "roadmap_site.pagination.HousePagination",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "roadmap_site.api_errors.exception_handler",
    # DRF's own client address (BaseThrottle.get_ident) trusts as many proxies as the site does;
    # the site's throttles ask apps.accounts.client_address, which reads the same setting.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ML Engineer Roadmap API",
    "DESCRIPTION": "Read the roadmap; drive progress and submissions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's toggle button, an interactive control
    # nested in another that screen readers cannot reach (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # One group per app in the docs; roadmap_site.schema.APP_TAGS puts each operation in one.
    "TAGS": [
        {"name": "roadmap", "description": "Read the roadmaps, their topics and resources."},
        {
            "name": "progress",
            "description": "A learner's enrolment, plan, topic statuses, ticks and check-ins.",
        },
        {
            "name": "community",
            "description": "Suggest resources, vote on them and report problems with them.",
        },
        {
            "name": "moderation",
            "description": "Moderators review submissions and reports, edit content and "
            "keep the public log.",
        },
        {
            "name": "link health",
            "description": "Each resource's link checks and their history.",
        },
        {
            "name": "account",
            "description": "Sign in for an API token, sign out, export your data.",
        },
        {
            "name": "solutions",
            "description": "Submit a project's solution, link its checklist, read its evidence.",
        },
        {
            "name": "showcase",
            "description": "Each project's solutions: likes, reviews, the review queue and flags.",
        },
        {
            "name": "search",
            "description": "Search every kind of public content in one query.",
        },
    ],
    # A string the API refuses blank is documented with minLength 1.
    "ENFORCE_NON_BLANK_FIELDS": True,
    # One name per choice set that several endpoints share.
    "ENUM_NAME_OVERRIDES": {
        "ResourceKindEnum": "apps.roadmap.models.Resource.Kind",
        "SearchKindEnum": "apps.search.query.KINDS",
        "ResourceStatusEnum": "apps.roadmap.models.Resource.Status",
        "ResourceHealthEnum": "apps.roadmap.models.Resource.Health",
        "ProgressStatusEnum": "apps.progress.models.TopicProgress.Status",
        "BackgroundEnum": "apps.progress.models.Enrollment.Background",
        "ReportReasonEnum": "apps.community.models.Report.Reason",
        "EvidenceKindEnum": "apps.solutions.models.Evidence.Kind",
        "SolutionStateEnum": "apps.solutions.models.Solution.State",
        "SolutionVisibilityEnum": "apps.solutions.models.Solution.Visibility",
        "EvidenceStatusEnum": "apps.solutions.models.Solution.EvidenceStatus",
        "FlagReasonEnum": "apps.showcase.models.Flag.Reason",
    },
}

# Link checking (apps.linkcheck). Private addresses only for tests and benchmarks.
LINKCHECK_ALLOW_PRIVATE = env_bool("LINKCHECK_ALLOW_PRIVATE", False)
LINKCHECK_ALLOW_HOSTS = env_host_ports("LINKCHECK_ALLOW_HOSTS")
# Link health (apps.linkcheck.services): how often, and when a failing link counts as broken.
LINKCHECK_INTERVAL_HOURS = env_int("LINKCHECK_INTERVAL_HOURS", 7 * 24, minimum=1)
LINKCHECK_FAILING_INTERVAL_HOURS = env_int("LINKCHECK_FAILING_INTERVAL_HOURS", 24, minimum=1)
LINKCHECK_BROKEN_AFTER_CHECKS = env_int("LINKCHECK_BROKEN_AFTER_CHECKS", 3, minimum=1)
LINKCHECK_BROKEN_AFTER_HOURS = env_int("LINKCHECK_BROKEN_AFTER_HOURS", 48, minimum=0)
LINKCHECK_LEASE_SECONDS = env_int("LINKCHECK_LEASE_SECONDS", 30 * 60, minimum=10)
LINKCHECK_BATCH_SIZE = env_int("LINKCHECK_BATCH_SIZE", 50, minimum=1)
LINKCHECK_SWEEP_LIMIT = env_int("LINKCHECK_SWEEP_LIMIT", 2000, minimum=1)
# The forges a solution's evidence is read from (apps.solutions.forge); tests point them at a
# loopback fake. Every fetch still goes through the link checker's guard and politeness.
_FORGE_SCHEMES = frozenset({"http", "https"})
SOLUTIONS_GITHUB_API_URL = env_url(
    "SOLUTIONS_GITHUB_API_URL", "https://api.github.com", schemes=_FORGE_SCHEMES
)
SOLUTIONS_GITHUB_RAW_URL = env_url(
    "SOLUTIONS_GITHUB_RAW_URL", "https://raw.githubusercontent.com", schemes=_FORGE_SCHEMES
)
SOLUTIONS_GITLAB_URL = env_url("SOLUTIONS_GITLAB_URL", "https://gitlab.com", schemes=_FORGE_SCHEMES)

# Logs: JSON lines with request ids outside development.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {LOG_LEVEL!r}"
    )
# structlog goes through the standard library's logging, so LOG_LEVEL and the handlers below
# govern Django's records and django-structlog's request events alike: JSON lines in
# production (with request ids, carried into Celery tasks), readable lines in development.
LOG_JSON = env_bool("LOG_JSON", not DEBUG)
DJANGO_STRUCTLOG_CELERY_ENABLED = True
_structlog_shared: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso"),
]
structlog.configure(
    processors=[
        *_structlog_shared,
        structlog.stdlib.filter_by_level,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer()
            if LOG_JSON
            else structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": _structlog_shared,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_structlog": {"level": env_str("REQUEST_LOG_LEVEL", LOG_LEVEL).upper()},
    },
}

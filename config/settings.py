"""Juncture settings: one file, every deploy-specific value from the environment.

See the README's configuration table for each variable. Nothing here is
production-only: the same file serves the embedded default (SQLite, eager
Celery, console e-mail) and a scaled-out deployment (PostgreSQL, Redis).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_json, env_list, env_path, env_str, env_url
from config.sso import socialaccount_providers

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless turned on: a deployment that forgets DEBUG gets the secure settings, and the
# development targets (`make run`) and the test suite turn it on explicitly.
DEBUG = env_bool("DEBUG", default=False)

# The development key is public (it is committed here): it is only ever used with DEBUG on.
_DEV_SECRET_KEY = "dev-only-insecure-key-0f3a9c1e6b2d4a8f9e7c5b3a1d0e2f4c6b8a9d7e5f3c1a2b"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the committed development key, which is refused when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where people reach Juncture; links in e-mail are built on it. Unset: the development server,
# or https:// and the first allowed host when DEBUG is off.
SITE_URL = env_str("SITE_URL").rstrip("/") or (
    "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
)
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://; got {SITE_URL!r}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "accounts",
    "journeys",
    "ideas",
    "feedback",
    "scoring",
    "budgets",
    "outcomes",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.SSOFormActionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "config.middleware.BadInputMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.verification",
                "accounts.context_processors.nav",
            ],
            "builtins": ["rules.templatetags.rules"],
            # Every page's header and footer (config/layout.py).
            "libraries": {"layout": "config.layout"},
        },
    }
]

# --- Database ------------------------------------------------------------------------------
# Unset: an SQLite file in the project folder (the embedded default).
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend whose flush can empty the append-only audit log (config/sqlite3).
    DATABASES["default"]["ENGINE"] = "config.sqlite3"
    # WAL and a busy timeout let the dev server, eager tasks and tests share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # A file (not memory) so a Celery worker subprocess can share the test database; one per
    # process so parallel test runs do not collide.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("TEST_DATABASE_NAME") or str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")
    }
else:
    # A connection that died between requests (database restarted, failover) is replaced at
    # the start of the next request, so the app recovers without a restart. It costs one
    # ``SELECT 1`` round trip per request on a reused connection (docs/deployment.md);
    # DB_CONN_HEALTH_CHECKS=false saves it, and the first request on a dead connection then
    # answers 503 before the connection is replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", default=True)
    if env_str("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# Bounds any one statement, so a runaway query (or a long lock wait) cannot hold a web or
# worker process; 0 turns it off (e.g. for a one-off migration of a very large table).
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
if DATABASE_STATEMENT_TIMEOUT_MS < 0:
    raise ImproperlyConfigured("DATABASE_STATEMENT_TIMEOUT_MS must be 0 (off) or more.")
if IS_POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    )
    # A database host that does not answer fails the connection quickly (a 503), instead of
    # holding the request for the operating system's TCP timeout.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction, so the
    # streamed exports' ``.iterator()`` must not use server-side cursors (docs/deployment.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
    )

# Optional: a PostgreSQL streaming replica of the database above. Report pages (dashboards,
# insights, the journey map, CSV exports) read from it; writes and every other read stay on
# the primary (core.db: the ``report_read`` pin and ``ReplicaRouter``). Unset: one database.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", ("postgres", "postgresql"))
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if not IS_POSTGRES:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL too.")
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
        ),
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        # The test suite has no replica: the alias reads the test database through its own
        # connection instead of creating a second one.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.EmailBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail is the login (no username); self sign-up makes customers, who may
# sign in before verifying their address but not take part until they have (the rules'
# ``is_verified_or_staff``). Failed logins are counted by accounts.throttle, not allauth.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Juncture] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_SESSION_REMEMBER = None
# allauth's own limits are off: Juncture's (accounts.throttle) cover login failures, sign-up,
# password-reset requests and confirmation resends, and fail closed when the cache is down.
ACCOUNT_RATE_LIMITS = False
# Invitations to employees (the people admin) stay valid this many days.
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)
# The managers' home lists ideas whose status has not changed for this many days as stuck.
IDEA_STUCK_DAYS = env_int("IDEA_STUCK_DAYS", 14)

MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Juncture")
# WebAuthn needs https except on localhost during development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Roles ("manager", "executive") whose members must set up MFA before doing anything else.
REQUIRE_MFA_FOR_ROLES = env_list("REQUIRE_MFA_FOR_ROLES", [])
if set(REQUIRE_MFA_FOR_ROLES) - {"manager", "executive"}:
    raise ImproperlyConfigured(
        f"REQUIRE_MFA_FOR_ROLES takes manager and/or executive; got {REQUIRE_MFA_FOR_ROLES!r}"
    )

# Enterprise SSO (OpenID Connect and SAML 2.0): providers from SSO_PROVIDERS (JSON, see
# config/sso.py and docs/deployment.md) and/or SocialApps added in the admin.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(env_json("SSO_PROVIDERS", []))
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10)

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
# Uploaded files are never served from a public URL: downloads go through a
# permission-checked view, so MEDIA_URL is deliberately not routed.
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- E-mail --------------------------------------------------------------------------------
# Django 6.1's MAILERS; the environment names stay the familiar EMAIL_* ones.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_EMAIL_OPTIONS: dict = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        # E-mail goes out from Celery workers; a mail server that hangs costs a worker this
        # long per attempt, and the task retries with backoff.
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Juncture <juncture@localhost>")

# --- Security ------------------------------------------------------------------------------
# Django's database sessions, whose read (every signed-in request) is compiled once per
# connection (accounts.sessions).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token travels in hx-headers
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 so Django trusts
    # X-Forwarded-Proto; SECURE_SSL_REDIRECT can be turned off when the proxy redirects.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy (Django's own middleware): scripts only from our origin or
# with the per-request nonce; no inline styles (htmx is told not to inject any).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Celery --------------------------------------------------------------------------------
# Unset broker: tasks run eagerly in the calling process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or "cache+memory://")
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must never hold a web request: connections give up quickly, and
# publishes outside the outbox (beat) retry briefly; the outbox relay retries the rest.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 2,
    # Above the worker's 1 s blocking pop, so only a broker that stopped answering trips it.
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# Transactional outbox (core.outbox): the inline publish after a commit gives up after this,
# and is skipped for a while once the broker has failed; the relay runs every
# OUTBOX_RELAY_INTERVAL seconds under beat.
OUTBOX_PUBLISH_TIMEOUT_SECONDS = 1.0
OUTBOX_BROKER_RETRY_AFTER_SECONDS = 10
OUTBOX_RELAY_INTERVAL = env_int("OUTBOX_RELAY_INTERVAL", 5)
# Periodic jobs (run `celery -A config beat`). Apps add their entries below when their
# tasks exist; names are the tasks' explicit `name=`.
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {
        "task": "core.relay_outbox",
        "schedule": float(OUTBOX_RELAY_INTERVAL),
        # A relay run that waited in the queue longer than a few intervals is pointless.
        "options": {"expires": max(OUTBOX_RELAY_INTERVAL * 3, 10)},
    },
    "outbox-prune-daily": {"task": "core.prune_outbox", "schedule": crontab(hour=3, minute=30)},
    "notification-emails-sweep": {
        "task": "ideas.notify_sweep",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "aggregate-open-rounds-nightly": {
        "task": "scoring.aggregate_open_rounds",
        "schedule": crontab(hour=2, minute=15),
    },
    "budget-snapshots-daily": {
        "task": "budgets.snapshot_all",
        "schedule": crontab(hour=23, minute=55),
    },
    "feedback-retention-purge-nightly": {
        "task": "feedback.purge_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    "panel-accuracy-nightly": {
        "task": "insights.compute_accuracy",
        "schedule": crontab(hour=3, minute=45),
    },
}

# --- Client addresses ----------------------------------------------------------------------
# How many reverse proxies in front of Juncture append to X-Forwarded-For. 0 (the default):
# REMOTE_ADDR is the client and X-Forwarded-For is ignored, so a client cannot choose its own
# address to dodge a rate limit. Used by core.web.client_ip for every limit, DRF and
# django-ratelimit alike.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more; got {TRUSTED_PROXY_COUNT}")
RATELIMIT_IP_META_KEY = "core.web.client_ip"

# --- API tokens ----------------------------------------------------------------------------
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)

# --- Feedback (voice of the customer) ------------------------------------------------------
# The secret mixed into every pseudonymous customer_ref (HMAC-SHA256 of the source's customer
# id). Changing it breaks the link between old and new items of the same customer, so it is
# set once per deployment; required when DEBUG is off.
_DEV_FEEDBACK_PEPPER = "dev-only-feedback-pepper-7d1c5e9a3b2f4068"
FEEDBACK_PEPPER = env_str("FEEDBACK_PEPPER")
if not FEEDBACK_PEPPER:
    if not DEBUG:
        raise ImproperlyConfigured("FEEDBACK_PEPPER is required when DEBUG is off.")
    FEEDBACK_PEPPER = _DEV_FEEDBACK_PEPPER
# Items received longer ago than this are purged nightly (0 keeps them forever).
FEEDBACK_RETENTION_MONTHS = env_int("FEEDBACK_RETENTION_MONTHS", 24)
if FEEDBACK_RETENTION_MONTHS < 0:
    raise ImproperlyConfigured("FEEDBACK_RETENTION_MONTHS must be 0 (keep) or a number of months.")
# Largest feedback file accepted for import (bytes).
FEEDBACK_MAX_UPLOAD_BYTES = env_int("FEEDBACK_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.drf.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.drf.exception_handler",
    # DRF's own client address for throttles: the same trusted-proxy count as everything else.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("THROTTLE_AUTH", "10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Juncture API",
    "DESCRIPTION": "CX innovation ideas, journeys, review panels and the innovation budget.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; name each enum after its model's choices.
    "ENUM_NAME_OVERRIDES": {
        "IdeaStatusEnum": "ideas.models.Status",
        "RoundStatusEnum": "scoring.models.RoundStatus",
        "AllocationStatusEnum": "budgets.models.AllocationStatus",
        "EvidenceKindEnum": "ideas.models.EvidenceKind",
    },
}

# --- Rate limits (django-ratelimit; counters live in the default cache) --------------------
# Each value is "<count>/<period>" with period s, m, h or d (e.g. "5/15m"). Across several
# processes or machines set CACHE_URL so they share one counter.
RATELIMIT_VIEW = "config.views.ratelimited"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
JUNCTURE_RATES = {
    "login_failures": env_str("RATE_LOGIN_FAILURES", "5/15m"),
    "signup": env_str("RATE_SIGNUP", "5/h"),
    "idea_submit": env_str("RATE_IDEA_SUBMIT", "20/h"),
    "support": env_str("RATE_SUPPORT", "60/m"),
    "comment": env_str("RATE_COMMENT", "30/h"),
    "attachment": env_str("RATE_ATTACHMENT", "20/h"),
    "verification_resend": env_str("RATE_VERIFICATION_RESEND", "5/h"),
    "password_reset": env_str("RATE_PASSWORD_RESET", "5/h"),
}
# At most this many attachments on one idea (checked in the service, under a row lock).
ATTACHMENTS_PER_IDEA = env_int("ATTACHMENTS_PER_IDEA", 20)
# Comment e-mails to one follower about one idea go out at most once per this many minutes,
# one e-mail covering every comment since the last (the in-app notifications stay one each).
COMMENT_EMAIL_BATCH_MINUTES = env_int("COMMENT_EMAIL_BATCH_MINUTES", 15)
# Moderation: this many open flags from different people hold an idea or comment for review.
MODERATION_FLAG_THRESHOLD = env_int("MODERATION_FLAG_THRESHOLD", 3)
if MODERATION_FLAG_THRESHOLD < 1:
    raise ImproperlyConfigured("MODERATION_FLAG_THRESHOLD must be at least 1.")

# --- Caches --------------------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("CACHE_URL"),
            # A cache that is down must cost a request little: rate limits then fail open
            # or closed (accounts.throttle), nothing else depends on the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

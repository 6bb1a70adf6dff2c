"""One settings module. Every value comes from the environment with a safe default.

The embedded default (no environment at all) is SQLite in ``var/`` with in-process
background jobs, so a fresh checkout runs with zero set-up.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("LAPOR_DATA_DIR", BASE_DIR / "var")).resolve()

# LAPOR_ENV=production: DEBUG off, LAPOR_SECRET_KEY and LAPOR_ALLOWED_HOSTS required, secure
# cookies, HSTS, staff two-factor sign-in. The process refuses to start without them.
PRODUCTION = os.environ.get("LAPOR_ENV", "").strip().lower() == "production"
DEBUG = False if PRODUCTION else env_bool("LAPOR_DEBUG", False)
# A development key is generated once per data directory; production must set LAPOR_SECRET_KEY.
SECRET_KEY = os.environ.get("LAPOR_SECRET_KEY", "")
if PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    _missing = [name for name in ("LAPOR_SECRET_KEY", "LAPOR_ALLOWED_HOSTS") if not os.environ.get(name, "").strip()]
    if _missing:
        raise ImproperlyConfigured(f"LAPOR_ENV=production requires {', '.join(_missing)} (see docs/operations.md)")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("LAPOR_SECRET_KEY must be at least 32 characters in production")
if not SECRET_KEY:
    _key_file = DATA_DIR / "secret_key"
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not _key_file.exists():
            import secrets

            _key_file.write_text(secrets.token_urlsafe(50))
            _key_file.chmod(0o600)
        SECRET_KEY = _key_file.read_text().strip()
        (DATA_DIR / "static").mkdir(exist_ok=True)
    except OSError:  # read-only checkout: fall back to an ephemeral key
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("LAPOR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("LAPOR_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lapor.accounts.adminsite.LaporAdminConfig",  # django.contrib.admin, its login sent to the site's sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # /api/docs from ninja's own templates and static files (no CDN, no inline script)
    "lapor.core",
    "lapor.agencies",
    "lapor.accounts",
    "lapor.reports",
    "lapor.routing",
    "lapor.api",
    "lapor.notifications",
    "lapor.intake",
    "lapor.analytics",
    "lapor.partners",
    "lapor.web",
    "lapor.demo",  # demo data and its `lapor demo` command; nothing else imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lapor.core.static.StaticFilesMiddleware",  # WhiteNoise: collected .gz files, else the apps' files
    "lapor.core.compress.TextGZipMiddleware",  # pages and JSON gzip-compressed, BREACH-padded
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lapor.web.middleware.PageLanguageMiddleware",  # pages: Indonesian unless chosen
    "django.middleware.locale.LocaleMiddleware",
    "lapor.core.bodylimit.RequestHeadLimitMiddleware",  # 414/431 on an over-long URI or header, door's shape
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lapor.core.bodylimit.RequestSizeLimitMiddleware",  # 413 on a Content-Length above the cap, before reading
    "lapor.accounts.audit.AuditContextMiddleware",  # who and from where, for the audit log
    "lapor.accounts.sessions.SessionSeenMiddleware",  # a signed-in browser's last seen, every few minutes
    "lapor.accounts.readonly.OverseerReadOnlyMiddleware",  # the overseer writes nothing, on any path
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lapor.web.middleware.SecurityHeadersMiddleware",  # CSP on every page; domain errors as 4xx pages
    "lapor.core.ratelimit.RateLimitMiddleware",  # 429 per source on submit, sign-in, tracking, webhooks
    "lapor.core.middleware.DatabaseUnavailableMiddleware",  # lost database: 503 + Retry-After, not 500
    "lapor.core.middleware.HeadAsGetMiddleware",  # HEAD on /api/ and /open311/: the GET without a body
    "lapor.core.middleware.MethodNotAllowedMiddleware",  # 405 in the door's error shape (JSON, page)
]

ROOT_URLCONF = "lapor.urls"
WSGI_APPLICATION = "lapor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'lapor.sqlite3'}",
        conn_max_age=env_int("LAPOR_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout make SQLite safe for a web process plus a worker thread.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("LAPOR_DB_PREPARE", True):
    # Parameters bound by the server and a statement run 5 times on a connection prepared: PostgreSQL
    # skips parsing and, when its generic plan is as good, planning (tracking lookup 1.4 -> 0.3 ms of
    # database CPU). Off (LAPOR_DB_PREPARE=0) behind a pooler in transaction mode that cannot keep
    # prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["lapor.accounts.backends.EmailOrPhoneBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("LAPOR_FAST_PASSWORD_HASHER", False):  # test suites only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("LAPOR_TIME_ZONE", "Asia/Jakarta")  # WIB
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The image collects static files at build time outside the data volume (deploy/Dockerfile), so an
# upgrade never serves the previous release's files from the shared volume.
STATIC_ROOT = Path(os.environ.get("LAPOR_STATIC_ROOT", "") or DATA_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic in the embedded default
MEDIA_ROOT = DATA_DIR / "attachments"  # outside the web root, served only through a permission check

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("LAPOR_SECURE_COOKIES", PRODUCTION)  # set to 1 behind HTTPS
SESSION_COOKIE_AGE = env_int("LAPOR_SESSION_HOURS", 12) * 3600
# A signed-in browser's "last seen" (Keamanan akun, lapor.accounts.sessions) is written at most this often.
LAPOR_SESSION_SEEN_MINUTES = env_int("LAPOR_SESSION_SEEN_MINUTES", 5)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS only when the site is served over HTTPS (production, or LAPOR_SECURE_COOKIES=1).
SECURE_HSTS_SECONDS = env_int("LAPOR_HSTS_SECONDS", 31536000) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LAPOR_HSTS_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = env_bool("LAPOR_SSL_REDIRECT", False)  # usually the proxy redirects
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("LAPOR_PROXY_SSL_HEADER", PRODUCTION):  # the TLS-terminating proxy sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Cache, rate limits, sign-in protection (docs/security.md) ---------------------
# Redis when LAPOR_CACHE_URL is set (shared by every process); else LocMemCache, which is
# per process: rate limits and lockouts then count per web worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["LAPOR_CACHE_URL"],
        "KEY_PREFIX": "lapor",
    }
    if os.environ.get("LAPOR_CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lapor"}
}
# Anonymous public list/search responses kept this many seconds (lapor.reports.public_cache). Only
# with the shared cache: its invalidation must reach every process at once (without LAPOR_CACHE_URL
# it stays off whatever is set here). 0 turns it off.
LAPOR_PUBLIC_CACHE_SECONDS = env_int("LAPOR_PUBLIC_CACHE_SECONDS", 5) if os.environ.get("LAPOR_CACHE_URL") else 0
LAPOR_RATES = {
    name: os.environ[f"LAPOR_RATE_{name.upper()}"]
    for name in ("submit", "login", "track", "resend", "webhook", "federation", "upload")
    if os.environ.get(f"LAPOR_RATE_{name.upper()}")
}
LAPOR_TRUSTED_PROXIES = env_list("LAPOR_TRUSTED_PROXIES")  # addresses/CIDRs whose proxy header is believed
LAPOR_CLIENT_IP_HEADER = os.environ.get("LAPOR_CLIENT_IP_HEADER", "X-Forwarded-For")
LAPOR_LOGIN_LOCKOUT = {
    "account_failures": env_int("LAPOR_LOCKOUT_ACCOUNT_FAILURES", 10),
    "ip_failures": env_int("LAPOR_LOCKOUT_IP_FAILURES", 50),  # many citizens share a carrier NAT
    "window_seconds": env_int("LAPOR_LOCKOUT_WINDOW_MINUTES", 15) * 60,
    "lock_seconds": env_int("LAPOR_LOCKOUT_MINUTES", 15) * 60,
}
# Staff (anyone with a role) confirm every sign-in with a TOTP code. On by default; the demo's
# staff start enrolled (`lapor totp code <email>` prints a code outside production); new staff enrol
# with an e-mailed link or an admin-issued code (lapor.accounts.twofactor).
LAPOR_STAFF_2FA = env_bool("LAPOR_STAFF_2FA", True) or PRODUCTION

# --- Background jobs -------------------------------------------------------------
# No broker configured: tasks run in-process (after commit), so nothing else is needed.
CELERY_BROKER_URL = os.environ.get("LAPOR_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing fails fast when Redis is down (one quick retry, not kombu's default of several seconds):
# the request has already committed and the periodic outbox flush delivers what was not handed over.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
# A change's notifications: "deferred" writes one outbox row that a worker expands into the messages
# (the default with a broker: no per-recipient work in the request), "inline" writes the messages
# themselves in the change's transaction (the default without a broker: nothing to hand over to).
LAPOR_NOTIFY_FANOUT = os.environ.get("LAPOR_NOTIFY_FANOUT", "")
if LAPOR_NOTIFY_FANOUT not in ("", "inline", "deferred"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LAPOR_NOTIFY_FANOUT must be inline or deferred")
# An agency's answer by SMS: at most this many parts (153 GSM-7 characters each), the rest behind the
# reporter's short link. "Send my private link again": at most this many messages a day per report.
LAPOR_SMS_ANSWER_SEGMENTS = env_int("LAPOR_SMS_ANSWER_SEGMENTS", 3)
LAPOR_LINK_RESEND_PER_DAY = env_int("LAPOR_LINK_RESEND_PER_DAY", 3)
# Emerging-issue alerts to agency admins and overseers: how often the check runs (seconds).
LAPOR_ALERTS_SECONDS = env_int("LAPOR_ALERTS_SECONDS", 3600)
# Background jobs (exports, monthly PDFs, open-data rebuilds, retraining started by hand: lapor.analytics.jobs):
# files kept this many days, exports answered inside a request only up to this many rows, jobs at once per user,
# job threads per process when there is no broker.
LAPOR_EXPORT_KEEP_DAYS = env_int("LAPOR_EXPORT_KEEP_DAYS", 7)
LAPOR_EXPORT_SYNC_MAX_ROWS = env_int("LAPOR_EXPORT_SYNC_MAX_ROWS", 5000)
LAPOR_EXPORT_MAX_ROWS = env_int("LAPOR_EXPORT_MAX_ROWS", 2_000_000)
LAPOR_JOBS_PER_USER = env_int("LAPOR_JOBS_PER_USER", 3)
LAPOR_JOBS_THREADS = env_int("LAPOR_JOBS_THREADS", 1)
LAPOR_JOBS_NICE = env_int("LAPOR_JOBS_NICE", 10)  # a job thread's niceness beside the web workers
LAPOR_SCHEDULER_NICE = env_int("LAPOR_SCHEDULER_NICE", 10)  # `lapor serve`'s periodic-job process
LAPOR_OUTBOX_MAX_ATTEMPTS = env_int("LAPOR_OUTBOX_MAX_ATTEMPTS", 8)  # then a dead letter
LAPOR_OUTBOX_BACKOFF_SECONDS = env_int("LAPOR_OUTBOX_BACKOFF_SECONDS", 30)  # doubled per attempt
LAPOR_IMAP_POLL_SECONDS = env_int("LAPOR_IMAP_POLL_SECONDS", 120)

# Routing models retrain from the handled reports every this many seconds (weekly by default); a new
# model replaces the current one only if it is at least as good on the newest held-out reports.
LAPOR_ROUTING_RETRAIN_SECONDS = env_int("LAPOR_ROUTING_RETRAIN_SECONDS", 7 * 86400)

# --- Periodic jobs: every one of them (Celery beat with a broker, `lapor serve`'s scheduler without) ---
# Each is idempotent across workers; intervals in seconds. The table: docs/architecture.md.
CELERY_BEAT_SCHEDULE = {
    "reports-sweep": {"task": "lapor.reports.tasks.sweep", "schedule": env_int("LAPOR_SWEEP_SECONDS", 900)},
    "routing-retrain": {"task": "lapor.routing.tasks.retrain", "schedule": LAPOR_ROUTING_RETRAIN_SECONDS},
    "notifications-outbox-flush": {
        "task": "lapor.notifications.tasks.outbox_flush",
        "schedule": env_int("LAPOR_OUTBOX_FLUSH_SECONDS", 60),
    },
    "notifications-daily": {
        "task": "lapor.notifications.tasks.daily",
        "schedule": 3600.0,
    },  # idempotent; hourly is fine
    "analytics-alerts": {
        "task": "lapor.analytics.tasks.alerts",  # once a day per alert anyway
        "schedule": LAPOR_ALERTS_SECONDS,
    },
    "analytics-refresh": {
        "task": "lapor.analytics.tasks.refresh",
        "schedule": env_int("LAPOR_ANALYTICS_REFRESH_SECONDS", 900),
    },
    "analytics-refresh-full": {"task": "lapor.analytics.tasks.refresh", "schedule": 86400, "kwargs": {"full": True}},
    "analytics-opendata": {"task": "lapor.analytics.tasks.opendata", "schedule": 86400},
    "analytics-jobs-sweep": {
        "task": "lapor.analytics.tasks.jobs_sweep",
        "schedule": env_int("LAPOR_JOBS_SWEEP_SECONDS", 300),
    },
    "analytics-monthly-pdfs": {"task": "lapor.analytics.tasks.monthly_pdfs", "schedule": 86400},
}
# When a job last ran, read from what it left behind (`lapor scheduler`: a restart does not redo daily work)
LAPOR_JOB_EVIDENCE = {
    "analytics-refresh": "lapor.analytics.schedule.refresh_last",
    "analytics-refresh-full": "lapor.analytics.schedule.refresh_full_last",
    "analytics-opendata": "lapor.analytics.schedule.opendata_last",
    "analytics-monthly-pdfs": "lapor.analytics.schedule.monthly_pdfs_last",
    "routing-retrain": "lapor.routing.schedule.retrain_last",
}

# --- Domain configuration --------------------------------------------------------
# Working-day deadlines; per-agency overrides live on the agency.
LAPOR_DEADLINES = {
    "verify": env_int("LAPOR_DEADLINE_VERIFY_DAYS", 3),
    "follow_up": env_int("LAPOR_DEADLINE_FOLLOW_UP_DAYS", 5),
    "reply": env_int("LAPOR_DEADLINE_REPLY_DAYS", 10),
    "complete": env_int("LAPOR_DEADLINE_COMPLETE_DAYS", 60),
}
# Escalate to the platform when still overdue this many working days after the first escalation.
LAPOR_ESCALATE_PLATFORM_AFTER_DAYS = env_int("LAPOR_ESCALATE_PLATFORM_AFTER_DAYS", 2)
# The official calendar from the `holidays` package: "public" (national holidays) and "government"
# (cuti bersama, the collective leave days of the joint ministerial decree, SKB).
LAPOR_HOLIDAY_CATEGORIES = tuple(env_list("LAPOR_HOLIDAY_CATEGORIES", "public,government"))
# Further leave days by decree on top of the official calendar, ISO dates (CalendarDay rows too).
LAPOR_LEAVE_DAYS = env_list("LAPOR_LEAVE_DAYS")
# Answers that answer (reports/answers.py): a follow-up nearly identical to this many earlier answers
# of the agency (to other reports) is flagged as boilerplate.
LAPOR_ANSWER_BOILERPLATE_MIN = env_int("LAPOR_ANSWER_BOILERPLATE_MIN", 5)
LAPOR_MAX_UPLOAD_BYTES = env_int("LAPOR_MAX_UPLOAD_MB", 10) * 1024 * 1024
LAPOR_MAX_ATTACHMENTS = env_int("LAPOR_MAX_ATTACHMENTS", 5)
# Whole request body cap, checked on Content-Length before reading (lapor.core.bodylimit): every
# attachment at its maximum plus 1 MB of form fields, unless set.
LAPOR_MAX_REQUEST_BYTES = (
    env_int("LAPOR_MAX_REQUEST_MB", 0) * 1024 * 1024 or LAPOR_MAX_UPLOAD_BYTES * LAPOR_MAX_ATTACHMENTS + 1024 * 1024
)
CSRF_FAILURE_VIEW = "lapor.web.views.errors.csrf_failure"  # the submit form gives back what was typed
# The error answer the core middleware give (413, 503): the site's page, JSON under /api/ (core knows no web)
LAPOR_ERROR_RESPONSE = "lapor.web.views.errors.error_response"
# Imported by `lapor serve` before forking the web workers (shared, copy-on-write)
LAPOR_SERVE_PRELOAD = ["lapor.routing.ml.model"]
LAPOR_PUBLIC_URL = os.environ.get("LAPOR_PUBLIC_URL") or "http://127.0.0.1:8000"
# `lapor serve` derives the public URL from its address unless LAPOR_PUBLIC_URL was given
LAPOR_PUBLIC_URL_GIVEN = bool(os.environ.get("LAPOR_PUBLIC_URL", "").strip())
LAPOR_REPORT_URL_TEMPLATE = "{public_url}/lacak/{tracking_id}/"  # the link in notifications
LAPOR_WEB_WORKERS = env_int("LAPOR_WEB_WORKERS", 2)  # `lapor serve`: gunicorn workers …
LAPOR_WEB_THREADS = env_int("LAPOR_WEB_THREADS", 3)  # … and threads per worker
# Pages ignore the browser's Accept-Language (Indonesian unless chosen); 1 honours it again.
LAPOR_WEB_BROWSER_LANGUAGE = env_bool("LAPOR_WEB_BROWSER_LANGUAGE", False)
LAPOR_DEMO_WORKERS = env_int("LAPOR_DEMO_WORKERS", 0)  # `lapor demo load` processes; 0: one per CPU
# `lapor setup` refuses a database that holds the demo's accounts; this lists them (accounts knows no demo)
LAPOR_DEMO_ACCOUNTS_PRESENT = "lapor.demo.load.demo_accounts_present"
# Where a lower room asks a higher one (lapor.core.hooks.hook; docs/architecture.md, "Import direction"):
# the name it asks by, and the function that answers. No room imports a room above it.
LAPOR_HOOKS = {
    # api (bearer tokens) → accounts
    "api_token_authenticate": "lapor.accounts.selectors.api_token_authenticate",
    # agencies (its admin's writes, the routing-rule endpoint) → accounts: who administers
    "agency_admin_required": "lapor.accounts.selectors.user_require_agency_admin",
    "platform_admin": "lapor.accounts.selectors.user_is_platform_admin",
    # accounts (activation, password reset, enrolment mails) → notifications' outbox
    "outbox_enqueue": "lapor.notifications.services.outbox_enqueue",
    # accounts (the admin's delete page of an account) → reports: the anonymous reports it must not name
    "anonymous_tracking_ids": "lapor.reports.selectors.report_tracking_ids_anonymous",
    # reports (filing and routing a report) → routing: the spam check, the model's choice, its live score
    "abuse_flags": "lapor.routing.abuse.abuse_flags",
    "abuse_flags_save": "lapor.routing.abuse.abuse_flags_save",
    "routing_auto_choice": "lapor.routing.suggest.routing_auto_choice",
    "routing_decision": "lapor.routing.suggest.routing_decision",
    # notifications (sending a webhook) → partners: the current address of the partner or peer it is for
    "webhook_address": "lapor.partners.deliveries.webhook_address_current",
}
LAPOR_IDEMPOTENCY_HOURS = 48  # an Idempotency-Key is remembered this long
LAPOR_FLOOD_PER_HOUR = 10  # reports from one contact per hour before the spam check holds them
LAPOR_AUTOROUTE = env_bool("LAPOR_AUTOROUTE", True)  # route on arrival when the model is confident
LAPOR_ROUTING_MIN_HISTORY = env_int("LAPOR_ROUTING_MIN_HISTORY", 200)  # routed reports before the model trains
# reports received since the current model was trained before a retrained one is compared with it
LAPOR_ROUTING_MIN_COMPARE = env_int("LAPOR_ROUTING_MIN_COMPARE", 20)
# calibrated confidence under which a model suggestion is a guess: not offered as a one-tap button, and a
# person's taking it is not counted as the model's top-1 (docs/routing-ml.md, "Suggestion floor")
LAPOR_ROUTING_SUGGEST_FLOOR = float(os.environ.get("LAPOR_ROUTING_SUGGEST_FLOOR", "0.2"))
LAPOR_ANALYTICS_GRADES: dict = {}  # Baik/Sedang/Kurang thresholds over analytics.selectors.DEFAULT_GRADES
LAPOR_OPENDATA_DIR = DATA_DIR / "opendata"
LAPOR_RATELIMIT_CACHE = "default"  # the CACHES alias the rate limits count in

# --- Channels and partners (docs/channels.md, docs/api.md) --------------------------------------
# Outbound: e-mail (SMTP), SMS gateway, webhooks. Empty: development writes to DATA_DIR/outbox/,
# production fails and retries (lapor.notifications.senders).
LAPOR_SMTP_HOST = os.environ.get("LAPOR_SMTP_HOST", "")  # empty: EMAIL_HOST
LAPOR_SMTP_PORT = os.environ.get("LAPOR_SMTP_PORT", "")  # empty: EMAIL_PORT
LAPOR_SMTP_USER = os.environ.get("LAPOR_SMTP_USER", "")
LAPOR_SMTP_PASSWORD = os.environ.get("LAPOR_SMTP_PASSWORD", "")
LAPOR_SMTP_TLS = os.environ.get("LAPOR_SMTP_TLS", "0")
LAPOR_EMAIL_FROM = os.environ.get("LAPOR_EMAIL_FROM") or "LAPOR! <noreply@lapor.invalid>"
LAPOR_SMS_GATEWAY_URL = os.environ.get("LAPOR_SMS_GATEWAY_URL", "")
LAPOR_SMS_GATEWAY_TOKEN = os.environ.get("LAPOR_SMS_GATEWAY_TOKEN", "")
LAPOR_SMS_SENDER_ID = os.environ.get("LAPOR_SMS_SENDER_ID") or "1708"
LAPOR_WEBHOOK_SECRET = os.environ.get("LAPOR_WEBHOOK_SECRET", "")  # a subscription without its own secret
# Webhooks (partners, peers) to plain http:// and internal addresses (loopback, 10/8, 169.254/16…):
# refused unless 1 (default: DEBUG; development and test servers on loopback; lapor.core.addresses).
LAPOR_WEBHOOK_ALLOW_PRIVATE = env_bool("LAPOR_WEBHOOK_ALLOW_PRIVATE", DEBUG)  # DEBUG is off in production
# Inbound: the gateways sign their webhooks with these (lapor.intake.signing); unset: the door is closed.
LAPOR_SMS_SECRET = os.environ.get("LAPOR_SMS_SECRET", "")
LAPOR_EMAIL_SECRET = os.environ.get("LAPOR_EMAIL_SECRET", "")
LAPOR_SOCIAL_SECRET = os.environ.get("LAPOR_SOCIAL_SECRET", "")  # every network without its own below
LAPOR_SOCIAL_SECRET_X = os.environ.get("LAPOR_SOCIAL_SECRET_X", "")
LAPOR_SOCIAL_SECRET_TWITTER = os.environ.get("LAPOR_SOCIAL_SECRET_TWITTER", "")
LAPOR_SOCIAL_SECRET_INSTAGRAM = os.environ.get("LAPOR_SOCIAL_SECRET_INSTAGRAM", "")
LAPOR_SOCIAL_SECRET_FACEBOOK = os.environ.get("LAPOR_SOCIAL_SECRET_FACEBOOK", "")
LAPOR_SOCIAL_REPLY_URLS: dict = {}  # network -> the URL a staff reply to a social post is sent to
LAPOR_SOCIAL_REPLY_SECRET = os.environ.get("LAPOR_SOCIAL_REPLY_SECRET", "")
LAPOR_SMS_KEYWORDS: dict = {}  # extra SMS keywords over lapor.intake.sms.KEYWORDS
# The mailbox polled for reports sent by e-mail (the "intake-imap-poll" job runs only when it is set).
LAPOR_IMAP_HOST = os.environ.get("LAPOR_IMAP_HOST", "")
LAPOR_IMAP_SSL = os.environ.get("LAPOR_IMAP_SSL") or "1"
LAPOR_IMAP_PORT = os.environ.get("LAPOR_IMAP_PORT", "")  # empty: 993 with SSL, else 143
LAPOR_IMAP_USER = os.environ.get("LAPOR_IMAP_USER", "")
LAPOR_IMAP_PASSWORD = os.environ.get("LAPOR_IMAP_PASSWORD", "")
LAPOR_IMAP_FOLDER = os.environ.get("LAPOR_IMAP_FOLDER") or "INBOX"
if LAPOR_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["intake-imap-poll"] = {
        "task": "lapor.intake.tasks.imap_poll",
        "schedule": LAPOR_IMAP_POLL_SECONDS,
    }
# Open311 GeoReport v2 and federation with other LAPOR instances (lapor.partners).
LAPOR_OPEN311_JURISDICTION = os.environ.get("LAPOR_OPEN311_JURISDICTION") or "lapor"
LAPOR_OPEN311_MAX_REQUESTS = env_int("LAPOR_OPEN311_MAX_REQUESTS", 1000)
LAPOR_OPEN311_CONTACT = os.environ.get("LAPOR_OPEN311_CONTACT", "")
LAPOR_FEDERATION_ID = os.environ.get("LAPOR_FEDERATION_ID") or "lapor"

# --- WhatsApp Business Platform, Cloud API (docs/channels.md) ---------------------
# The channel is on only when the token, the phone number id, the verify token and the app secret
# are all set; otherwise /intake/whatsapp answers 404 (none set) or 503 (some missing).
LAPOR_WHATSAPP_TOKEN = os.environ.get("LAPOR_WHATSAPP_TOKEN", "")  # system-user access token
LAPOR_WHATSAPP_PHONE_NUMBER_ID = os.environ.get("LAPOR_WHATSAPP_PHONE_NUMBER_ID", "")
LAPOR_WHATSAPP_VERIFY_TOKEN = os.environ.get("LAPOR_WHATSAPP_VERIFY_TOKEN", "")  # webhook subscription check
LAPOR_WHATSAPP_APP_SECRET = os.environ.get("LAPOR_WHATSAPP_APP_SECRET", "")  # X-Hub-Signature-256 key
LAPOR_WHATSAPP_API_BASE = (os.environ.get("LAPOR_WHATSAPP_API_BASE") or "https://graph.facebook.com/v21.0").rstrip("/")
# Approved message template used outside the 24-hour customer-service window: body {{1}} = tracking
# id, {{2}} = the update (one line).
LAPOR_WHATSAPP_TEMPLATE = os.environ.get("LAPOR_WHATSAPP_TEMPLATE", "lapor_pembaruan_laporan")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_error_one_line": {"()": "lapor.core.logfilters.ClientErrorOneLine"}},
    # a 403 (or any 4xx: django.request, django.security.*) is one line, not a traceback
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_error_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LAPOR_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

"""Khối Portal settings: one module, every option an environment variable with a development
default. Values are parsed strictly (khoi_portal.lib.env); README.md lists every variable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from khoi_portal.lib.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-khoi-portal-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rules",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "blocs",
    "documents",
    "covenants",
    "scoring",
    "awards",
    "meetings",
    "audit",
    "khoi_portal.outbox",
    "khoi_portal.freshness",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any page: the secretariat, leaders and the ministry office pass the second step.
    "blocs.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "khoi_portal.outbox.middleware.QueueStatusMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during the request into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khoi_portal.urls"
WSGI_APPLICATION = "khoi_portal.wsgi.application"
ASGI_APPLICATION = "khoi_portal.asgi.application"

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
                "khoi_portal.context_processors.portal",
            ],
            # A misspelt variable must fail loudly in tests, not render as "".
            "string_if_invalid": env_str("TEMPLATE_STRING_IF_INVALID", ""),
        },
    }
]

# --- Database: SQLite by default, PostgreSQL (psycopg 3) with DATABASE_URL -----------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "blocs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt while the username + address pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
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

# --- Language: Vietnamese first, English second --------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside any public URL: they are served only through permission-checked views.
# Nothing serves MEDIA_URL; it is set so that no file name could ever resolve at the site root.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail (Django 6.1 MAILERS) -------------------------------------------------------------
# EMAIL_HOST empty: mail is printed to the console (development). Set it to send through SMTP.
EMAIL_HOST = env_str("EMAIL_HOST", "")
_SMTP_OPTIONS = {
    "host": EMAIL_HOST,
    "port": env_int("EMAIL_PORT", 25, minimum=1),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
}
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _SMTP_OPTIONS}
    if EMAIL_HOST
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Khối Portal <no-reply@khoi-portal.local>")

# --- Cache: the busiest pages' fragments (khoi_portal.pagecache) ---------------------------
# CACHE_URL empty: each process keeps its own in memory (right for the single development
# server). Set it to a Redis URL so gunicorn workers share one; a cache that is down only makes
# pages render uncached. Keys hold the data's freshness tokens, so nothing stale is ever served.
_CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": "khoi",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if _CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "khoi-portal"}
}
PAGE_CACHE_ALIAS = "default"
# Longest life of a cached fragment: what changes with the clock alone (a deadline passing)
# shows after at most this long; 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 120, minimum=0)

# --- Celery: in-process without a broker, Redis with one ------------------------------------
_BROKER = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not _BROKER
# Eager mode never talks to a broker; "memory://" just keeps kombu from looking for one.
CELERY_BROKER_URL = _BROKER or "memory://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", _BROKER) or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Sheets lock by themselves at the deadline (checked every five minutes).
    "scoring-lock-overdue": {"task": "scoring.tasks.lock_overdue_sheets", "schedule": 300.0},
    # Reminder e-mails, once a day; a second run the same day sends nothing.
    "scoring-reminders": {"task": "scoring.tasks.send_reminders", "schedule": 3600.0 * 6},
    # Tasks the broker could not take when they were asked for (khoi_portal.outbox).
    "outbox-flush": {"task": "khoi_portal.outbox.tasks.flush_outbox", "schedule": 60.0},
    # Conference registration reminders in office hours; the first run of the day sends, later
    # ones (a worker that was down at 8:00) send only what is still unsent that day.
    "meetings-registration-reminders": {
        "task": "meetings.tasks.remind_due_registrations",
        "schedule": crontab(minute=0, hour="8-11"),
    },
}
# Units that have not answered a conference invitation are reminded each day during this many
# days before its registration deadline (0: only the secretariat's button sends reminders).
MEETING_REMINDER_DAYS = env_int("MEETING_REMINDER_DAYS", 3, minimum=0)

# --- Security ------------------------------------------------------------------------------
# Behind a TLS-terminating reverse proxy, the only way in: trust its X-Forwarded-Proto (HTTPS
# redirect, HSTS, secure cookies) and X-Forwarded-For (the client address login throttling
# counts, blocs.lockout.client_ip). Off, both headers are ignored: anyone could forge them.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"

# Django 6 Content Security Policy: no inline script or style anywhere in the portal.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Login throttling (django-axes) and two-factor authentication (django-otp) -------------
# Failed sign-ins (password or second-step code) are counted per user name *and* address, so a
# guesser cannot lock a colleague out from elsewhere; the count is in the database, shared by
# every worker. The ministry office unlocks early from the account page or the admin.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Not on the password alone: blocs.lockout.sign_in_completed forgets the failures once both
# steps passed, or a guesser who knows the password could reset the count between code guesses.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "blocs.lockout.lockout_response"  # Vietnamese page, status 429
AXES_CLIENT_IP_CALLABLE = "blocs.lockout.client_ip"
# Successful sign-ins (AccessLog) and every failure (AccessFailureLog) feed the audit log.
AXES_DISABLE_ACCESS_LOG = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Kept out of the stored request data (the password always is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "csrfmiddlewaretoken"]
AXES_VERBOSE = False  # no start-up banner on standard output (manage.py commands print there)

# Two-factor authentication is required of the secretariat, leaders and the ministry office.
# Only a development portal (DEBUG on, e.g. `make run`'s demo) may relax it; accounts that
# enrolled anyway are still asked for their code.
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
if not DEBUG and not OTP_REQUIRED:
    raise ImproperlyConfigured("OTP_REQUIRED can be turned off only while DEBUG is on")
OTP_TOTP_ISSUER = "Khối Portal"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows an authenticator's secret
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_TOTP_THROTTLE_FACTOR = 1

# --- The organisation certificate that seals covenants (PAdES), and trusted roots ------------
# `make run` creates a development CA and certificate here (manage.py make_dev_certificate).
PORTAL_PKI_DIR = Path(env_str("PORTAL_PKI_DIR", str(BASE_DIR / "var" / "pki")))
PORTAL_SIGNING_P12 = env_str("PORTAL_SIGNING_P12", str(PORTAL_PKI_DIR / "portal-signing.p12"))
PORTAL_SIGNING_P12_PASSWORD = env_str("PORTAL_SIGNING_P12_PASSWORD", "khoi-portal-dev")
# Roots a unit's own signing certificate (its USB token) must chain to.
COVENANT_TRUST_ROOTS = env_list("COVENANT_TRUST_ROOTS", [str(PORTAL_PKI_DIR / "dev-ca.pem")])

# Demo accounts (load_demo) share one password, which only works while DEBUG is on.
DEMO_PASSWORD = "KhoiPortal@2021"

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    # WeasyPrint reports every rendering step at INFO; keep its warnings (blocked URLs) only.
    # django-axes logs every sign-in at INFO (they are in its access log): keep failures only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

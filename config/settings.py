"""Partnerskap settings. Every deployment difference is an environment variable (see README)."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

_SMTP = "django.core.mail.backends.smtp.EmailBackend"


class Env(environ.Env):
    """django-environ with this project's words: its true values, and the EMAIL_URL schemes the
    README lists (smtps is TLS from the start on 465, submission STARTTLS on 587). Plain strings
    are read with os.environ: django-environ takes a value that starts with $ for the name of
    another variable, and a secret key may well start with $."""

    BOOLEAN_TRUE_STRINGS = ("1", "true", "yes", "on")
    EMAIL_SCHEMES = {
        "smtp": _SMTP,
        "smtps": _SMTP,
        "submission": _SMTP,
        "file": "worker.eml_backend.EmailBackend",  # one .eml file per message
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }


env = Env()


def env_list(name: str, default: str) -> list[str]:
    return [item for item in env.list(name, cast=str.strip, default=default.split(",")) if item]


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    # Development only: a key generated once per checkout, never committed.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
SITE_URL = os.environ.get(
    "SITE_URL", "http://localhost:%s" % os.environ.get("PORT", "8000")
).rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp.plugins.otp_totp",  # the second factor of local accounts (partners/signin/)
    "worker",
    "api",
    "partners",
    "events",
    "invitations",
    "calls",
    "personaldata",
    "feedback",
]

MIDDLEWARE = [
    "config.security_headers.SecurityHeadersMiddleware",  # CSP and Permissions-Policy
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # config/middleware.py: Django's session, user and message middleware, passed over for
    # the API (token-only, no session, no messages).
    "config.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.AuthenticationMiddleware",
    "config.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _conn_max_age() -> int | None:
    """Seconds a connection is reused; "none" keeps it for ever, 0 opens one per request."""
    value = os.environ.get("DATABASE_CONN_MAX_AGE", os.environ.get("CONN_MAX_AGE", "60"))
    return None if value.strip().lower() in {"none", "unlimited"} else int(value)


def _prepare_threshold() -> int | None:
    """Executions of a statement on a connection before psycopg prepares it; "none": never."""
    value = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")
    return None if value.strip().lower() in {"none", "off", ""} else int(value)


# Connections are reused (DESIGN, Environment): opening a PostgreSQL connection cost about
# 10 ms of CPU, and one per request held the registration API at 114-143 registrations/s
# against about 450/s with reused ones (issue 10). Each gunicorn thread keeps its own
# connection, so their number stays bounded by workers x threads without a pool (psycopg's
# pool would add a dependency and a checkout per request, and buys nothing at a fixed thread
# count); the health check (when a request first uses the database) replaces a connection
# PostgreSQL dropped, say after a restart, instead of failing that request. On PostgreSQL it
# looks at the connection's socket and asks the server (SELECT 1) only when the server has
# said something since the last answer: config/postgresql/base.py.
DATABASES = {
    "default": {
        **env.db_url_config(
            os.environ.get("DATABASE_URL") or "sqlite:///%s" % (VAR_DIR / "partnerskap.sqlite3")
        ),
        "CONN_MAX_AGE": _conn_max_age(),
        "CONN_HEALTH_CHECKS": env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True),
    }
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding sends the statement and its values apart (Django binds client-side
    # by default, so PostgreSQL parsed and planned every statement anew), and psycopg prepares
    # a statement once it has run this often on a connection: the hot path's statements are
    # then planned once per connection. Behind PgBouncer in transaction mode this needs
    # max_prepared_statements (PgBouncer >= 1.21), or DATABASE_PREPARE_THRESHOLD=none.
    # Django's backend with a health check that sends nothing while the connection is fine
    # (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": env.bool("DATABASE_SERVER_SIDE_BINDING", default=True),
        "prepare_threshold": _prepare_threshold(),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing, and take it at BEGIN.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["partners.signin.oidc.OrganiserBackend"]  # passwords; OIDC: conf.py
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "partners:organiser_home"
LOGOUT_REDIRECT_URL = "partners:home"
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Oslo")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (answers' attachments, events' documents): outside the static tree, never served by
# URL, handed out as downloads to those who may see them (events/uploads.py, DESIGN rule 12).
PRIVATE_UPLOAD_ROOT = Path(os.environ.get("PRIVATE_UPLOAD_ROOT", VAR_DIR / "private"))
# Slides with photos run to 15-20 MB (larger: a link); read whole to be checked, so bounds memory.
EVENT_DOCUMENT_MAX_BYTES = env.int("EVENT_DOCUMENT_MAX_BYTES", default=25 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "events.uploads.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email -----------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Partnerskap <partnerskap@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The emails' layout (events/email_layout.py). EMAIL_LOGO: a PNG, JPEG or GIF file embedded in
# every message as an inline part (never loaded from a server); unset, the host's name is text.
# PRIVACY_URL: one privacy notice elsewhere for every footer; unset, each host's own notice.
EMAIL_LOGO = os.environ.get("EMAIL_LOGO", "")
PRIVACY_URL = os.environ.get("PRIVACY_URL", "")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
_email_url = env.url("EMAIL_URL", default="")
if _email_url.scheme:
    if _email_url.scheme not in Env.EMAIL_SCHEMES:
        raise RuntimeError("EMAIL_URL scheme must be %s" % ", ".join(Env.EMAIL_SCHEMES))
    _email = Env.email_url_config(_email_url)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    if EMAIL_BACKEND == _SMTP:
        EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
        EMAIL_PORT = _email["EMAIL_PORT"] or {"smtps": 465, "submission": 587}.get(
            _email_url.scheme, 25
        )
        EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
        EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
        EMAIL_USE_SSL = _email_url.scheme == "smtps"
        EMAIL_USE_TLS = _email_url.scheme == "submission" or _email.get("OPTIONS", {}).get(
            "TLS"
        ) in (1, "1")
    elif _email_url.scheme == "file":
        # The path as written (django-environ drops its first character, for URLs like
        # filemail://folder).
        EMAIL_FILE_PATH = _email_url.path
else:
    # One .eml file per message (RFC 5322), which any mail client opens.
    EMAIL_BACKEND = "worker.eml_backend.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Celery ----------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than any retry countdown, so Redis never re-delivers a task that is merely
        # waiting.
        "visibility_timeout": 3 * 3600,
        # Kombu waits for ever by default: a Redis that accepts connections and never answers
        # held every request that published a task. Above kombu's 1 s BRPOP timeout.
        "socket_timeout": 2.0,
        "socket_connect_timeout": 1.0,
    }
    CACHES = {
        "default": {
            **env.cache_url_config(REDIS_URL),
            # Redis answers in well under a millisecond: a dead or hung one costs a request half
            # a second at most (redis-py's default is 5 s), and the rate limits step aside
            # (api/throttling.py).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Embedded broker: Kombu's filesystem transport, so `make run` has a real worker without Redis.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # The exchange tables (Kombu's default is ./control, in whatever directory runs).
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One retry: enough for a pooled connection that went stale when Redis restarted. Celery's
# three only multiply the socket timeouts of a hung Redis; the outbox sweep re-enqueues rows
# whose task could not be published.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "events-expire-offers": {"task": "events.expire_offers", "schedule": 300.0},
    # Re-enqueue outbox rows a broker outage or a killed worker left behind (worker/services.py).
    "sweep-outbox": {
        "task": "worker.sweep_outbox",
        "schedule": 60.0,
        "options": {"queue": "default", "expires": 60},
    },
    "invitations-start-due-sendouts": {"task": "invitations.start_due_sendouts", "schedule": 60.0},
    "invitations-send-reminders": {"task": "invitations.send_reminders", "schedule": 900.0},
    # Calls for input: invitees who have not answered (calls/services/invitations.py).
    "calls-send-reminders": {"task": "calls.send_reminders", "schedule": 900.0},
    # Calls' send-outs the broker never got, or that stopped moving (calls/services/sendouts.py).
    "calls-start-due-sendouts": {
        "task": "calls.start_due_sendouts",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # Calendar answers the mailbox recorded but a killed worker did not apply
    # (invitations/services/calendar_answers.py).
    "invitations-apply-inbound-replies": {
        "task": "invitations.apply_pending_replies",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "feedback-send-surveys": {"task": "feedback.send_due_surveys", "schedule": 300.0},
    # Personal data past its retention period (events/services/retention.py), once a day.
    "apply-retention": {"task": "invitations.apply_retention", "schedule": 24 * 3600.0},
}
# The mailbox replies and bounces come back to (worker/mailbox.py), imap://user:password@host:port/
# INBOX or imaps://...; unset, nothing is read.
INBOUND_MAIL_URL = os.environ.get("INBOUND_MAIL_URL", "")
INBOUND_MAIL_POLL_SECONDS = env.float("INBOUND_MAIL_POLL_SECONDS", default=60.0)
if INBOUND_MAIL_URL:
    if env.url("INBOUND_MAIL_URL").scheme not in ("imap", "imaps"):
        raise RuntimeError("INBOUND_MAIL_URL scheme must be imap or imaps")
    CELERY_BEAT_SCHEDULE["poll-mailbox"] = {
        "task": "worker.poll_mailbox",
        "schedule": INBOUND_MAIL_POLL_SECONDS,
        "options": {"queue": "default", "expires": INBOUND_MAIL_POLL_SECONDS},
    }
# XOAUTH2 instead of the password (worker/oauth.py): with a token URL, the mailbox logs in as the
# user in INBOUND_MAIL_URL with a token from the OAuth 2.0 client-credentials grant (Microsoft
# 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token).
INBOUND_MAIL_OAUTH_TOKEN_URL = os.environ.get("INBOUND_MAIL_OAUTH_TOKEN_URL", "")
INBOUND_MAIL_OAUTH_CLIENT_ID = os.environ.get("INBOUND_MAIL_OAUTH_CLIENT_ID", "")
INBOUND_MAIL_OAUTH_CLIENT_SECRET = os.environ.get("INBOUND_MAIL_OAUTH_CLIENT_SECRET", "")
# Google Workspace instead (worker/service_account.py): the path to the service account's JSON key
# file; its token comes from the JWT-bearer grant in the name of INBOUND_MAIL_URL's user (domain-
# wide delegation). The two ways exclude each other.
INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE = os.environ.get(
    "INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE", ""
)
INBOUND_MAIL_OAUTH_SCOPE = os.environ.get("INBOUND_MAIL_OAUTH_SCOPE", "") or (
    "https://mail.google.com/"
    if INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE
    else "https://outlook.office365.com/.default"
)
from worker.oauth import settings_problem as _oauth_settings_problem  # noqa: E402

if _problem := _oauth_settings_problem(
    token_url=INBOUND_MAIL_OAUTH_TOKEN_URL,
    client_id=INBOUND_MAIL_OAUTH_CLIENT_ID,
    client_secret=INBOUND_MAIL_OAUTH_CLIENT_SECRET,
    service_account_file=INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE,
):
    raise RuntimeError(_problem)

# Security --------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# The admin shows no one's TOTP secret (django-otp's config and QR pages answer 403).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # TLS ends at the proxy in front (docker-compose.yml: Caddy), which sets X-Forwarded-Proto
    # and drops a client's own; gunicorn is reachable only through it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A health probe speaks plain HTTP to gunicorn (Docker's HEALTHCHECK, a load balancer): it
    # must get the health answer, not a redirect to https.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is hard to undo (browsers ship the list; removal takes months): only when the
    # operator asks for it. Without it check --deploy warns (W021) about exactly that choice.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Domain defaults -------------------------------------------------------------------------------
ORGANISER_MAILBOX = os.environ.get("ORGANISER_MAILBOX", "partnerskap@localhost")
SPECIAL_NEEDS_RETENTION_DAYS = env.int("SPECIAL_NEEDS_RETENTION_DAYS", default=30)
DATA_ACCESS_LOG_RETENTION_DAYS = env.int("DATA_ACCESS_LOG_RETENTION_DAYS", default=365)
# The county's accessibility statement on uustatus.no, linked from the site's own.
ACCESSIBILITY_STATEMENT_URL = env.str("ACCESSIBILITY_STATEMENT_URL", default="https://uustatus.no/")

# API -------------------------------------------------------------------------------------------
# Public POSTs (registering, resending a personal link): requests per client address and period.
API_PUBLIC_WRITE_RATE = os.environ.get("API_PUBLIC_WRITE_RATE", "10/m")
# Proxies in front of gunicorn whose X-Forwarded-For is trusted for the client address.
API_NUM_PROXIES = env.int("API_NUM_PROXIES", default=0)

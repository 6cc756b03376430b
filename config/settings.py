"""Rapport's settings, read from the environment (see .env.example and the README)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.env import Env
from config.logs import logging_config

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the embedded default writes (SQLite file, mail, broker queue, private files).
VAR_DIR = Path(env.str("RAPPORT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", True)

if DEBUG:
    SECRET_KEY = env.str(
        "SECRET_KEY", "insecure-development-key-never-use-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

# Keys that encrypt responders' answers, messages and contact details at rest. The first key
# encrypts; every key decrypts, so a new key goes first and old ones stay until rotated out.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"fields:{SECRET_KEY}".encode()).digest()).decode()
    ]
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "Each FIELD_ENCRYPTION_KEYS entry must be a Fernet key; make one with: "
            "python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None

SITE_URL = env.url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "config.apps.RapportAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",
    "profiles",
    "alliance",
    "matching",
    # Development-only: demo data, benchmarks and the delivery drill. Installed everywhere so
    # `make run` can seed and the tests can use it; no product module imports it.
    "devtools",
]

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",
    "config.middleware.ServiceUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.session_limits",
            ],
        },
    },
]

FORM_RENDERER = "config.forms.RapportFormRenderer"

# Database: PostgreSQL from DATABASE_URL, otherwise an embedded SQLite file.
if env.is_set("DATABASE_URL"):
    database_url = env.url(
        "DATABASE_URL", None, schemes=("postgres", "postgresql", "pgsql", "sqlite")
    )
    DATABASES = {
        "default": dj_database_url.parse(
            database_url,
            conn_max_age=env.int("DB_CONN_MAX_AGE", 600, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "rapport.sqlite3",
            "OPTIONS": {
                # The web process and the Celery worker share the file: wait for locks
                # instead of failing, and take the write lock when a transaction starts.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: the role web, worker and beat connect as when it is not the tables' owner.
# `migrate` runs as the owner and then grants this role every table, except the audit
# trail, which it may only read and add to (see the README, "Database roles").
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", "")

# Cache: Redis when REDIS_URL is set (shared by every process), otherwise in-process memory.
REDIS_URL = env.url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rapport",
            # A Redis that is down answers at once; one that hangs must not hold a request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are read from Redis, and written through to the database so none is lost;
    # both hold them encrypted (config/encrypted_cached_db.py).
    SESSION_ENGINE = "config.encrypted_cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Production (DEBUG off) refuses to start without Redis, a broker and an SMTP host (the
# system checks in config/checks.py) unless these say the embedded stand-in is meant: a
# cache per process, kombu's file queue on this machine, emails written as files.
ALLOW_LOCAL_CACHE = env.bool("ALLOW_LOCAL_CACHE", False)
ALLOW_FILESYSTEM_BROKER = env.bool("ALLOW_FILESYSTEM_BROKER", False)
ALLOW_FILE_EMAIL = env.bool("ALLOW_FILE_EMAIL", False)

AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, verified before use; no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's default rate limits (sign-up, reset, confirmation) stay on, with changes:
# each email address may be signed up for at most three times an hour, and failed logins
# are limited to 10 a minute per client address, 5 a minute per account and
# LOGIN_FAILED_PER_ACCOUNT_PER_DAY a day per account (in any 24 hours). The minute limit
# makes guessing slow; the day limit caps it (5 a minute alone is 7,200 guesses a day) at
# the cost of pausing password sign-in for an account under attack: its owner is emailed
# when that happens, and a password reset lifts the pause at once (README, Security).
LOGIN_FAILED_PER_ACCOUNT_PER_DAY = 30
ACCOUNT_RATE_LIMITS = {
    "signup_address": "3/h/key",
    "login_failed": f"10/m/ip,5/m/key,{LOGIN_FAILED_PER_ACCOUNT_PER_DAY}/d/key",
}
# How many proxies of ours append to X-Forwarded-For in front of the app (1 behind one TLS
# proxy). Rate limits per address then use the client's address, not the proxy's. Leave 0
# when nothing sets the header: a client could otherwise pick its own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rapport] "
# Links in account emails (confirmation, reset) use SITE_URL's scheme: https in production,
# http for a plain-HTTP trial with no proxy.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.split("://", 1)[0]
ACCOUNT_ADAPTER = "profiles.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "profiles.forms.SignupQuestionsForm"
# allauth's sign-up form, made to take the same work for known and unknown addresses.
ACCOUNT_FORMS = {"signup": "profiles.account_forms.SignupForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery seeds are encrypted with FIELD_ENCRYPTION_KEYS.
MFA_ADAPTER = "profiles.mfa.MFAAdapter"
MFA_TOTP_ISSUER = "Rapport"
# Accept the code of the previous 30-second window too: phone clocks drift.
MFA_TOTP_TOLERANCE = 1

# A profile unconfirmed this long is no longer listed; a reminder goes out before that.
PROFILE_CONFIRMATION_MAX_AGE_DAYS = env.int("PROFILE_CONFIRMATION_MAX_AGE_DAYS", 45, minimum=1)
PROFILE_CONFIRMATION_REMINDER_DAYS = env.int("PROFILE_CONFIRMATION_REMINDER_DAYS", 30, minimum=1)
if PROFILE_CONFIRMATION_REMINDER_DAYS >= PROFILE_CONFIRMATION_MAX_AGE_DAYS:
    raise ImproperlyConfigured(
        "PROFILE_CONFIRMATION_REMINDER_DAYS must be below PROFILE_CONFIRMATION_MAX_AGE_DAYS."
    )

# Intro requests: how long a therapist has to answer, how many a responder may have open,
# and when the sweep sends again a request whose delivery has not been recorded.
INTRO_EXPIRY_HOURS = env.int("INTRO_EXPIRY_HOURS", 72, minimum=1)
INTRO_MAX_OPEN = env.int("INTRO_MAX_OPEN", 3, minimum=1)
INTRO_REQUEUE_AFTER_SECONDS = env.int("INTRO_REQUEUE_AFTER_SECONDS", 180, minimum=1)
INTRO_SWEEP_EVERY_SECONDS = env.int("INTRO_SWEEP_EVERY_SECONDS", 60, minimum=1)
# After an accept, each side may send this many short messages until the first session.
INTRO_THREAD_MESSAGES_PER_SIDE = env.int("INTRO_THREAD_MESSAGES_PER_SIDE", 5, minimum=1)
# Capacity: a therapist with k openings left holds at most k times this many requests
# waiting for their answer; beyond it they take no new request until they answer some.
PENDING_REQUESTS_PER_OPENING = env.int("PENDING_REQUESTS_PER_OPENING", 2, minimum=1, maximum=20)

# Check-ins after an accepted intro: the first and second after so many days, then one
# every CHECKIN_REPEAT_DAYS while the responder still sees the therapist. An emailed link
# works once, for CHECKIN_LINK_DAYS.
CHECKIN_FIRST_DAYS = env.int("CHECKIN_FIRST_DAYS", 14, minimum=1)
CHECKIN_SECOND_DAYS = env.int("CHECKIN_SECOND_DAYS", 42, minimum=1)
CHECKIN_REPEAT_DAYS = env.int("CHECKIN_REPEAT_DAYS", 91, minimum=1)
CHECKIN_LINK_DAYS = env.int("CHECKIN_LINK_DAYS", 14, minimum=1)
CHECKIN_EMAIL_EVERY_SECONDS = env.int("CHECKIN_EMAIL_EVERY_SECONDS", 3600, minimum=1)
# One reminder this many days after a check-in's email, while its link still works.
CHECKIN_REMINDER_DAYS = env.int("CHECKIN_REMINDER_DAYS", 5, minimum=1)
if CHECKIN_SECOND_DAYS <= CHECKIN_FIRST_DAYS:
    raise ImproperlyConfigured("CHECKIN_SECOND_DAYS must be above CHECKIN_FIRST_DAYS.")
if CHECKIN_REMINDER_DAYS >= CHECKIN_LINK_DAYS:
    raise ImproperlyConfigured("CHECKIN_REMINDER_DAYS must be below CHECKIN_LINK_DAYS.")
# Measured alliance (alliance/aggregation.py): a therapist's mean rating (each responder
# counted once) is shrunk toward all therapists' mean as if k average responders were added
# to theirs, with k estimated from how much therapists differ; ALLIANCE_PRIOR_RESPONDERS
# overrides that estimate with a whole number of responders (0, the default: estimate it).
# A figure is used and shown only from
# ALLIANCE_MIN_CHECKINS check-ins given by at least ALLIANCE_MIN_RESPONDERS different
# responders (at least 5: alliance.checks refuses fewer).
ALLIANCE_PRIOR_RESPONDERS = env.int("ALLIANCE_PRIOR_RESPONDERS", 0, minimum=0, maximum=1000)
ALLIANCE_MIN_CHECKINS = env.int("ALLIANCE_MIN_CHECKINS", 5, minimum=1)
ALLIANCE_MIN_RESPONDERS = env.int("ALLIANCE_MIN_RESPONDERS", 5, minimum=5)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence documents and photos: outside the static and media roots, never under a URL.
# On one machine they live in PRIVATE_FILES_DIR; with PRIVATE_FILES_S3_BUCKET set, in an
# S3-compatible bucket that every web process shares (django-storages with boto3). Either
# way no URL serves them: only views that check who asks read them.
PRIVATE_FILES_DIR = Path(env.str("PRIVATE_FILES_DIR", str(VAR_DIR / "private")))
PRIVATE_FILES_S3_BUCKET = env.str("PRIVATE_FILES_S3_BUCKET", "")
if PRIVATE_FILES_S3_BUCKET:
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_FILES_S3_BUCKET,
            "location": env.str("PRIVATE_FILES_S3_PREFIX", "private"),
            # Unset: AWS itself; otherwise any S3-compatible server (MinIO, Ceph, ...).
            "endpoint_url": env.url(
                "PRIVATE_FILES_S3_ENDPOINT_URL", None, schemes=("https", "http")
            ),
            "region_name": env.str("PRIVATE_FILES_S3_REGION", "us-east-1"),
            # Unset: boto3 finds credentials itself (instance role, AWS_* variables).
            "access_key": env.str("PRIVATE_FILES_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env.str("PRIVATE_FILES_S3_SECRET_ACCESS_KEY", "") or None,
            "addressing_style": env.choice(
                "PRIVATE_FILES_S3_ADDRESSING_STYLE", "path", ("path", "virtual")
            ),
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own: keep it private
            "file_overwrite": False,  # generated names; never replace another file
            "querystring_auth": True,  # no file has a public URL
        },
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_DIR, "directory_permissions_mode": 0o700},
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Nothing is served from MEDIA_ROOT: uploads go to the private storage above.
MEDIA_ROOT = VAR_DIR / "media"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Rapport <no-reply@rapport.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.is_set("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: a broker from CELERY_BROKER_URL, otherwise kombu's filesystem transport,
# which needs no server and lets `make run` work with nothing installed.
CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL", "filesystem://", schemes=("redis", "rediss", "filesystem", "memory")
)
CELERY_FILESYSTEM_QUEUE_DIR = VAR_DIR / "celery" / "queue"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_QUEUE_DIR),
        "data_folder_out": str(CELERY_FILESYSTEM_QUEUE_DIR),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message not acknowledged within this time is given to another worker.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 3600, minimum=60),
    }
CELERY_RESULT_BACKEND = env.url(
    "CELERY_RESULT_BACKEND", None, schemes=("redis", "rediss", "cache+memory")
)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Beat writes a heartbeat on every tick (config/beat.py) and ticks at least this often;
# readiness fails once the heartbeat is older than BEAT_STALE_AFTER_SECONDS.
CELERY_BEAT_SCHEDULER = "config.beat.HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 15
BEAT_STALE_AFTER_SECONDS = env.int("BEAT_STALE_AFTER_SECONDS", 120, minimum=30)
# Celery logs through LOGGING like every other process (config/celery.py), as JSON lines.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "profile-confirmation-reminders": {
        "task": "profiles.tasks.queue_confirmation_reminders",
        "schedule": 60 * 60,  # seconds; each reminder is sent once, so hourly is safe
    },
    "license-expiry-reminders": {
        "task": "profiles.tasks.queue_license_expiry_reminders",
        "schedule": 60 * 60,
    },
    # An openings-taken email whose task was lost goes out within the next few minutes.
    "openings-closed-notices": {
        "task": "profiles.tasks.queue_openings_closed_notices",
        "schedule": 5 * 60,
    },
    "ranking-changes-prune": {
        "task": "matching.tasks.prune_ranking_changes",
        "schedule": 60 * 60,
    },
    "clear-expired-sessions": {
        "task": "profiles.tasks.clear_expired_sessions",
        "schedule": 60 * 60,
    },
    "intro-sweep": {
        "task": "matching.tasks.sweep_intros",
        "schedule": INTRO_SWEEP_EVERY_SECONDS,
    },
    "intro-message-sweep": {
        "task": "matching.tasks.sweep_intro_messages",
        "schedule": INTRO_SWEEP_EVERY_SECONDS,
    },
    "coverage-watch-sweep": {
        "task": "matching.tasks.sweep_coverage_watches",
        "schedule": 5 * 60,  # seconds; each address is emailed once, then deleted
    },
    "checkin-emails": {
        "task": "alliance.tasks.email_due_checkins",
        "schedule": CHECKIN_EMAIL_EVERY_SECONDS,  # each check-in is emailed once
    },
    "checkin-sweep": {
        "task": "alliance.tasks.sweep_checkins",
        # Expired links move their plan on; each check-in is reminded at most once.
        "schedule": CHECKIN_EMAIL_EVERY_SECONDS,
    },
}

# Production hardening; each can be set on its own, and each defaults to on when DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", not DEBUG):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every page: scripts, styles, images and requests from Rapport's
# own origin only, no inline script or style, nothing may frame a page, no plugins, no <base>.
# htmx is told by a meta tag (base.html) not to eval nor to inject its indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the QR code allauth draws when two-factor authentication is set up.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_SECONDS", 60 * 60 * 24 * 14, minimum=300)
# Therapists and staff read what responders wrote: their sign-in ends after this long
# without a request, and this long after signing in whatever they do.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env.int(
    "SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60, minimum=300
)
if SESSION_IDLE_TIMEOUT_SECONDS > SESSION_ABSOLUTE_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT_SECONDS must not be above SESSION_ABSOLUTE_TIMEOUT_SECONDS."
    )
# A save a therapist or staff member sends up to this long after their sign-in ended is
# refused but kept (encrypted, for this long) and put back into the form once they sign in
# again. The session record outlives the idle limit by this much, refused all the while, so
# that the server still knows whose the save was. 0: nothing is kept.
SESSION_DRAFT_SECONDS = env.int("SESSION_DRAFT_SECONDS", 4 * 60 * 60, minimum=0)
# Flash messages ("Your request to ... is on its way") live in the session, not in a
# readable cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# System checks an operator has decided not to hear about, e.g. rapport.W001 when every web
# process runs on one machine.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS")

LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# One JSON object per line on standard error, times in UTC with their offset (config/logs.py).
LOGGING_CONFIG = "config.logs.configure"
LOGGING = logging_config(LOG_LEVEL)

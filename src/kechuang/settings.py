"""Kechuang settings: one file, configured from KECHUANG_* and DATABASE_URL environment variables.

With nothing set it runs the embedded default: SQLite under var/, background jobs in-process,
files under var/media. See README.md for production mode.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
VAR_DIR = Path(os.environ.get("KECHUANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("KECHUANG_DEBUG", True)
# The embedded default needs no secret; production must set KECHUANG_SECRET_KEY.
SECRET_KEY = os.environ.get("KECHUANG_SECRET_KEY", "embedded-default-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env_list("KECHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("KECHUANG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "axes",
    "ninja",
    "kechuang.core",
    "kechuang.regions",
    "kechuang.accounts",
    "kechuang.organizations",
    "kechuang.portal",
    "kechuang.projects",
    "kechuang.reviews",
    "kechuang.enterprises",
    "kechuang.market",
    "kechuang.vouchers",
    "kechuang.carriers",
    "kechuang.talent",
    "kechuang.patents",
    "kechuang.payouts",
    "kechuang.inquiries",
    "kechuang.targets",
    "kechuang.cockpit",
    "kechuang.demo",
]

MIDDLEWARE = [
    "kechuang.core.middleware.ReceivedAtMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kechuang.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kechuang.core.middleware.AuditContextMiddleware",
    # Axes last, as its docs require.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "kechuang" / "templates"],
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
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kechuang.sqlite3'}"),
        conn_max_age=int(os.environ.get("KECHUANG_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    # WAL lets the in-process job thread write while a request reads.
    # IMMEDIATE: a transaction takes the write lock at BEGIN, so the busy timeout applies instead of
    # SQLite failing at once when a reader tries to upgrade while the job thread writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: an in-memory database shares one cache between threads, where a job thread's
    # write makes a request's read fail at once ("table is locked") instead of waiting as WAL allows.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "kechuang.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kechuang.accounts.validators.MixedCharactersValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workbench"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("KECHUANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("KECHUANG_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "kechuang.core.middleware.client_ip"
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: trust REMOTE_ADDR only).
KECHUANG_TRUSTED_PROXIES = int(os.environ.get("KECHUANG_TRUSTED_PROXIES", "0"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "kechuang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Our Chinese number formats group thousands with commas (kechuang/formats/zh_Hans).
FORMAT_MODULE_PATH = ["kechuang.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KECHUANG_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "src" / "kechuang" / "static",
    # npm packages (package.json, installed by `make`): served as /static/vendor/<name>/…, never from a CDN.
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KECHUANG_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("KECHUANG_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: the limit every file field checks (bytes); Django refuses larger bodies outright.
KECHUANG_MAX_UPLOAD_BYTES = int(os.environ.get("KECHUANG_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = KECHUANG_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background jobs: "inprocess" (embedded default) or "celery" (production, with Redis).
KECHUANG_JOBS = os.environ.get("KECHUANG_JOBS", "inprocess")
KECHUANG_REDIS_URL = os.environ.get("KECHUANG_REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", KECHUANG_REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", KECHUANG_REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "daily-inquiries": {  # reminders before the answer deadline, overdue letters flagged
        "task": "kechuang.core.tasks.run_job",
        "schedule": 24 * 60 * 60,
        "args": ("inquiries.daily", {}),
    },
    "daily-pending-verification-digest": {
        "task": "kechuang.core.tasks.run_job",
        "schedule": 24 * 60 * 60,
        "args": ("organizations.pending_digest", {}),
    },
    "daily-enterprises": {
        "task": "kechuang.core.tasks.run_job",
        "schedule": 24 * 60 * 60,
        "args": ("enterprises.daily", {}),
    },
    "daily-market": {
        "task": "kechuang.core.tasks.run_job",
        "schedule": 24 * 60 * 60,
        "args": ("market.daily", {}),
    },
    "daily-vouchers": {
        "task": "kechuang.core.tasks.run_job",
        "schedule": 24 * 60 * 60,
        "args": ("vouchers.daily", {}),
    },
}

EMAIL_BACKEND = os.environ.get(
    "KECHUANG_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("KECHUANG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KECHUANG_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("KECHUANG_DEFAULT_FROM_EMAIL", "kechuang@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KECHUANG_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

NINJA_PAGINATION_PER_PAGE = 20
# How long a failed acceptance (or misconduct) blocks an organization's applications (科研失信), days.
# Annual data (企业年度数据) of the previous year is due on this month-day; 高企 report theirs by the end of May
# (国科发火〔2016〕32号 第十三条). Reminders go out 30 days before and after it passes.
KECHUANG_ANNUAL_DATA_DUE = os.environ.get("KECHUANG_ANNUAL_DATA_DUE", "05-31")
KECHUANG_INTEGRITY_BLOCK_DAYS = int(os.environ.get("KECHUANG_INTEGRITY_BLOCK_DAYS", str(3 * 365)))
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KECHUANG_LOG_LEVEL", "WARNING")},
}

KECHUANG_SITE_NAME = _("科创")

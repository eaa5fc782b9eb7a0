"""Base settings: everything comes from the environment, with safe local defaults.

With no ``DATABASE_URL`` the portal starts an embedded PostgreSQL (``pgserver``);
with no ``CELERY_BROKER_URL`` background tasks run in-process.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env(
    "SECRET_KEY", default="insecure-development-key-do-not-use-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "commissioning",
    "carehomes",
    "contracts",
    "quality",
    "jig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "commissioning.middleware.TwoFactorEnforcementMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "commissioning.urls"
WSGI_APPLICATION = "commissioning.wsgi.application"

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
                "commissioning.context_processors.portal",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL under .pgdata/.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from commissioning.embedded_db import embedded_database

    EMBEDDED_PGDATA = Path(env("EMBEDDED_PGDATA", default=str(BASE_DIR / ".pgdata")))
    DATABASES = {"default": embedded_database(EMBEDDED_PGDATA)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "commissioning.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Failed sign-ins are throttled per account and address (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "commissioning/locked_out.html"

# Staff who enrol a two-factor device must use it; PORTAL_REQUIRE_2FA_FOR_STAFF makes
# enrolment compulsory for staff (administrators) in production.
PORTAL_REQUIRE_2FA_FOR_STAFF = env.bool("PORTAL_REQUIRE_2FA_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "Care Home Commissioning Portal"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# nhsuk-frontend is installed by npm (package.json) and served from node_modules.
NHSUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
if NHSUK_FRONTEND_DIR.exists():
    STATICFILES_DIRS.append(("nhsuk", NHSUK_FRONTEND_DIR))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = BASE_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
PORTAL_MAX_IMPORT_BYTES = env.int("PORTAL_MAX_IMPORT_BYTES", default=50 * 1024 * 1024)

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.nhs.uk:587 (console in the demo).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")

# Celery: Redis and real workers when CELERY_BROKER_URL is set, otherwise in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks, at UK times (CELERY_TIMEZONE). Each takes an advisory lock, so two
# beat-triggered runs never overlap.
CELERY_BEAT_SCHEDULE: dict = {
    "return-reminders-daily": {
        "task": "quality.tasks.reminders_send_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "late-returns-digest-weekly": {
        "task": "quality.tasks.commissioner_digest_task",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "visit-actions-overdue-daily": {
        "task": "quality.visits.tasks.overdue_actions_task",
        "schedule": crontab(hour=7, minute=15),
    },
    "risk-recompute-nightly": {
        "task": "jig.risk.tasks.risk_recompute_nightly_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # JIG meetings: next month's meeting for every group; then, daily after the recompute, this
    # month's meetings' flags and overdue action emails (docs/jig-meetings.md).
    "jig-meetings-schedule-monthly": {
        "task": "jig.meeting_tasks.meetings_schedule_task",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    "jig-daily": {
        "task": "jig.meeting_tasks.jig_daily_task",
        "schedule": crontab(hour=6, minute=15),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["commissioning.api.permissions.PortalAccess"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend",
                                "rest_framework.filters.OrderingFilter"],
    "DEFAULT_PAGINATION_CLASS": "commissioning.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Joint Care Home Commissioning Portal API",
    "DESCRIPTION": (
        "For partner systems (ambulance trusts, acute trusts, councils' tools). "
        "Authenticate with `Authorization: Token <key>`. Every endpoint applies the "
        "same access rules as the portal's pages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CqcRatingEnum": "carehomes.choices.CqcRatingValue",
        "FeedKindEnum": "jig.feeds.codes.FeedKind",
        "HomeStatusEnum": "carehomes.choices.HomeStatus",
        "JobStatusEnum": "commissioning.choices.JobStatus",
        "RagEnum": "jig.choices.Rag",
        "ReturnStatusEnum": "quality.choices.ReturnStatus",
        # Quality monitoring visits (quality.api)
        "ActionPlanStatusEnum": "quality.choices.ActionPlanStatus",
        "FrameworkStatusEnum": "quality.choices.FrameworkStatus",
        "PlanActionMoveEnum": "quality.api.visit_serializers.MOVE_CHOICES",
        "PlanActionStatusEnum": "quality.choices.PlanActionStatus",
        "VisitKindEnum": "quality.choices.VisitKind",
        "VisitRatingEnum": "quality.choices.Rating",
        "VisitStatusEnum": "quality.choices.VisitStatus",
        # The JIG's meetings (jig.api.meetings)
        "JigActionStatusEnum": "jig.choices.JigActionStatus",
        "JigAttendanceStatusEnum": "jig.choices.AttendanceStatus",
        "JigMeetingStatusEnum": "jig.choices.MeetingStatus",
        "JigRoleEnum": "jig.choices.JigRole",
        "PersonSpokenToRoleEnum": "quality.choices.PersonSpokenToRole",  # beside JigRole, both "role"
    },
}

FILTERS_EMPTY_CHOICE_LABEL = "Any"

# Monthly returns are due on this day of the following month (Capacity Tracker: the 14th).
RETURNS_DUE_DAY = env.int("RETURNS_DUE_DAY", default=14)

# Who leads a quality monitoring visit, by the home's CQC registration type: council, nhs or
# joint (quality.visits.planning.lead_organisation_for; docs/visits.md).
VISIT_LEAD_BY_REGISTRATION = env.dict(
    "VISIT_LEAD_BY_REGISTRATION", default={"residential": "council", "nursing": "nhs", "dual": "joint"})

# The local authorities the deployment serves are organisations marked "served";
# the CQC import keeps only homes in those.
PORTAL_NAME = env("PORTAL_NAME", default="Care Home Commissioning Portal")
# The portal's address as people reach it, for links in emails (no trailing slash).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # Tasks run in-process (no broker) would log a line each: the demo runs hundreds.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}

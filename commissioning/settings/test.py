"""Settings for the test suite (pytest-django).

Uses ``DATABASE_URL`` when set (CI points it at the machine's PostgreSQL), otherwise
the embedded PostgreSQL. Tasks run in-process unless a test sends them to a real
worker explicitly (see tests/test_celery_worker.py).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
AXES_FAILURE_LIMIT = 3
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "WARNING"}}

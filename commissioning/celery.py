"""The Celery application. Workers: ``celery -A commissioning worker``; beat: ``... beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.base")

app = Celery("commissioning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The project package and the shared core: organisations, people, roles and access."""

from .celery import app as celery_app

__all__ = ["celery_app"]

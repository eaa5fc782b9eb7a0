"""WSGI entry point (gunicorn commissioning.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.production")
application = get_wsgi_application()

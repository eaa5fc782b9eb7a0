"""Celery tasks for monthly returns: thin wrappers over the services."""

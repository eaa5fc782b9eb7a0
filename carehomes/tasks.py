"""Celery tasks for the registry: thin wrappers over the services."""

from celery import shared_task
from django.db import OperationalError

from commissioning.jobs import job_run

from .models import CqcImport
from .services import cqc_import_run


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def cqc_import_task(self, cqc_import_id: int) -> dict:
    """Run one CQC directory import; a failure is recorded on the import, not lost."""
    cqc_import = CqcImport.objects.get(pk=cqc_import_id)
    job_run(cqc_import, lambda: cqc_import_run(cqc_import=cqc_import))
    return {"id": cqc_import.pk, "status": cqc_import.status,
            "created": cqc_import.rows_created, "updated": cqc_import.rows_updated,
            "unchanged": cqc_import.rows_unchanged}

"""Celery tasks for the registry: thin wrappers over the services."""

import logging

from celery import shared_task
from django.db import OperationalError

from commissioning.choices import JobStatus
from commissioning.jobs import job_finish

from .models import CqcImport
from .services import cqc_import_run

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def cqc_import_task(self, cqc_import_id: int) -> dict:
    """Run one CQC directory import; a failure is recorded on the import, not lost."""
    cqc_import = CqcImport.objects.get(pk=cqc_import_id)
    try:
        cqc_import_run(cqc_import=cqc_import)
    except OperationalError:
        raise  # transient: retried with backoff
    except Exception as exc:
        logger.exception("CQC import %s failed", cqc_import_id)
        job_finish(cqc_import, status=JobStatus.FAILED, stage="Failed",
                   error=f"{type(exc).__name__}: {exc}")
    return {"id": cqc_import.pk, "status": cqc_import.status,
            "created": cqc_import.rows_created, "updated": cqc_import.rows_updated,
            "unchanged": cqc_import.rows_unchanged}

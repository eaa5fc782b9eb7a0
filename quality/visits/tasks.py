"""Celery tasks for visits: thin wrappers over the services. ``quality.tasks`` imports this
module so Celery's autodiscovery finds them."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from commissioning.jobs import advisory_lock, job_run

# Advisory lock key for the daily overdue check (commissioning.jobs.advisory_lock): "QVO1".
OVERDUE_LOCK = 0x51564F31
# A notice that failed to send is tried again after this many seconds (its record was released).
RESEND_AFTER_S = 15 * 60

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def overdue_actions_task(self) -> dict:
    """Daily: flag overdue actions and action plans, and email each once."""
    from .overdue import overdue_run

    with advisory_lock(OVERDUE_LOCK) as acquired:
        if not acquired:
            logger.info("%s skipped: another run is in progress", self.name)
            return {"skipped": True}
        run = overdue_run(today=timezone.localdate())
    if run.failed:
        raise self.retry(countdown=RESEND_AFTER_S, max_retries=3)
    return {"skipped": False, **run.summary()}


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def report_pdf_task(self, job_id: int) -> dict:
    """Make one report PDF; a failure is recorded on the job."""
    from ..models import ReportPdf
    from .pdf import report_pdf_run

    job = ReportPdf.objects.select_related("visit").get(pk=job_id)
    job_run(job, lambda: report_pdf_run(job=job))
    return {"id": job.pk, "status": job.status}

"""Celery tasks for monthly returns: thin wrappers over the services. Celery's autodiscovery
imports this module, so the visits' tasks are imported here too."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from commissioning.jobs import advisory_lock

from . import reminders
from .visits.tasks import overdue_actions_task, report_pdf_task

__all__ = ["commissioner_digest_task", "overdue_actions_task", "reminders_send_task", "report_pdf_task",
           "return_upload_task"]

# Reminders -------------------------------------------------------------------------------

# Advisory lock keys (commissioning.jobs.advisory_lock), one per periodic job: two
# beat-triggered runs never overlap.
REMINDERS_LOCK = 0x51524D31  # "QRM1"
DIGEST_LOCK = 0x51524D32  # "QRM2"
# A failed email is tried again after this many seconds (its record was released).
RESEND_AFTER_S = 15 * 60

reminder_logger = logging.getLogger(__name__)


def _run_locked(task, key: int, work) -> dict:
    with advisory_lock(key) as acquired:
        if not acquired:
            reminder_logger.info("%s skipped: another run is in progress", task.name)
            return {"skipped": True}
        runs = work(today=timezone.localdate())
    summaries = [run.summary() for run in runs]
    if any(run.failed for run in runs):
        raise task.retry(countdown=RESEND_AFTER_S, max_retries=3)
    return {"skipped": False, "runs": summaries}


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def reminders_send_task(self) -> dict:
    """Daily: remind managers five days before the due date and when the return is late."""
    return _run_locked(self, REMINDERS_LOCK, reminders.reminders_send)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def commissioner_digest_task(self) -> dict:
    """Monday mornings: each council and NHS commissioner's late homes, to its commissioners."""
    return _run_locked(self, DIGEST_LOCK,
                       lambda today: [reminders.commissioner_digest_send(today=today)])


# Uploads of returns ----------------------------------------------------------------------


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def return_upload_task(self, upload_id: int) -> dict:
    """Check and save one uploaded file of returns; a failure is recorded on the upload."""
    from commissioning.jobs import job_run

    from .models import ReturnUpload
    from .uploads import return_upload_run

    upload = ReturnUpload.objects.get(pk=upload_id)
    job_run(upload, lambda: return_upload_run(upload=upload))
    return {"id": upload.pk, "status": upload.status, "created": upload.rows_created,
            "updated": upload.rows_updated, "unchanged": upload.rows_unchanged}

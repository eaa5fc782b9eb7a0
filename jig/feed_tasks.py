"""Celery task for feed uploads: a thin wrapper over ``jig.services.feed_batch_run``."""

import logging

from celery import shared_task
from django.db import OperationalError

from commissioning.choices import JobStatus
from commissioning.jobs import job_finish

from .models import FeedBatch

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def feed_batch_task(self, batch_id: int) -> dict:
    """Validate and load one uploaded feed file; a failure is recorded on the batch."""
    from .services import feed_batch_run

    batch = FeedBatch.objects.get(pk=batch_id)
    try:
        feed_batch_run(batch=batch)
    except OperationalError:
        raise  # transient: retried with backoff
    except Exception as exc:
        logger.exception("Feed batch %s failed", batch_id)
        job_finish(batch, status=JobStatus.FAILED, stage="Failed", error=f"{type(exc).__name__}: {exc}")
    return {"id": batch.pk, "status": batch.status, "accepted": batch.rows_accepted,
            "updated": batch.rows_updated, "unchanged": batch.rows_unchanged,
            "unmatched": batch.rows_unmatched}

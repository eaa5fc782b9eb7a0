"""Celery task for feed uploads: a thin wrapper over ``jig.services.feed_batch_run``."""

from celery import shared_task
from django.db import OperationalError

from commissioning.jobs import job_run

from .models import FeedBatch


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def feed_batch_task(self, batch_id: int) -> dict:
    """Validate and load one uploaded feed file; a failure is recorded on the batch."""
    from .services import feed_batch_run

    batch = FeedBatch.objects.get(pk=batch_id)
    job_run(batch, lambda: feed_batch_run(batch=batch))
    return {"id": batch.pk, "status": batch.status, "accepted": batch.rows_accepted,
            "updated": batch.rows_updated, "unchanged": batch.rows_unchanged,
            "unmatched": batch.rows_unmatched}

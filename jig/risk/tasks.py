"""Celery tasks for risk ratings: thin wrappers over the engine and the services."""

import logging

from celery import shared_task
from django.db import OperationalError

from commissioning.choices import JobStatus
from commissioning.jobs import advisory_lock, job_finish

from ..choices import RecomputeScope
from ..models import RiskRecompute
from .engine import risk_recompute_run
from .services import month_current, recompute_create

logger = logging.getLogger(__name__)

# The nightly recompute's session advisory lock (commissioning.jobs.advisory_lock): two beat
# runs never overlap. "JRN1".
RISK_NIGHTLY_LOCK = 0x4A524E31
MAX_RETRIES = 5


def _run(task, job: RiskRecompute) -> dict:
    try:
        risk_recompute_run(job=job)
    except OperationalError as exc:
        retrying = task.request.retries < MAX_RETRIES
        logger.warning("Risk recompute %s: database error%s", job.pk, ", will retry" if retrying else "")
        stage = "Database error: trying again" if retrying else "Failed"
        job_finish(job, status=JobStatus.FAILED, stage=stage, error=f"{type(exc).__name__}: {exc}")
        if retrying:
            raise  # transient: retried with backoff (the retry starts the job again)
    except Exception as exc:
        logger.exception("Risk recompute %s failed", job.pk)
        job_finish(job, status=JobStatus.FAILED, stage="Failed", error=f"{type(exc).__name__}: {exc}")
    return {"id": job.pk, "status": job.status, "month": job.month.isoformat(),
            "written": job.ratings_written, "changed_rag": job.ratings_changed_rag}


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=MAX_RETRIES)
def risk_recompute_task(self, job_id: int) -> dict:
    """Run one recompute job; a failure is recorded on the job, not lost."""
    return _run(self, RiskRecompute.objects.get(pk=job_id))


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=MAX_RETRIES)
def risk_recompute_nightly_task(self) -> dict:
    """Nightly (beat, 02:30 UK time): every active home's rating for this month."""
    with advisory_lock(RISK_NIGHTLY_LOCK) as acquired:
        if not acquired:
            logger.info("Nightly risk recompute skipped: another run is in progress")
            return {"skipped": True}
        job = recompute_create(scope=RecomputeScope.NIGHTLY, month=month_current())
        return {"skipped": False, **_run(self, job)}

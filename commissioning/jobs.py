"""Helpers for long-running work recorded in a ``JobRecord``.

Progress is written with a plain UPDATE outside any surrounding transaction's rows, so
a page polling the record sees it move while the work runs.
"""

import logging
from contextlib import contextmanager

from django.db import OperationalError, connection
from django.http import JsonResponse
from django.utils import timezone

from .choices import JobStatus

logger = logging.getLogger(__name__)


def job_update(job, **fields) -> None:
    """Write ``fields`` to the job row at once (and to the instance)."""
    for name, value in fields.items():
        setattr(job, name, value)
    type(job)._default_manager.filter(pk=job.pk).update(**fields)


def job_start(job, *, stage: str, total: int = 0) -> None:
    job_update(job, status=JobStatus.RUNNING, started_on=timezone.now(), stage=stage,
               progress_total=total, progress_done=0, error="")


def job_finish(job, *, status: str, stage: str, **fields) -> None:
    job_update(job, status=status, stage=stage, finished_on=timezone.now(), **fields)


def job_log(job, line: str) -> None:
    stamp = timezone.localtime().strftime("%H:%M:%S")
    job_update(job, log=f"{job.log}{stamp} {line}\n")


@contextmanager
def advisory_lock(key: int):
    """Hold a session-level PostgreSQL advisory lock for the block; yields False if another
    process holds it. Periodic jobs use it so two workers never run the same job at once.

    Locks are server-wide, so the key is paired with the database's name: two portals (or
    two test runs) sharing a PostgreSQL server do not block each other.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(current_database()), %s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(current_database()), %s)",
                               [key])


def advisory_xact_lock(key: int) -> None:
    """Wait for a transaction-level advisory lock (released at commit), keyed as above."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_database()), %s)", [key])


def job_status_response(job) -> JsonResponse:
    """What static/portal/job-status.js polls for: the job's status, stage and progress."""
    return JsonResponse({"status": job.status, "stage": job.stage,
                         "percent": job.progress_percent, "finished": job.is_finished})


def job_run(job, work) -> None:
    """Run ``work()`` for a job in a Celery task: a database error is raised again (the task
    retries it with backoff); any other failure is logged and recorded on the job as failed,
    with its error, so people see it instead of a job that never ends."""
    try:
        work()
    except OperationalError:
        raise
    except Exception as exc:
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        job_finish(job, status=JobStatus.FAILED, stage="Failed", error=f"{type(exc).__name__}: {exc}")

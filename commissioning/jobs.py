"""Helpers for long-running work recorded in a ``JobRecord``.

Progress is written with a plain UPDATE outside any surrounding transaction's rows, so
a page polling the record sees it move while the work runs.
"""

from django.utils import timezone

from .choices import JobStatus


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

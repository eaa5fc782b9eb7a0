"""Celery tasks for the JIG's meetings: thin wrappers over the services.

* ``meetings_schedule_task`` (beat, the 1st of each month): next month's meeting for every
  active group, with its standing agenda;
* ``jig_daily_task`` (beat, daily after the nightly risk recompute): refresh the flags of
  this month's meetings not yet closed, and tell owners of newly overdue actions;
* ``meeting_pack_task``: render one meeting pack (``jig.meeting_pack.meeting_pack_render``).
"""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from commissioning.jobs import advisory_lock, job_run

from .models import MeetingPack

logger = logging.getLogger(__name__)

# Session advisory locks (commissioning.jobs.advisory_lock): two beat runs never overlap.
MEETINGS_SCHEDULE_LOCK = 0x4A4D5331  # "JMS1"
JIG_DAILY_LOCK = 0x4A4D4431  # "JMD1"


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def meetings_schedule_task(self) -> dict:
    """Monthly: schedule next month's meeting of every active group (idempotent)."""
    from .meeting_services import meetings_schedule_next

    with advisory_lock(MEETINGS_SCHEDULE_LOCK) as acquired:
        if not acquired:
            logger.info("Scheduling JIG meetings skipped: another run is in progress")
            return {"skipped": True}
        made = meetings_schedule_next(today=timezone.localdate())
    return {"skipped": False, "scheduled": [meeting.pk for meeting in made]}


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def jig_daily_task(self) -> dict:
    """Daily: this month's meetings' flags from the night's ratings; overdue action emails."""
    from .action_reminders import overdue_actions_notify
    from .agenda_services import meeting_flags_refresh_upcoming

    with advisory_lock(JIG_DAILY_LOCK) as acquired:
        if not acquired:
            logger.info("Daily JIG work skipped: another run is in progress")
            return {"skipped": True}
        today = timezone.localdate()
        refreshed = meeting_flags_refresh_upcoming(today=today)
        overdue = overdue_actions_notify(today=today)
    return {"skipped": False, "meetings_refreshed": sorted(refreshed), "overdue": overdue.summary()}


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=300, max_retries=5)
def meeting_pack_task(self, pack_id: int) -> dict:
    """Render one meeting pack; a failure is recorded on the pack's job, not lost."""
    pack = MeetingPack.objects.select_related("meeting__group").get(pk=pack_id)

    def work():
        from .meeting_pack import meeting_pack_render  # the PDF's module (docs/jig-meetings.md)

        meeting_pack_render(pack=pack)

    job_run(pack, work)
    return {"id": pack.pk, "status": pack.status}

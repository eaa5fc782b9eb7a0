"""Celery tasks of the jig app. Celery's autodiscovery imports this module, so every task
module of the app is imported here."""

from .feed_tasks import feed_batch_task
from .risk.tasks import risk_recompute_nightly_task, risk_recompute_task

__all__ = ["feed_batch_task", "risk_recompute_nightly_task", "risk_recompute_task"]

from .meeting_tasks import jig_daily_task, meeting_pack_task, meetings_schedule_task  # noqa: E402

__all__ += ["jig_daily_task", "meeting_pack_task", "meetings_schedule_task"]

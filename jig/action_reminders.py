"""Tell the owners of JIG actions once when their actions become overdue.

Overdue is worked out from the due date and status (``JigAction.is_overdue_on``,
``jig.meeting_selectors.with_overdue``), so nothing needs marking for the agenda. The daily
task emails each owner about their actions that went overdue since the last run, once per
action and due date: as with the returns reminders (``quality.reminders``), actions are
*claimed* first, by setting ``overdue_notified_on`` in a transaction that skips rows another
run holds, and the emails go after the commit; a failed email releases its claim for the
next run. Moving the due date or reopening an action clears the claim.

The email names no home and no action text (they are the JIG's business): it says how many
actions are overdue and where to sign in.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import transaction

from .choices import JIG_ACTION_OUTSTANDING
from .models import JigAction

logger = logging.getLogger(__name__)


@dataclass
class OverdueRun:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {"sent": len(self.sent), "failed": len(self.failed)}


def _claim(today) -> dict[str, list[int]]:
    """Claim every newly overdue action with an active owner: ``{email: [action IDs]}``."""
    with transaction.atomic():
        rows = list(JigAction.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status__in=JIG_ACTION_OUTSTANDING, due_on__lt=today, overdue_notified_on__isnull=True,
            owner__isnull=False, owner__is_active=True).values_list("pk", "owner__email"))
        JigAction.objects.filter(pk__in=[pk for pk, _ in rows]).update(overdue_notified_on=today)
    by_owner: dict[str, list[int]] = {}
    for pk, email in rows:
        by_owner.setdefault(email, []).append(pk)
    return by_owner


def overdue_actions_notify(*, today) -> OverdueRun:
    """Email each owner of actions that became overdue (once per action and due date)."""
    run = OverdueRun()
    for email, action_ids in _claim(today).items():
        count = len(action_ids)
        noun = "action is" if count == 1 else "actions are"
        body = (f"{count} Joint Intelligence Group {noun} past the due date and not yet done.\n\n"
                f"Sign in to {settings.PORTAL_BASE_URL} to update progress or mark them done.\n")
        try:
            mail.EmailMessage(f"{settings.PORTAL_NAME}: JIG {noun.split()[0]} overdue", body,
                              settings.DEFAULT_FROM_EMAIL, [email]).send()
            run.sent.append(email)
        except Exception:
            logger.exception("Could not email %s about overdue JIG actions", email)
            JigAction.objects.filter(pk__in=action_ids).update(overdue_notified_on=None)
            run.failed.append(email)
    return run

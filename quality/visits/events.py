"""The visit's log: every service writes one dated event (who, when, what), never changed."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commissioning import access

from ..models import Visit, VisitEvent


def event_record(*, visit: Visit, kind: str, user=None, summary: str, **detail) -> VisitEvent:
    """Add a step to the visit's log. ``detail`` holds what a reader needs to see what changed
    (JSON-serialisable values only)."""
    return VisitEvent.objects.create(visit=visit, kind=kind, by=user if user and user.pk else None,
                                     at=timezone.now(), summary=summary[:500], detail=detail)


def require_can(user, action: access.Action, obj, message: str) -> None:
    """Services check the actor too, so pages, API and commands share one rule: raises
    ``PermissionDenied`` with ``message`` unless ``access`` lets ``user`` take ``action`` on ``obj``."""
    if not access.can(user, action, obj):
        raise PermissionDenied(message)


def home_rerate_later(visit: Visit) -> None:
    """The home's published visit rating and its overdue actions are risk components: rate the
    home again once the caller's transaction commits."""
    from jig.risk.services import recompute_homes_later  # the JIG builds on visits, not the reverse

    recompute_homes_later(home_ids=[visit.care_home_id])

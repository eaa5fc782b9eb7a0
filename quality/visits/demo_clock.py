"""Running the visit services as if it were another moment, for the demo's year of visits.

The services stamp every step with ``django.utils.timezone.now()`` and take UK dates from it
(``timezone.localdate()``), as they must. To build a year of history through those same
services, ``demo_clock(moment)`` makes ``timezone.now()`` return ``moment`` for the duration of
the block. It swaps the ``datetime`` class that ``django.utils.timezone.now`` reads, so model
field defaults that hold a reference to ``timezone.now`` (``created_on``, an action update's
``on``) follow the clock as well. Only the demo uses it; nothing else moves the clock.
"""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone as django_timezone

LONDON = ZoneInfo("Europe/London")


class _AnyDatetime(type):
    """``isinstance(value, FrozenDatetime)`` holds for every datetime, as Django checks it."""

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, dt.datetime)


def _frozen_at(moment: dt.datetime) -> type:
    class FrozenDatetime(dt.datetime, metaclass=_AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.astimezone(LONDON).replace(tzinfo=None)

    return FrozenDatetime


@contextmanager
def demo_clock(moment: dt.datetime):
    """Within the block, ``timezone.now()`` is ``moment`` (an aware datetime in the past)."""
    if moment.tzinfo is None:
        raise ValueError("demo_clock needs an aware datetime")
    real = django_timezone.datetime
    django_timezone.datetime = _frozen_at(moment)
    try:
        yield
    finally:
        django_timezone.datetime = real


def uk_moment(day: dt.date, time: str) -> dt.datetime:
    """``day`` at ``time`` ("HH:MM") UK time, as an aware datetime."""
    hours, minutes = (int(part) for part in time.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), LONDON)

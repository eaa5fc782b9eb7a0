"""What every component reads: the rating month, its window, the homes and the area.

The context loads each kind of data once, for every home at once, and keeps it
(``cached_property``), so fifteen components make a handful of queries between them
whatever the number of homes.

* The rating for month M looks at the **window**: the three complete calendar months
  before it (M-3 to M-1). The SPC signals look at the 24 months ending M-1.
* A home's **occupied beds**: the mean ``beds_occupied`` of its submitted (or amended)
  returns for the window's months, else its registered beds; none when that is 0, which
  makes every per-bed rate "no data".
* **Area rates** are taken over every active home: the sum of events over the sum of
  occupied beds.

A component whose query takes long (repeat callers: a pass over three months of records)
``send``s it from ``prefetch``; inside ``overlapped`` the query goes out in psycopg's pipeline
mode and the server works on it while the other components are worked out in Python, on the
same connection and in the same transaction. Its rows are read with ``received``.
"""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from quality.reports import add_months, months_ending
from quality.services import due_date_for

from .. import series as feed_series
from .. import summary as feed_summary

WINDOW_MONTHS = 3
SPC_MONTHS = 24


def _num(key: str) -> str:
    # Return values are stored as JSON numbers by every way in (quality.validation.to_json).
    return f"(r.values->>'{key}')::float"


_SUBMITTED = "r.status <> 'draft'"
_OCCUPIED = _num("beds_occupied")
_HEADCOUNT = (f"(coalesce({_num('staff_rn_employed')}, 0) + coalesce({_num('staff_care_employed')}, 0)"
              f" + coalesce({_num('staff_noncare_employed')}, 0))")
RETURN_RATE_KEYS = ("falls", "pressure_ulcers", "safeguarding_concerns")


def _returns_sql() -> str:
    rated = [
        f"sum({_num(k)}) FILTER (WHERE {_SUBMITTED} AND {_num(k)} IS NOT NULL AND {_OCCUPIED} > 0),"
        f" sum({_OCCUPIED}) FILTER (WHERE {_SUBMITTED} AND {_num(k)} IS NOT NULL AND {_OCCUPIED} > 0)"
        for k in RETURN_RATE_KEYS]
    turnover = f"{_SUBMITTED} AND {_num('staff_leavers')} IS NOT NULL AND {_HEADCOUNT} > 0"
    return f"""
        SELECT r.care_home_id,
               avg({_OCCUPIED}) FILTER (WHERE {_SUBMITTED}),
               {", ".join(rated)},
               avg({_num('agency_hours_percent')}) FILTER (WHERE {_SUBMITTED}),
               sum({_num('staff_leavers')}) FILTER (WHERE {turnover}),
               avg({_HEADCOUNT}) FILTER (WHERE {turnover}),
               count(*) FILTER (WHERE {turnover}),
               count(*) FILTER (WHERE {_SUBMITTED} AND r.month = ANY(%(due)s)
                                AND (r.first_submitted_on AT TIME ZONE %(tz)s)::date <= r.due_on),
               count(*) FILTER (WHERE {_SUBMITTED})
          FROM quality_monthlyreturn r
         WHERE r.month >= %(first)s AND r.month <= %(last)s
         GROUP BY r.care_home_id"""


@dataclass(frozen=True)
class HomeFacts:
    beds: int
    cqc_rating: str
    cqc_published_on: dt.date | None
    active: bool


@dataclass(frozen=True)
class ReturnFacts:
    """One home's monthly returns over the window, summed or averaged in SQL."""

    occupied: float | None = None
    sums: dict = field(default_factory=dict)  # key -> (sum of key, sum of occupied beds alongside)
    agency_percent: float | None = None
    leavers: float | None = None
    headcount: float | None = None
    turnover_months: int = 0
    on_time: int = 0  # returns for months already due, first submitted by their due date
    submitted: int = 0


@dataclass
class RiskContext:
    """The inputs shared by the components for one rating month and a set of homes."""

    month: dt.date
    home_ids: list[int]
    today: dt.date = field(default_factory=timezone.localdate)
    full: bool = False  # every active home is a target: feed totals come from the SPC series
    # Read the feed series from the monthly summary (jig.summary), which the caller has just
    # refreshed (the recompute does, under its lock), rather than from the records.
    summary: bool = False
    _pipelined: bool = field(default=False, init=False, repr=False)
    _sent: dict = field(default_factory=dict, init=False, repr=False)  # key -> cursor awaiting rows
    _received: dict = field(default_factory=dict, init=False, repr=False)  # key -> rows

    def __post_init__(self):
        self.month = self.month.replace(day=1)
        self.home_ids = sorted(set(self.home_ids))

    # --- The calendar (worked out once: the components ask for it for every home) -------------

    @cached_property
    def window_months(self) -> list[dt.date]:
        return months_ending(add_months(self.month, -1), WINDOW_MONTHS)

    @cached_property
    def window_first(self) -> dt.date:
        return self.window_months[0]

    @cached_property
    def window_last(self) -> dt.date:
        return self.window_months[-1]

    @cached_property
    def window_label(self) -> str:
        return f"{self.window_first:%B %Y} to {self.window_last:%B %Y}"

    @cached_property
    def rating_day(self) -> dt.date:
        """The day the rating speaks for, where a component reads a state rather than a
        window of events (visit ratings, overdue actions): today for this month or a later
        one, the month's last day for a past month."""
        return min(self.today, add_months(self.month, 1) - dt.timedelta(days=1))

    @cached_property
    def spc_months(self) -> list[dt.date]:
        return months_ending(add_months(self.month, -1), SPC_MONTHS)

    @cached_property
    def due_window_months(self) -> list[dt.date]:
        """The window's months whose return was due before today (so can be late or missing)."""
        return [m for m in self.window_months if due_date_for(m) < self.today]

    # --- Homes -------------------------------------------------------------------------------

    @cached_property
    def homes(self) -> dict[int, HomeFacts]:
        """Every active home (the area) and every target home: one query."""
        homes = CareHome.objects.filter(status=HomeStatus.ACTIVE)
        if not self.full:  # a full recompute's targets are the active homes: no list to match
            homes = homes | CareHome.objects.filter(pk__in=self.home_ids)
        rows = homes.values_list("pk", "beds", "cqc_overall_rating", "cqc_rating_published_on", "status")
        return {pk: HomeFacts(beds, rating, published, status == HomeStatus.ACTIVE)
                for pk, beds, rating, published, status in rows}

    @cached_property
    def area_ids(self) -> list[int]:
        return [pk for pk, facts in self.homes.items() if facts.active]

    @cached_property
    def returns(self) -> dict[int, ReturnFacts]:
        """Each home's returns over the window: one query for every home."""
        found = {}
        with connection.cursor() as cursor:
            cursor.execute(_returns_sql(), {"tz": settings.TIME_ZONE, "first": self.window_first,
                                            "last": self.window_last, "due": self.due_window_months})
            for row in cursor.fetchall():
                home_id, occupied, *rest = row
                sums = {}
                for n, key in enumerate(RETURN_RATE_KEYS):
                    sums[key] = (rest[2 * n], rest[2 * n + 1])
                agency, leavers, headcount, turnover_months, on_time, submitted = rest[2 * len(sums):]
                found[home_id] = ReturnFacts(occupied, sums, agency, leavers, headcount,
                                             turnover_months, on_time, submitted)
        return found

    @cached_property
    def occupied(self) -> dict[int, float | None]:
        """Occupied beds by home (see the module docstring); None where there are none."""
        beds = {}
        for pk, facts in self.homes.items():
            from_returns = self.returns.get(pk, ReturnFacts()).occupied
            value = from_returns if from_returns is not None else facts.beds
            beds[pk] = float(value) if value else None
        return beds

    # --- Feeds -------------------------------------------------------------------------------

    def _monthly_counts(self, first: dt.date, last: dt.date, home_ids=None):
        source = feed_summary if self.summary else feed_series
        return source.monthly_counts(first, last, home_ids)

    @cached_property
    def series(self) -> dict[int, dict[str, list[int]]]:
        """The 24 monthly counts ending M-1 of every series, for the target homes."""
        if not self.full:
            return self._monthly_counts(self.spc_months[0], self.spc_months[-1], self.home_ids)
        # Every active home: no list of IDs for PostgreSQL to check each row against.
        found = self._monthly_counts(self.spc_months[0], self.spc_months[-1])
        return {pk: found.get(pk) or feed_series.zero_counts(len(self.spc_months)) for pk in self.home_ids}

    @cached_property
    def window_totals(self) -> dict[str, dict[int, int]]:
        """``{series code: {home: total over the window}}`` for every home with events (the
        area's too): by series first, as the components ask for one series of every home."""
        # With every active home a target, the SPC series hold the window: no second pass.
        source = (self.series if self.full
                  else self._monthly_counts(self.window_first, self.window_last))
        return {code: {pk: sum(by_code[code][-WINDOW_MONTHS:]) for pk, by_code in source.items()}
                for code in feed_series.SERIES}

    def window_total(self, home_id: int, code: str) -> int:
        return self.window_totals[code].get(home_id, 0)

    # --- Area rates ----------------------------------------------------------------------------

    def area_rate(self, events: dict[int, float | None], beds: dict[int, float | None]) -> float | None:
        """Sum of ``events`` over the sum of ``beds``, across the active homes with beds."""
        total_events = total_beds = 0.0
        ids = self.area_ids
        for home_beds, home_events in zip(map(beds.get, ids), map(events.get, ids), strict=True):
            if home_beds and home_events is not None:
                total_events += home_events
                total_beds += home_beds
        return total_events / total_beds if total_beds else None

    # --- Queries the server works on meanwhile -------------------------------------------------

    @contextmanager
    def overlapped(self):
        """Within this block, ``send`` only sends its query; what every component reads is
        loaded first, as reading it later would wait for the queries sent."""
        self.homes, self.returns, self.series  # noqa: B018 - loaded now, deliberately
        connection.ensure_connection()
        with connection.connection.pipeline():
            self._pipelined = True
            try:
                yield
            finally:
                self._pipelined = False

    def send(self, key: str, sql: str, params: dict) -> None:
        """Run a query whose rows ``received(key)`` gives: in the background inside
        ``overlapped``, else now."""
        cursor = connection.cursor()
        cursor.execute(sql, params)
        if self._pipelined:
            self._sent[key] = cursor
            return
        self._received[key] = cursor.fetchall()
        cursor.close()

    def sent(self, key: str) -> bool:
        return key in self._sent or key in self._received

    def received(self, key: str) -> list[tuple]:
        """The rows of the query sent as ``key`` (waiting for them if need be)."""
        if key not in self._received:
            cursor = self._sent.pop(key)
            self._received[key] = cursor.fetchall()
            cursor.close()
        return self._received[key]

    def memo(self, key: str, compute):
        """Keep a value a component worked out (an area rate, say) for its display."""
        store = self.__dict__.setdefault("_memo", {})
        if key not in store:
            store[key] = compute()
        return store[key]

"""Each home's monthly feed series: call-outs, conveyances, falls, admissions, A&E and bed days.

Used by the risk model's SPC component and by a home's risk page. Counts are per calendar
month in UK time (an incident at 23:30 UTC on 31 March, 00:30 BST on 1 April, is April's).
Records not yet matched to a home are left out.

``monthly_counts`` makes two queries (one per feed table, grouped by home and month, one
row of arrays per home) whatever the number of homes. ``concern_in_last`` is a fast path for the question the
risk model asks of every series of every home; it gives exactly what
``jig.spc.xmr(...).has_concern_in_last(n)`` gives (a test holds it to that).
"""

import datetime as dt
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from quality.reports import add_months

from . import spc


@dataclass(frozen=True)
class SeriesDef:
    """One monthly series: its label and unit. Every series is stated so that higher is worse."""

    code: str
    label: str
    unit: str
    direction: spc.Direction = spc.Direction.LOWER_IS_BETTER


SERIES: dict[str, SeriesDef] = {s.code: s for s in [
    SeriesDef("callouts", "Ambulance call-outs", "call-outs"),
    SeriesDef("conveyed", "Call-outs conveyed to hospital", "conveyances"),
    SeriesDef("falls_callouts", "Falls-related call-outs", "call-outs"),
    SeriesDef("emergency_admissions", "Emergency admissions", "admissions"),
    SeriesDef("ae_attendances", "A&E attendances", "attendances"),
    SeriesDef("bed_days", "Hospital bed days (by admission month)", "bed days"),
]}

# Each record's month is found by ``width_bucket`` against the months' starts, worked out
# once as instants (midnight UK time), rather than by converting every row's time to UK time
# and truncating it; the counts then come back as one row of arrays per home (15,000 rows,
# not 350,000), bucket numbers 1 to N with the counts alongside.
PER_HOME_SQL = """
    SELECT care_home_id, array_agg(bucket), {arrays} FROM (
        SELECT care_home_id, width_bucket({at}, %(bounds)s::timestamptz[]) AS bucket, {counts}
          FROM {table}
         WHERE care_home_id IS NOT NULL AND {at} >= %(start)s AND {at} < %(end)s {homes}
         GROUP BY 1, 2) AS by_month
     GROUP BY care_home_id"""


def _per_home_sql(table: str, at: str, counts: list[str]) -> str:
    names = [f"c{n}" for n in range(len(counts))]
    return PER_HOME_SQL.format(
        table=table, at=at, homes="{homes}",
        counts=", ".join(f"{sql} AS {name}" for sql, name in zip(counts, names, strict=True)),
        arrays=", ".join(f"array_agg({name})" for name in names))


AMBULANCE_SQL = _per_home_sql("jig_ambulanceincident", "called_at", [
    "count(*)", "count(*) FILTER (WHERE outcome = 'see_and_convey')", "count(*) FILTER (WHERE is_fall)"])
HOSPITAL_SQL = _per_home_sql("jig_hospitalactivity", "arrived_at", [
    "count(*) FILTER (WHERE kind = 'admission' AND is_emergency)",
    "count(*) FILTER (WHERE kind = 'ae_attendance')",
    "coalesce(sum(bed_days) FILTER (WHERE kind = 'admission'), 0)"])
QUERIES = [(AMBULANCE_SQL, ("callouts", "conveyed", "falls_callouts")),
           (HOSPITAL_SQL, ("emergency_admissions", "ae_attendances", "bed_days"))]


def months_between(first_month: dt.date, last_month: dt.date) -> list[dt.date]:
    """The first days of every month from ``first_month`` to ``last_month``, inclusive."""
    count = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    return [add_months(first_month, n) for n in range(count)]


def month_start(month: dt.date) -> dt.datetime:
    """Midnight UK time at the start of ``month`` (an aware datetime)."""
    return dt.datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def zero_counts(months: int) -> dict[str, list[int]]:
    """Every series at zero for ``months`` months: a home with no events."""
    return {code: [0] * months for code in SERIES}


def monthly_counts(first_month: dt.date, last_month: dt.date,
                   home_ids: Iterable[int] | None = None) -> dict[int, dict[str, list[int]]]:
    """``{home_id: {series code: [count per month, first_month..last_month]}}``.

    With ``home_ids``, every one of those homes is in the result (zeros where it has no
    events); without, every home with at least one matched event in the months.
    """
    months = months_between(first_month.replace(day=1), last_month.replace(day=1))
    if not months:
        return {}
    ids = None if home_ids is None else sorted(set(home_ids))
    result = {home_id: zero_counts(len(months)) for home_id in ids or ()}
    if ids == []:
        return result
    bounds = [month_start(month) for month in months]
    params = {"bounds": bounds, "start": bounds[0], "end": month_start(add_months(months[-1], 1)), "ids": ids}
    # A semi-join on the unnested IDs (hashed), not "= ANY(array)", which compares every
    # row with every ID: 25 s instead of 1 s at 15,000 homes.
    homes = "AND care_home_id IN (SELECT unnest(%(ids)s::bigint[]))" if ids is not None else ""
    with connection.cursor() as cursor:
        for sql, codes in QUERIES:
            cursor.execute(sql.format(homes=homes), params)
            for home_id, buckets, *arrays in cursor.fetchall():
                home = result.get(home_id)
                if home is None:
                    home = result[home_id] = zero_counts(len(months))
                for code, counts in zip(codes, arrays, strict=True):
                    series = home[code]
                    for bucket, count in zip(buckets, counts, strict=True):
                        series[bucket - 1] = int(count)
    return result


def concern_in_last(values: Sequence[float | int | None], periods: int,
                    months: Sequence[dt.date] | None = None) -> bool:
    """Whether any of the last ``periods`` points shows special cause variation of concern,
    higher being worse: ``spc.xmr(..., direction=LOWER_IS_BETTER).has_concern_in_last(periods)``.

    The risk model asks this of six series for every home (90,000 at national scale), where
    building ``xmr``'s full result takes ten seconds. A series of numbers (ints or floats) with
    no gaps and enough points for limits (the usual case: zero-filled counts over 24 months)
    is answered here by checking only the high-side signals of the last points; anything else
    goes to ``xmr``. Most series are settled by ``_settled`` in a few microseconds; the few it
    cannot settle are checked rule by rule.
    """
    n = len(values)
    if n < spc.MIN_POINTS_FOR_LIMITS or None in values:
        periods_ = months or [dt.date(2000 + i // 12, i % 12 + 1, 1) for i in range(n)]
        result = spc.xmr(zip(periods_, values, strict=True), direction=spc.Direction.LOWER_IS_BETTER)
        return result.has_concern_in_last(periods)
    # The same arithmetic as spc.process_limits, so the lines are identical to the last bit:
    # sums of whole numbers are exact (as fsum makes them), and so are their quotients' roundings.
    total, ranges = sum(values), sum(map(abs, map(operator.sub, values[1:], values)))
    if type(total) is not int or type(ranges) is not int:
        total, ranges = math.fsum(values), math.fsum(map(abs, map(operator.sub, values[1:], values)))
    mean, mr_bar = total / n, ranges / (n - 1)
    spread = spc.LIMIT_FACTOR * mr_bar
    upper, sigma_upper = mean + spread, mean + spc.SIGMA_FRACTION * spread
    settled = _settled(values, periods, mean, upper, sigma_upper)
    if settled is not None:
        return settled
    xs = list(map(float, values))
    last = range(max(0, n - periods), n)
    return any(_in_high_shift(xs, mean, i) or _in_rising_trend(xs, i)
               or _in_high_two_of_three(xs, sigma_upper, i) for i in last)


def _settled(values: Sequence[float | int], periods: int, mean: float, upper: float,
             sigma_upper: float) -> bool | None:
    """True when rule 1 flags one of the last ``periods`` points; False when no rule can flag
    any of them; None when rules 2 to 4 must be run to tell.

    Rules 2 to 4 are first tried here with plain comparisons: a rule's "above" is
    ``_compare(...) > 0``, which implies ``>``, so a rule that fails with plain comparisons
    fails. Each is tried only if it passes a cheaper test it implies (most series fail them
    all). With runs of six points (``spc.RUN_LENGTH``) and ``periods`` from 1 to 5, a run
    through one of the last ``periods`` points starts between the ``periods + 5``-th last point
    and the sixth last, so it covers every point from the sixth last to the ``periods``-th last.
    """
    n = len(values)
    tail = values[max(0, n - periods):]
    if not tail:
        return False
    top = max(tail)
    if top > upper and any(_compare(x, upper) > 0 for x in tail):
        return True  # rule 1: above the upper process limit
    if not 1 <= periods < spc.RUN_LENGTH:
        return None  # runs could reach back further than the tests below look
    starts = range(n - periods - spc.RUN_LENGTH + 1, n - spc.RUN_LENGTH + 1)
    sixth, last_run = n - spc.RUN_LENGTH, n - periods
    if min(values[sixth:last_run + 1]) > mean and any(
            min(values[a:a + spc.RUN_LENGTH]) > mean for a in starts):
        return None  # rule 2 may flag: six above the mean
    if all(map(operator.lt, values[sixth:last_run], values[sixth + 1:last_run + 1])) and any(
            all(map(operator.lt, values[a:a + spc.RUN_LENGTH - 1], values[a + 1:a + spc.RUN_LENGTH]))
            for a in starts):
        return None  # rule 3 may flag: five rises in a row
    if top > sigma_upper and any(
            sum(v > sigma_upper for v in values[start:start + 3]) >= 2
            for i in range(n - len(tail), n) if values[i] > sigma_upper
            for start in range(max(0, i - 2), min(i, n - 3) + 1)):
        return None  # rule 4 may flag: two of three beyond the two-sigma line
    return False


def _compare(a: float, b: float) -> int:
    """As ``jig.spc`` compares: values within floating-point rounding of each other are equal."""
    if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return 0
    return 1 if a > b else -1


def _in_high_shift(xs: list[float], mean: float, i: int) -> bool:
    """Rule 2, high side: ``i`` is in a run of six or more points above the mean."""
    if _compare(xs[i], mean) <= 0:
        return False
    left = i
    while left > 0 and _compare(xs[left - 1], mean) > 0:
        left -= 1
    right = i
    while right < len(xs) - 1 and _compare(xs[right + 1], mean) > 0:
        right += 1
    return right - left + 1 >= spc.RUN_LENGTH


def _rising_run(xs: list[float], step: int) -> int:
    """The number of rises in a row through step ``step`` (from point step to step + 1)."""
    if _compare(xs[step + 1], xs[step]) <= 0:
        return 0
    left = step
    while left > 0 and _compare(xs[left], xs[left - 1]) > 0:
        left -= 1
    right = step
    while right < len(xs) - 2 and _compare(xs[right + 2], xs[right + 1]) > 0:
        right += 1
    return right - left + 1


def _in_rising_trend(xs: list[float], i: int) -> bool:
    """Rule 3, high side: ``i`` is one end of a step in five or more rises in a row."""
    steps = [s for s in (i - 1, i) if 0 <= s < len(xs) - 1]
    return any(_rising_run(xs, s) + 1 >= spc.RUN_LENGTH for s in steps)


def _in_high_two_of_three(xs: list[float], sigma_upper: float, i: int) -> bool:
    """Rule 4, high side: ``i`` is beyond the upper two-sigma line with another of three."""
    if _compare(xs[i], sigma_upper) <= 0:
        return False
    for start in range(max(0, i - 2), min(i, len(xs) - 3) + 1):
        if sum(_compare(x, sigma_upper) > 0 for x in xs[start:start + 3]) >= 2:
            return True
    return False

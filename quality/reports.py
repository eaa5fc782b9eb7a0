"""Aggregate reads for commissioners: compliance, trends and benchmarks.

Every function starts from a queryset the access rules have already restricted
(``selectors``), and does its counting in PostgreSQL, so a page makes the same small
number of queries for three homes or fifteen thousand.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate

from .choices import ComplianceStatus, IndicatorKind, ReturnStatus
from .models import Indicator, MonthlyReturn
from .services import due_date_for

RATE_PER = 10  # rates are shown per 10 occupied beds
FLAG_FACTOR = 1.5  # a home is flagged above 1.5 times the area median
STATUS_COLOURS = {
    ComplianceStatus.SUBMITTED: "#007f3b",
    ComplianceStatus.SUBMITTED_LATE: "#ffb81c",
    ComplianceStatus.DRAFT: "#005eb8",
    ComplianceStatus.LATE: "#d5281b",
    ComplianceStatus.NOT_DUE: "#768692",
}
STATUS_TAGS = {
    ComplianceStatus.SUBMITTED: "green", ComplianceStatus.SUBMITTED_LATE: "yellow",
    ComplianceStatus.DRAFT: "blue", ComplianceStatus.LATE: "red",
    ComplianceStatus.NOT_DUE: "grey",
}


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def latest_due_month(today: dt.date) -> dt.date:
    """The latest month whose due date has passed: the month commissioners chase."""
    month = add_months(today.replace(day=1), -1)
    while due_date_for(month) >= today:
        month = add_months(month, -1)
    return month


# --- Compliance -------------------------------------------------------------------------

def compliance_expression(month: dt.date, today: dt.date) -> Case:
    """``selectors.compliance_status`` in SQL, on homes joined to their return as ``ret``."""
    submitted = Q(ret__pk__isnull=False) & ~Q(ret__status=ReturnStatus.DRAFT)
    whens = [
        When(submitted & Q(ret_first_submitted_day__gt=F("ret__due_on")),
             then=Value(ComplianceStatus.SUBMITTED_LATE)),
        When(submitted, then=Value(ComplianceStatus.SUBMITTED)),
    ]
    if today > due_date_for(month):
        return Case(*whens, default=Value(ComplianceStatus.LATE), output_field=CharField())
    return Case(*whens, When(ret__pk__isnull=False, then=Value(ComplianceStatus.DRAFT)),
                default=Value(ComplianceStatus.NOT_DUE), output_field=CharField())


def homes_with_compliance(homes: QuerySet, month: dt.date, today: dt.date) -> QuerySet:
    """Each home with its return for ``month`` (if any) and its compliance status.

    One LEFT JOIN on the (home, month) unique index, so the status can be filtered,
    counted and grouped in the database.
    """
    return homes.annotate(
        ret=FilteredRelation("monthly_returns", condition=Q(monthly_returns__month=month)),
    ).annotate(
        return_pk=F("ret__pk"),
        return_status=F("ret__status"),
        first_submitted_on=F("ret__first_submitted_on"),
        last_submitted_on=F("ret__submitted_on"),
        ret_first_submitted_day=TruncDate("ret__first_submitted_on"),
    ).annotate(compliance=compliance_expression(month, today))


def compliance_counts(homes: QuerySet) -> dict[str, int]:
    """How many homes are in each status: one query."""
    counts = dict(homes.order_by().values_list("compliance").annotate(n=Count("pk"))
                  .values_list("compliance", "n"))
    return {status: counts.get(status, 0) for status in ComplianceStatus.values}


def _per_status() -> dict:
    return {status: Count("pk", filter=Q(compliance=status)) for status in ComplianceStatus.values}


def compliance_by(homes: QuerySet, group: str, limit: int | None = None) -> list[dict]:
    """Counts per status for each council (``group="local_authority"``) or provider.

    Largest number of late returns first, then by name. One query.
    """
    rows = (homes.order_by().values(group, group_name=F(f"{group}__name"))
            .annotate(total=Count("pk"), **_per_status())
            .order_by(f"-{ComplianceStatus.LATE}", "group_name"))
    rows = rows[:limit] if limit else rows
    return [{**row, "statuses": [row[s] for s in ComplianceStatus.values]} for row in rows]


def compliance_bars(counts: dict[str, int]) -> list[tuple[str, int, str]]:
    return [(label, counts[value], STATUS_COLOURS[value])
            for value, label in ComplianceStatus.choices]


# --- Trends -----------------------------------------------------------------------------

@dataclass
class Trend:
    indicator: Indicator
    counts: list[tuple[dt.date, float | None]]
    rates: list[tuple[dt.date, float | None]] | None


def months_ending(last: dt.date, count: int = 24) -> list[dt.date]:
    return [add_months(last, -n) for n in range(count - 1, -1, -1)]


def rate_per_beds(value, occupied) -> float | None:
    """The value per 10 occupied beds, or nothing when there are no occupied beds."""
    if value is None or occupied in (None, "", 0):
        return None
    return round(float(value) / float(occupied) * RATE_PER, 2)


def home_trends(care_home, indicators, months: list[dt.date]) -> list[Trend]:
    """Each numeric indicator's submitted values for the home, month by month (one query)."""
    by_month = dict(MonthlyReturn.objects
                    .filter(care_home=care_home, month__gte=months[0], month__lte=months[-1])
                    .exclude(status=ReturnStatus.DRAFT).values_list("month", "values"))
    trends = []
    for indicator in indicators:
        if indicator.kind == IndicatorKind.TEXT:
            continue
        counts = [(m, _number(by_month.get(m, {}).get(indicator.key))) for m in months]
        rates = None
        if indicator.per_bed:
            rates = [(m, rate_per_beds(v, _number(by_month.get(m, {}).get("beds_occupied"))))
                     for m, v in counts]
        trends.append(Trend(indicator, counts, rates))
    return trends


def _number(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- Benchmark --------------------------------------------------------------------------

class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated between the middle two."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _json_number(key: str):
    """A numeric value out of ``values``; text that is not a number cannot get there, because
    every way in stores numbers (``validation.to_json``)."""
    return Cast(KT(f"values__{key}"), FloatField())


def returns_with_rate(returns: QuerySet, month: dt.date, key: str) -> QuerySet:
    """Submitted returns for ``month`` with ``value``, ``occupied`` and ``rate`` per 10 beds."""
    occupied = _json_number("beds_occupied")
    return (returns.filter(month=month).exclude(status=ReturnStatus.DRAFT)
            .annotate(value=_json_number(key), occupied=occupied)
            .annotate(rate=F("value") * RATE_PER / Func(F("occupied"), Value(0.0), function="NULLIF",
                                                        output_field=FloatField())))


def area_median(returns_rated: QuerySet) -> float | None:
    return returns_rated.filter(rate__isnull=False).aggregate(median=Median("rate"))["median"]


def benchmark_rows(returns_rated: QuerySet, median: float | None, sort: str) -> QuerySet:
    """The returns with a ``flagged`` mark (above 1.5 times the median), in ``sort`` order."""
    threshold = (median or 0) * FLAG_FACTOR
    flagged = Case(When(rate__gt=threshold, then=Value(True)), default=Value(False))
    return (returns_rated.annotate(flagged=flagged)
            .order_by(*BENCHMARK_SORTS.get(sort, BENCHMARK_SORTS["-rate"])))


BENCHMARK_SORTS = {
    "rate": [F("rate").asc(nulls_first=True), "care_home__name"],
    "-rate": [F("rate").desc(nulls_last=True), "care_home__name"],
    "name": ["care_home__name"],
    "-name": ["-care_home__name"],
    "council": ["care_home__local_authority__name", "care_home__name"],
    "-council": ["-care_home__local_authority__name", "care_home__name"],
}


# --- Export -----------------------------------------------------------------------------

def export_indicators(returns: QuerySet) -> list[Indicator]:
    """The questions of every version the returns use, newest version's order first, each
    key once, so a column means the same thing in every row (two queries)."""
    set_ids = list(returns.order_by().values_list("indicator_set", flat=True).distinct())
    seen, columns = set(), []
    for indicator in (Indicator.objects.filter(indicator_set__in=set_ids)
                      .order_by("-indicator_set__version", "order", "pk")):
        if indicator.key not in seen:
            seen.add(indicator.key)
            columns.append(indicator)
    return columns


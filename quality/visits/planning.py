"""Planning visits: which homes are due one, in what order, and who leads it.

A home is due its next visit six months after a published Requires improvement or Poor
rating and twelve months after any other (``timing.REVISIT_MONTHS``); a home never visited is
due now. The list puts the riskiest homes first: the JIG's risk rating for this month (red,
then amber, then green, then not rated), then the date the visit fell due (longest overdue
first), then the risk score.

The risk rating is read through the care home's ``risk_ratings`` relation, not by importing
``jig`` (nothing imports ``jig``; ARCHITECTURE.md).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Case,
    DateField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning import access

from ..choices import VISIT_OPEN_STATUSES, LeadOrganisation, VisitStatus
from ..models import Visit
from .timing import REVISIT_MONTHS, REVISIT_MONTHS_DEFAULT

# jig.choices.Rag's values, most worrying first (read, not imported).
RISK_RANK = {"red": 3, "amber": 2, "green": 1}


def lead_organisation_for(care_home: CareHome) -> LeadOrganisation:
    """Who leads a visit to this home, from ``settings.VISIT_LEAD_BY_REGISTRATION`` (by default
    the council for residential homes, the NHS for nursing homes, jointly for dual registered)."""
    value = settings.VISIT_LEAD_BY_REGISTRATION.get(care_home.registration_type, LeadOrganisation.JOINT)
    if value not in LeadOrganisation.values:
        raise ImproperlyConfigured(
            f"VISIT_LEAD_BY_REGISTRATION gives {value!r} for {care_home.registration_type}; "
            f"use one of {', '.join(LeadOrganisation.values)}.")
    return LeadOrganisation(value)


class PlusMonths(Func):
    """``date + n months`` in PostgreSQL, as a date (month ends clamp, like relativedelta)."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        return (f"CAST({date_sql} + make_interval(months => {months_sql}) AS date)",
                [*date_params, *months_params])


def _latest_published(field: str) -> Subquery:
    return Subquery(Visit.objects.filter(care_home=OuterRef("pk"), status=VisitStatus.PUBLISHED)
                    .order_by("-started_on", "-published_on", "-pk").values(field)[:1])


def homes_with_visit_state(homes: QuerySet, month: dt.date | None = None) -> QuerySet:
    """``homes`` annotated for planning (one query):

    * ``last_visit_on``, ``last_visit_rating``: the latest published visit's first day and rating;
    * ``next_visit_due_on``: when the next visit is due (None: never visited, due now);
    * ``open_visit_id``, ``open_visit_planned_on``: a visit already under way, if any;
    * ``risk_rag``, ``risk_score``, ``risk_rank`` (3 red … 0 not rated): the month's risk rating.
    """
    month = (month or timezone.localdate()).replace(day=1)
    open_visits = Visit.objects.filter(care_home=OuterRef("pk"), status__in=VISIT_OPEN_STATUSES)
    months = Case(*[When(last_visit_rating=rating, then=Value(n)) for rating, n in REVISIT_MONTHS.items()],
                  default=Value(REVISIT_MONTHS_DEFAULT), output_field=IntegerField())
    return (homes
            .annotate(last_visit_on=_latest_published("started_on"),
                      last_visit_rating=_latest_published("published_rating"),
                      open_visit_id=Subquery(open_visits.values("pk")[:1]),
                      open_visit_planned_on=Subquery(open_visits.values("planned_on")[:1]),
                      month_risk=FilteredRelation("risk_ratings", condition=Q(risk_ratings__month=month)))
            .annotate(next_visit_due_on=Case(When(last_visit_on__isnull=True, then=Value(None)),
                                             default=PlusMonths(F("last_visit_on"), months),
                                             output_field=DateField()),
                      risk_rag=F("month_risk__rag"), risk_score=F("month_risk__score"))
            .annotate(risk_rank=Case(*[When(risk_rag=rag, then=Value(rank))
                                       for rag, rank in RISK_RANK.items()],
                                     default=Value(0), output_field=IntegerField())))


def homes_due_a_visit(*, user, today: dt.date | None = None, within_days: int = 30,
                      include_scheduled: bool = False) -> QuerySet:
    """The homes this user may visit that are due a visit now or within ``within_days``,
    riskiest first (see the module docstring). Homes with a visit already under way are left
    out unless ``include_scheduled``; dormant and deregistered homes always are."""
    today = today or timezone.localdate()
    homes = access.restrict(
        CareHome.objects.select_related("provider", "local_authority", "nhs_commissioner")
        .exclude(status__in=[HomeStatus.DORMANT, HomeStatus.DEREGISTERED]),
        user, access.Action.VISIT)
    homes = homes_with_visit_state(homes, today).filter(
        Q(next_visit_due_on__isnull=True) | Q(next_visit_due_on__lte=today + dt.timedelta(days=within_days)))
    if not include_scheduled:
        homes = homes.filter(open_visit_id__isnull=True)
    return homes.order_by("-risk_rank", F("next_visit_due_on").asc(nulls_first=True),
                          F("risk_score").desc(nulls_last=True), "name", "pk")

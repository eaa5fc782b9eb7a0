"""Commissioners' views across homes: every open action (overdue first), and the CSV exports
of published visit ratings and of actions. Rows come from the selectors (``access``), so an
export holds what its reader may see; each page and export runs a fixed number of queries.
"""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from commissioning import access
from commissioning.exports import csv_response

from ..choices import ACTION_OUTSTANDING_STATUSES, ActionPlanStatus, Rating, StandardModule, VisitStatus
from ..models import Standard, VisitStandardRating
from ..visits import selectors
from .visit_filters import OpenActionFilterSet, VisitPageFilterSet
from .visit_helpers import A

PAGE_SIZE = 50
CHUNK = 500
VISIT_COLUMNS = ["Visit", "CQC location ID", "Care home", "Provider", "Council", "NHS commissioner",
                 "Registration type", "Announced or unannounced", "Led by", "Visit started",
                 "Hours at the home", "Published", "Framework version", "Overall rating"]
ACTION_COLUMNS = ["Action", "Visit", "CQC location ID", "Care home", "Provider", "Council",
                  "Report published", "Plan status", "Plan due", "Standard", "Standard title",
                  "Action description", "Owner", "Target date", "Status", "Overdue", "Overdue since",
                  "Completed on", "Verified on"]


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_GET
def open_actions(request):
    """Every action not yet verified in a submitted plan, across the user's homes, overdue first."""
    access.require(request.user, A.VISIT)
    filterset = OpenActionFilterSet(request.GET or None,
                                    queryset=selectors.open_actions_visible_to(request.user))
    actions = filterset.qs.select_related("plan__visit__care_home__local_authority")
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = _querystring(request)
    return render(request, "quality/visits/open_actions.html", {
        "filterset": filterset, "page_obj": page, "actions": page.object_list,
        "today": timezone.localdate(),
        "querystring_without_page": f"{querystring}&" if querystring else "", "querystring": querystring,
        "can_export": access.allowed(request.user, A.EXPORT),
    })


def _d(value) -> str:
    return value.isoformat() if value else ""


def _day(moment) -> str:
    """The UK date of a moment."""
    return timezone.localdate(moment).isoformat() if moment else ""


@login_required
@require_GET
def ratings_export(request):
    """One row per published visit: the home, the dates, the overall and module ratings and each
    standard's published rating (a column per standard code across the versions exported)."""
    access.require(request.user, A.EXPORT)
    visits = VisitPageFilterSet(request.GET or None, queryset=selectors.visits_visible_to(
        request.user, A.EXPORT)).qs.filter(status=VisitStatus.PUBLISHED).order_by("-published_on", "pk")
    standards = (Standard.objects.filter(version__in=visits.values("framework_version"))
                 .order_by("-version__number", "domain__order", "order"))
    columns: dict[str, str] = {}
    for standard in standards:  # the newest version's title for each code
        columns.setdefault(standard.code, f"Standard {standard.code}: {standard.title}")
    modules = [m for m in StandardModule if m != StandardModule.CORE]
    header = VISIT_COLUMNS + [f"{m.label} rating" for m in modules] + list(columns.values())

    def rows():
        chunk = []
        for visit in visits.iterator(chunk_size=CHUNK):
            chunk.append(visit)
            if len(chunk) == CHUNK:
                yield from _rating_rows(chunk, modules, columns)
                chunk = []
        yield from _rating_rows(chunk, modules, columns)

    return csv_response(f"visit-ratings-{timezone.localdate():%Y-%m-%d}.csv", header, rows())


def _rating_rows(visits, modules, columns):
    if not visits:
        return
    ratings = defaultdict(dict)
    for visit_id, code, rating in VisitStandardRating.objects.filter(visit__in=visits).values_list(
            "visit_id", "standard__code", "published_rating"):
        ratings[visit_id][code] = rating
    for v in visits:
        home = v.care_home
        detail = (v.published_detail or {}).get("modules") or {}
        yield [v.pk, home.cqc_location_id, home.name, home.provider.name,
               home.local_authority.name if home.local_authority else "",
               home.nhs_commissioner.name if home.nhs_commissioner else "",
               home.get_registration_type_display(),
               v.get_kind_display(), v.get_lead_organisation_display(), _d(v.started_on),
               v.duration_hours or "", _d(v.published_on), v.framework_version.number,
               v.get_published_rating_display()] + [
            _label((detail.get(m.value) or {}).get("rating")) for m in modules] + [
            _label(ratings[v.pk].get(code)) for code in columns]


def _label(rating) -> str:
    return Rating(rating).label if rating in Rating.values else ""


@login_required
@require_GET
def actions_export(request):
    """One row per action of the plans the user may see, with its status and whether it is overdue."""
    access.require(request.user, A.EXPORT)
    visible = selectors.plan_actions_visible_to(request.user, A.EXPORT)
    actions = (OpenActionFilterSet(request.GET or None, queryset=visible).qs
               .select_related("plan__visit__care_home__local_authority")
               .order_by("plan__visit__care_home__name", "plan", "standard__domain__order", "standard__order",
                         "target_on", "pk"))
    today = timezone.localdate()

    def rows():
        for a in actions.iterator(chunk_size=2000):
            plan, visit = a.plan, a.plan.visit
            home = visit.care_home
            overdue = (plan.status == ActionPlanStatus.SUBMITTED and a.status in ACTION_OUTSTANDING_STATUSES
                       and a.target_on < today)
            yield [a.pk, visit.pk, home.cqc_location_id, home.name, home.provider.name,
                   home.local_authority.name if home.local_authority else "", _d(visit.published_on),
                   plan.get_status_display(), _d(plan.due_on), a.standard.code, a.standard.title,
                   a.description, a.owner, _d(a.target_on), a.get_status_display(),
                   "Yes" if overdue else "No", _d(a.overdue_since), _day(a.completed_on), _day(a.verified_on)]

    return csv_response(f"visit-actions-{today:%Y-%m-%d}.csv", ACTION_COLUMNS, rows())


urlpatterns = [
    path("actions/", open_actions, name="open-actions"),
    path("export/ratings.csv", ratings_export, name="ratings-export"),
    path("export/actions.csv", actions_export, name="actions-export"),
]

"""Pages for planning visits: homes due a visit, scheduling one, the list of visits and a visit's
own page with its officers, dates, log and next steps (docs/visits.md, "Pages").

Reads come from ``quality.visits.selectors`` and ``planning.homes_due_a_visit``; every write is a
service call, whose refusal is shown in words.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carehomes.selectors import carehome_for, carehomes_visible_to
from commissioning import access
from commissioning.models import Organisation

from ..choices import VISIT_OPEN_STATUSES
from ..models import VisitOfficer
from ..visit_forms import OfficerAddForm, ReasonForm, RescheduleForm, ScheduleForm, add_service_errors
from ..visits import selectors, services
from ..visits.planning import homes_due_a_visit, lead_organisation_for
from ..visits.timing import REVISIT_MONTHS, REVISIT_MONTHS_DEFAULT
from .visit_filters import PLANNING_SORTS, PlanningForm, VisitPageFilterSet
from .visit_helpers import A, abilities, condensed_events, posted, refused, to_visit, visit_or_404

PAGE_SIZE = 25
PLANNING_PAGE_SIZE = 50
SORT_LABELS = {"name": "Care home", "last": "Last visit", "due": "Next visit due"}


def _querystring(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _sort_header(request, field: str, label: str, current: str) -> dict:
    """A column heading that sorts by it; a second click on "due" reverses the order."""
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{field}" if current == field and f"-{field}" in PLANNING_SORTS else field
    aria = "ascending" if current == field else "descending" if current == f"-{field}" else "none"
    return {"field": field, "label": label, "href": f"?{params.urlencode()}", "aria_sort": aria}


@login_required
@require_GET
def visit_list(request):
    """Every visit the user may see: officers all their homes' visits, a provider its shared
    reports, others published reports. Filtered, newest first, a page at a time."""
    access.require(request.user, A.VIEW)
    visits = selectors.visits_visible_to(request.user).prefetch_related(
        Prefetch("visit_officers", queryset=VisitOfficer.objects.select_related("user")))
    filterset = VisitPageFilterSet(request.GET or None, queryset=visits)
    page = Paginator(filterset.qs.order_by("-planned_on", "care_home__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    querystring = _querystring(request)
    return render(request, "quality/visits/visit_list.html", {
        "filterset": filterset, "page_obj": page, "visits": page.object_list,
        "querystring_without_page": f"{querystring}&" if querystring else "", "querystring": querystring,
        "can_visit": access.allowed(request.user, A.VISIT),
        "can_respond": access.allowed(request.user, A.RESPOND_TO_REPORT),
        "can_export": access.allowed(request.user, A.EXPORT),
        "can_change": access.allowed(request.user, A.CHANGE),
    })


@login_required
@require_GET
def planning(request):
    """Homes due a visit, riskiest first, with the last visit, the due date and who leads."""
    access.require(request.user, A.VISIT)
    homes_visited = carehomes_visible_to(request.user, A.VISIT).order_by().values("local_authority")
    councils = Organisation.objects.filter(pk__in=homes_visited).order_by("name")
    form = PlanningForm(request.GET or None, councils=councils)
    homes = homes_due_a_visit(user=request.user, within_days=form.within_days(),
                              include_scheduled=bool(form.value("scheduled")))
    homes = form.apply(homes)
    page = Paginator(homes, PLANNING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"home": home, "lead": lead_organisation_for(home).label} for home in page.object_list]
    querystring = _querystring(request)
    sort = form.sort_key()
    return render(request, "quality/visits/planning.html", {
        "form": form, "page_obj": page, "rows": rows, "today": timezone.localdate(),
        "querystring_without_page": f"{querystring}&" if querystring else "",
        "headers": {field: _sort_header(request, field, label, sort) for field, label in SORT_LABELS.items()},
        "risk_sorted": sort == "risk", "risk_sort_href": f"?{_querystring(request, ('page', 'sort'))}",
        "revisit_months": {r.label: n for r, n in REVISIT_MONTHS.items()},
        "revisit_default": REVISIT_MONTHS_DEFAULT,
    })


@login_required
@require_http_methods(["GET", "POST"])
def visit_schedule(request, cqc_location_id):
    """Plan a visit to one home: when, announced or not, for how long, who goes and who leads."""
    access.require(request.user, A.VISIT)
    home = carehome_for(request.user, cqc_location_id, A.VISIT)
    under_way = selectors.visits_visible_to(request.user, A.VISIT).filter(
        care_home=home, status__in=VISIT_OPEN_STATUSES).first()
    lead = lead_organisation_for(home)
    form = ScheduleForm(posted(request), care_home=home, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_schedule(
                care_home=home, user=request.user, planned_on=data["planned_on"], kind=data["kind"],
                planned_days=data["planned_days"], lead_organisation=data["lead_organisation"],
                officers=list(data["officers"]), lead_officer=data["lead_officer"], notes=data["notes"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The visit to {home.name} is planned for "
                                      f"{visit.planned_on:%-d %B %Y}.")
            return to_visit(visit)
    return render(request, "quality/visits/schedule.html", {
        "home": home, "form": form, "under_way": under_way, "lead": lead,
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def visit_detail(request, pk):
    """The visit: where it has got to, who is on it, its dates and log, and what to do next."""
    visit = visit_or_404(request, pk)
    can = abilities(request.user, visit)
    officers = list(visit.visit_officers.select_related("user", "organisation"))
    events = selectors.visit_events_visible_to(request.user, visit)
    plan = selectors.action_plans_visible_to(request.user).filter(visit=visit).first()
    return render(request, "quality/visits/visit_detail.html", {
        "visit": visit, "home": visit.care_home, "can": can, "officers": officers,
        "events": condensed_events(events), "plan": plan,
        "comments_waiting": visit.comments.filter(response__isnull=True).count() if can["officer"] else 0,
        "open_review": visit.senior_reviews.filter(completed_on__isnull=True).first(),
        "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def visit_reschedule(request, pk):
    visit = visit_or_404(request, pk, A.VISIT)
    form = RescheduleForm(posted(request), initial={
        "planned_on": visit.planned_on, "planned_days": visit.planned_days, "kind": visit.kind})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_reschedule(visit=visit, user=request.user, planned_on=data["planned_on"],
                                      reason=data["reason"], planned_days=data["planned_days"],
                                      kind=data["kind"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The visit is now planned for {data['planned_on']:%-d %B %Y}.")
            return to_visit(visit)
    return render(request, "quality/visits/reschedule.html", {"visit": visit, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def visit_officers(request, pk):
    """Put officers from the council or the NHS on the visit, or take them off."""
    visit = visit_or_404(request, pk, A.VISIT)
    form = OfficerAddForm(posted(request), care_home=visit.care_home)
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            services.visit_officer_assign(visit=visit, user=request.user, officer=officer,
                                          is_lead=form.cleaned_data["is_lead"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{officer.full_name or officer.email} is on the visit.")
            return redirect("visits:visit-officers", pk=visit.pk)
    return render(request, "quality/visits/officers.html", {
        "visit": visit, "form": form, "can": abilities(request.user, visit),
        "officers": list(visit.visit_officers.select_related("user", "organisation")),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def visit_officer_remove(request, pk, user_pk):
    visit = visit_or_404(request, pk, A.VISIT)
    assignment = visit.visit_officers.select_related("user").filter(user_id=user_pk).first()
    if assignment is None:
        return redirect("visits:visit-officers", pk=visit.pk)
    try:
        services.visit_officer_remove(visit=visit, user=request.user, officer=assignment.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"{assignment.user} is no longer on the visit.")
    return redirect("visits:visit-officers", pk=visit.pk)


@login_required
@require_POST
def visit_start(request, pk):
    visit = visit_or_404(request, pk, A.VISIT)
    try:
        services.visit_start(visit=visit, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
        return to_visit(visit)
    messages.success(request, "The visit has started. Score each question as you go: it saves by itself.")
    return redirect("visits:assessment", pk=visit.pk)


@login_required
@require_http_methods(["GET", "POST"])
def visit_cancel(request, pk):
    visit = visit_or_404(request, pk, A.VISIT)
    form = ReasonForm(posted(request), label="Why is the visit cancelled?",
                      help_text="The visit is kept, with this reason.")
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_cancel(visit=visit, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The visit has been cancelled.")
            return to_visit(visit)
    return render(request, "quality/visits/reason_form.html", {
        "visit": visit, "form": form, "title": "Cancel the visit", "button": "Cancel the visit",
        "warning": True,
    }, status=400 if form.errors else 200)


urlpatterns = [
    path("", visit_list, name="visit-list"),
    path("planning/", planning, name="planning"),
    path("planning/<str:cqc_location_id>/schedule/", visit_schedule, name="visit-schedule"),
    path("<int:pk>/", visit_detail, name="visit-detail"),
    path("<int:pk>/reschedule/", visit_reschedule, name="visit-reschedule"),
    path("<int:pk>/officers/", visit_officers, name="visit-officers"),
    path("<int:pk>/officers/<int:user_pk>/remove/", visit_officer_remove, name="visit-officer-remove"),
    path("<int:pk>/start/", visit_start, name="visit-start"),
    path("<int:pk>/cancel/", visit_cancel, name="visit-cancel"),
]

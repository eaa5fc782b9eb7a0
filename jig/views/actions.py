"""Pages: the JIG's actions and the planning applications for new care homes it is told of.

Actions are agreed at a meeting by the chair (who has signed its statement), owned by an
organisation and a person, and carried forward until done or cancelled; overdue ones are
highlighted. A training action has a theme. Members record planning notices; the chair
records the group's decision, with reasons, at a quorate meeting.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access
from quality.charts import bar_chart

from .. import meeting_selectors as sel
from .. import member_selectors as members
from ..choices import JigActionStatus
from ..intelligence_forms import ActionForm, ActionUpdateForm, PlanningApplicationForm, PlanningDecisionForm
from ..intelligence_services import (
    action_create,
    action_update,
    planning_application_record,
    planning_decision_record,
)
from ..meeting_filtersets import JigActionFilterSet, PlanningApplicationFilterSet
from .jig_helpers import (
    A,
    meeting_or_404,
    posted,
    querystring_without,
    require_member_area,
    service_errors,
    sign_first,
)

PAGE_SIZE = 50
ACTION_COLOURS = {JigActionStatus.OPEN: "#005eb8", JigActionStatus.IN_PROGRESS: "#41b6e6",
                  JigActionStatus.DONE: "#007f3b", JigActionStatus.CANCELLED: "#768692"}


def _page(request, queryset):
    querystring = querystring_without(request, "page")
    return (Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")),
            f"{querystring}&" if querystring else "")


def _require_chair(user, meeting) -> None:
    if not sel.is_chair(user, meeting.group):
        raise PermissionDenied("Only the group's chair or co-chair can do this.")


# --- Actions ---------------------------------------------------------------------------------


@login_required
@require_GET
def action_list(request):
    require_member_area(request.user)
    filterset = JigActionFilterSet(request.GET or None,
                                   queryset=sel.with_overdue(sel.actions_visible_to(request.user)))
    page, querystring = _page(request, filterset.qs.order_by("due_on", "pk"))
    chaired = {s.group_id for s in sel.seats(request.user) if sel.is_chair(request.user, s.group)}
    counts = members.action_counts(filterset.qs)
    bars = [(JigActionStatus(status).label, counts[status], ACTION_COLOURS[status])
            for status in JigActionStatus.values]
    bars.insert(2, ("Overdue (of open and in progress)", counts["overdue"], "#d5281b"))
    return render(request, "jig/meetings/action_list.html", {
        "filterset": filterset, "page_obj": page, "querystring_without_page": querystring,
        "chart": bar_chart(bars, title="These actions by status", category="Status", measure="Actions"),
        "actions": [{"action": a,
                     "may_update": a.owner_id == request.user.pk or a.meeting.group_id in chaired}
                    for a in page.object_list]})


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request, pk: int):
    """The chair records an action agreed at the meeting (a training action with a theme)."""
    meeting = meeting_or_404(request.user, pk)
    _require_chair(request.user, meeting)
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    people = [seat.user for seat in members.meeting_members(meeting)]
    homes = [flag.care_home for flag in sel.meeting_flags(meeting)]
    form = ActionForm(posted(request), people=people, homes=homes,
                      initial={"care_home": request.GET.get("home")})
    if request.method == "POST" and form.is_valid():
        try:
            action = action_create(meeting=meeting, user=request.user, **form.service_values())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            kind = "training action" if action.is_training else "action"
            messages.success(request, f"The {kind} is recorded: it stays on the agenda until it is done.")
            return redirect(reverse("jig:meeting-detail", args=[meeting.pk]) + "#actions")
    return render(request, "jig/meetings/action_form.html", {"meeting": meeting, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def action_update_page(request, pk: int):
    """The owner or the chair records progress and status; the chair also moves the due date."""
    access.require(request.user, A.JIG_MEMBER_AREA)
    action = members.action_for(request.user, pk)
    chair = sel.is_chair(request.user, action.meeting.group)
    if not (chair or action.owner_id == request.user.pk):
        raise PermissionDenied("Only the action's owner or the group's chair can update it.")
    form = ActionUpdateForm(posted(request), chair=chair, initial={
        "status": action.status, "progress_note": action.progress_note, "due_on": action.due_on})
    if request.method == "POST" and form.is_valid():
        try:
            action_update(action=action, user=request.user, status=form.cleaned_data["status"],
                          progress_note=form.cleaned_data["progress_note"],
                          due_on=form.cleaned_data.get("due_on"))
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, "The action is updated.")
            return redirect("jig:action-list")
    return render(request, "jig/meetings/action_update.html", {
        "action": action, "form": form, "overdue": action.is_overdue_on()})


# --- Planning applications -------------------------------------------------------------------


@login_required
@require_GET
def planning_list(request):
    require_member_area(request.user)
    filterset = PlanningApplicationFilterSet(request.GET or None,
                                             queryset=sel.planning_applications_visible_to(request.user))
    page, querystring = _page(request, filterset.qs)
    return render(request, "jig/meetings/planning_list.html", {
        "filterset": filterset, "page_obj": page, "querystring_without_page": querystring,
        "applications": page.object_list, "may_record": members.voting_groups(request.user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def planning_new(request):
    require_member_area(request.user)
    groups = list(members.voting_groups(request.user))
    if not groups:
        raise PermissionDenied("Only the group's chairs and members record planning notices.")
    form = PlanningApplicationForm(posted(request), groups=groups)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        group = form.groups[data.pop("group")] if "group" in data else groups[0]
        try:
            application = planning_application_record(group=group, user=request.user, **data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"The notice of {application.reference} is recorded for the group to "
                                      "decide at a meeting.")
            return redirect("jig:planning-list")
    return render(request, "jig/meetings/planning_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def planning_decide(request, pk: int, application_pk: int):
    meeting = meeting_or_404(request.user, pk)
    _require_chair(request.user, meeting)
    refusal = sign_first(request, meeting)
    if refusal:
        return refusal
    application = members.planning_application_for(request.user, application_pk)
    if application.group_id != meeting.group_id:
        raise Http404("Not found")
    form = PlanningDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            planning_decision_record(application=application, meeting=meeting, user=request.user,
                                     decision=form.cleaned_data["decision"],
                                     reasons=form.cleaned_data["reasons"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, f"The group's decision on {application.reference} is recorded.")
            return redirect(reverse("jig:meeting-detail", args=[meeting.pk]) + "#planning")
    return render(request, "jig/meetings/planning_decide.html", {
        "meeting": meeting, "application": application, "form": form, "quorum": sel.meeting_quorum(meeting)})


urlpatterns = [
    path("actions/", action_list, name="action-list"),
    path("meetings/<int:pk>/actions/new/", action_new, name="action-new"),
    path("actions/<int:pk>/", action_update_page, name="action-update"),
    path("planning/", planning_list, name="planning-list"),
    path("planning/new/", planning_new, name="planning-new"),
    path("meetings/<int:pk>/planning/<int:application_pk>/decision/", planning_decide,
         name="planning-decide"),
]

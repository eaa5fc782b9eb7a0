"""Pages for action plans: the provider writes the plan (an action with an owner and a target
date for each shortfall) and submits it, then moves its actions along; officers verify or
reopen them. The buttons each person sees come from ``TRANSITIONS``, the services' own table.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import access

from ..choices import ActionPlanStatus, PlanActionStatus
from ..models import ActionUpdate, PlanAction, Standard, VisitStandardRating
from ..visit_forms import ActionForm, MoveForm, add_service_errors
from ..visits import selectors, services
from ..visits.action_plans import OFFICER, PROVIDER
from .visit_helpers import A, download, posted, posted_files, refused

S = PlanActionStatus
MOVE_LABELS = {S.IN_PROGRESS: "Start", S.COMPLETED: "Mark as completed", S.VERIFIED: "Verify",
               S.REOPENED: "Reopen"}
NEEDS_FORM = (S.COMPLETED, S.REOPENED)  # evidence or a reason; the others are one press
PAGE_SIZE = 25


def _plan_for(request, pk, action=A.VIEW):
    access.require(request.user, action)
    return selectors.action_plan_for(request.user, pk, action)


def _action_for(request, plan, action_pk, action=A.VIEW) -> PlanAction:
    actions = access.restrict(PlanAction.objects.filter(plan=plan), request.user, action)
    found = actions.filter(pk=action_pk).select_related("standard", "plan__visit").first()
    if found is None:
        raise Http404("No such action")
    return found


def _parties(user, plan) -> dict:
    return {PROVIDER: access.can(user, A.RESPOND_TO_REPORT, plan), OFFICER: access.can(user, A.VISIT, plan)}


def moves_for(action, plan, parties) -> list[dict]:
    """The moves this user may make on this action now, from ``TRANSITIONS``."""
    if plan.status != ActionPlanStatus.SUBMITTED:
        return []
    return [{"to": to, "label": MOVE_LABELS[to], "form": to in NEEDS_FORM}
            for to, transition in services.TRANSITIONS.items()
            if action.status in transition.from_statuses and parties[transition.by]]


@login_required
@require_GET
def plan_list(request):
    """The action plans of the homes this user may see: providers reach theirs here."""
    access.require(request.user, A.VIEW)
    plans = selectors.action_plans_visible_to(request.user).order_by("status", "due_on", "pk")
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/visits/plan_list.html", {
        "page_obj": page, "plans": page.object_list, "querystring_without_page": "",
        "can_visit": access.allowed(request.user, A.VISIT),
    })


def plan_page(request, plan, *, gaps_error=None, status=200):
    plan = selectors.plan_with_actions(plan)
    parties = _parties(request.user, plan)
    shortfalls = services.action_plan_shortfalls(plan)
    actions = list(plan.actions.all())
    rows = [{"shortfall": s, "actions": [a for a in actions if a.standard_id == s.standard_id]}
            for s in shortfalls]
    shortfall_ids = {s.standard_id for s in shortfalls}
    others = [a for a in actions if a.standard_id not in shortfall_ids]
    awaiting = plan.status == ActionPlanStatus.AWAITING
    for a in actions:
        a.moves = moves_for(a, plan, parties)
        a.is_changeable = (parties[PROVIDER] and a.status != S.VERIFIED
                           and plan.status != ActionPlanStatus.CLOSED)
    return render(request, "quality/visits/plan.html", {
        "plan": plan, "visit": plan.visit, "home": plan.visit.care_home, "rows": rows, "others": others,
        "provider": parties[PROVIDER], "officer": parties[OFFICER], "awaiting": awaiting,
        "gaps": gaps_error if gaps_error is not None else (services.action_plan_gaps(plan)
                                                           if awaiting and parties[PROVIDER] else []),
        "gaps_error": gaps_error is not None,
    }, status=status)


@login_required
@require_GET
def plan_detail(request, pk):
    return plan_page(request, _plan_for(request, pk))


def _standards_for(plan):
    rated = VisitStandardRating.objects.filter(visit=plan.visit_id).values("standard")
    return Standard.objects.filter(pk__in=rated).order_by("domain__order", "order")


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request, pk):
    plan = _plan_for(request, pk, A.RESPOND_TO_REPORT)
    initial = {"standard": request.GET["standard"]} if request.GET.get("standard", "").isdigit() else {}
    form = ActionForm(posted(request), standards=_standards_for(plan), initial=initial,
                      submitted=plan.status != ActionPlanStatus.AWAITING)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_add(plan=plan, user=request.user, standard=data["standard"],
                                     description=data["description"], owner=data["owner"],
                                     target_on=data["target_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Action added for standard {data['standard'].code}.")
            return redirect("visits:action-plan", pk=plan.pk)
    return render(request, "quality/visits/action_form.html", {"plan": plan, "form": form, "action": None},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk, action_pk):
    plan = _plan_for(request, pk, A.RESPOND_TO_REPORT)
    action = _action_for(request, plan, action_pk, A.RESPOND_TO_REPORT)
    form = ActionForm(posted(request), standards=_standards_for(plan), editing=True,
                      submitted=plan.status != ActionPlanStatus.AWAITING,
                      initial={"description": action.description, "owner": action.owner,
                               "target_on": action.target_on})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_update(action=action, user=request.user, description=data["description"],
                                        owner=data["owner"], target_on=data["target_on"],
                                        reason=data.get("reason", ""))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The action has been changed.")
            return redirect("visits:action-plan", pk=plan.pk)
    return render(request, "quality/visits/action_form.html", {"plan": plan, "form": form, "action": action},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def action_remove(request, pk, action_pk):
    plan = _plan_for(request, pk, A.RESPOND_TO_REPORT)
    action = _action_for(request, plan, action_pk, A.RESPOND_TO_REPORT)
    try:
        services.plan_action_remove(action=action, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "The action has been removed.")
    return redirect("visits:action-plan", pk=plan.pk)


@login_required
@require_POST
def plan_submit(request, pk):
    """Submit the plan; refused with each gap listed until every shortfall has an action."""
    plan = _plan_for(request, pk, A.RESPOND_TO_REPORT)
    try:
        services.action_plan_submit(plan=plan, user=request.user)
    except services.ActionPlanIncomplete as exc:
        return plan_page(request, plan, gaps_error=exc.gaps, status=400)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Your action plan has been submitted. Update each action as it moves on.")
    return redirect("visits:action-plan", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def action_move(request, pk, action_pk, to_status):
    """Start, complete (with evidence), verify or reopen (with a reason) one action."""
    if to_status not in services.TRANSITIONS:
        raise Http404("No such move")
    plan = _plan_for(request, pk)
    action = _action_for(request, plan, action_pk)
    moves = moves_for(action, plan, _parties(request.user, plan))
    move = next((m for m in moves if m["to"] == to_status), None)
    form = MoveForm(posted(request), posted_files(request), to_status=to_status)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_move(action=action, user=request.user, to_status=to_status,
                                      note=data.get("note", ""), evidence=data.get("evidence", ""),
                                      file=data.get("file"))
        except ValidationError as exc:
            if to_status not in NEEDS_FORM:
                refused(request, exc)
                return redirect("visits:action-plan", pk=plan.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The action is now {S(to_status).label.lower()}.")
            return redirect(reverse("visits:action-plan", args=[plan.pk]) + f"#action-{action.pk}")
    if move is None and request.method == "GET":
        messages.info(request, f"This action cannot become {S(to_status).label.lower()} now.")
        return redirect("visits:action-plan", pk=plan.pk)
    return render(request, "quality/visits/action_move.html", {
        "plan": plan, "action": action, "form": form, "to_status": to_status,
        "title": MOVE_LABELS[to_status],
    }, status=400 if form.errors else 200)


def _files_plan_for(request, pk):
    """Evidence files are the provider's: its staff and the officers open them, nobody else."""
    plan = _plan_for(request, pk)
    if not any(_parties(request.user, plan).values()):
        raise Http404("No such file")
    return plan


@login_required
@require_GET
def action_file(request, pk, action_pk):
    plan = _files_plan_for(request, pk)
    action = _action_for(request, plan, action_pk)
    return download(action.completion_file, action.completion_file.name.rsplit("/", 1)[-1])


@login_required
@require_GET
def update_file(request, pk, update_pk):
    plan = _files_plan_for(request, pk)
    update = access.restrict(ActionUpdate.objects.filter(action__plan=plan), request.user).filter(
        pk=update_pk).first()
    if update is None:
        raise Http404("No such file")
    return download(update.evidence_file, update.evidence_file.name.rsplit("/", 1)[-1])


urlpatterns = [
    path("plans/", plan_list, name="action-plans"),
    path("plans/<int:pk>/", plan_detail, name="action-plan"),
    path("plans/<int:pk>/submit/", plan_submit, name="action-plan-submit"),
    path("plans/<int:pk>/actions/add/", action_add, name="action-add"),
    path("plans/<int:pk>/actions/<int:action_pk>/edit/", action_edit, name="action-edit"),
    path("plans/<int:pk>/actions/<int:action_pk>/remove/", action_remove, name="action-remove"),
    path("plans/<int:pk>/actions/<int:action_pk>/file/", action_file, name="action-file"),
    path("plans/<int:pk>/actions/<int:action_pk>/move/<str:to_status>/", action_move, name="action-move"),
    path("plans/<int:pk>/updates/<int:update_pk>/file/", update_file, name="action-update-file"),
]

"""Writes for action plans: the provider writes and submits the plan, moves its actions along;
officers verify completed actions or reopen them (docs/visits.md).

An action's moves, who makes each, and from which states (``TRANSITIONS``)::

    open ──► in progress ──► completed ──► verified (closed)
      │  └──────────────────►    │
      └──── reopened ◄───────────┘ (officer, with a reason) ──► in progress / completed

The provider (``Action.RESPOND_TO_REPORT``) starts and completes actions (completing needs
evidence); an officer (``Action.VISIT``) verifies or reopens them. When every action is
verified the plan closes.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import access

from ..choices import (
    SHORTFALL_RATINGS,
    ActionPlanStatus,
    PlanActionStatus,
    VisitEventKind,
)
from ..models import ActionPlan, ActionUpdate, PlanAction, Standard, Visit, VisitStandardRating
from .events import event_record, home_rerate_later, require_can
from .timing import action_plan_due_on

A = access.Action
S = PlanActionStatus
PROVIDER, OFFICER = "provider", "officer"


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[str]
    by: str  # PROVIDER or OFFICER

    @property
    def access_action(self) -> access.Action:
        return A.RESPOND_TO_REPORT if self.by == PROVIDER else A.VISIT


TRANSITIONS: dict[str, Transition] = {
    S.IN_PROGRESS: Transition(frozenset({S.OPEN, S.REOPENED}), PROVIDER),
    S.COMPLETED: Transition(frozenset({S.OPEN, S.IN_PROGRESS, S.REOPENED}), PROVIDER),
    S.VERIFIED: Transition(frozenset({S.COMPLETED}), OFFICER),
    S.REOPENED: Transition(frozenset({S.COMPLETED}), OFFICER),
}
PROVIDER_ONLY = "Only the home's provider can change its action plan."


class ActionPlanIncomplete(ValidationError):
    """The plan cannot be submitted yet: ``gaps`` lists what is missing, in words."""

    def __init__(self, gaps: list[str]):
        self.gaps = gaps
        super().__init__(gaps)


def action_plan_require(*, visit: Visit, reasons: list[str]) -> ActionPlan:
    """Called on publication: the provider must now submit an action plan within 14 days."""
    plan = ActionPlan(visit=visit, due_on=action_plan_due_on(visit.published_on),
                      required_because="; ".join(reasons)[:300])
    plan.full_clean(exclude=["visit"])
    plan.save()
    event_record(visit=visit, kind=VisitEventKind.PLAN_CREATED, user=None,
                 summary=f"Action plan required by {plan.due_on:%d/%m/%Y} ({plan.required_because}).",
                 plan=plan.pk, due_on=plan.due_on.isoformat())
    return plan


def action_plan_shortfalls(plan: ActionPlan) -> list[VisitStandardRating]:
    """The visit's shortfalls: standards published as Requires improvement or Poor."""
    return list(VisitStandardRating.objects
                .filter(visit=plan.visit_id, published_rating__in=SHORTFALL_RATINGS)
                .select_related("standard").order_by("standard__domain__order", "standard__order"))


def action_plan_gaps(plan: ActionPlan) -> list[str]:
    """What stops the plan being submitted: shortfalls with no action, and actions with no
    owner or target date (an empty list when it can be submitted)."""
    actions = list(plan.actions.select_related("standard"))
    covered = {a.standard_id for a in actions}
    gaps = [f"Standard {r.standard.code} ({r.standard.title}) is rated {r.get_published_rating_display()} "
            "and has no action." for r in action_plan_shortfalls(plan) if r.standard_id not in covered]
    for action in actions:
        named = f"The action “{action.description[:60]}” for standard {action.standard.code}"
        if not action.owner.strip():
            gaps.append(f"{named} has no owner.")
        if not action.target_on:
            gaps.append(f"{named} has no target date.")
    if not actions:
        gaps.append("Add at least one action.")
    return gaps


def _plan_lock(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update(of=("self",)).select_related("visit").get(pk=plan.pk)


def _check_action_fields(plan: ActionPlan, standard: Standard, target_on: dt.date) -> None:
    if not VisitStandardRating.objects.filter(visit=plan.visit_id, standard=standard).exists():
        raise ValidationError({"standard": "Choose one of the standards this visit rated."})
    if target_on < timezone.localdate():
        raise ValidationError({"target_on": "The target date cannot be in the past."})


@transaction.atomic
def plan_action_add(*, plan: ActionPlan, user, standard: Standard, description: str, owner: str,
                    target_on: dt.date) -> PlanAction:
    """Add an action to put a shortfall right, with the member of staff who owns it and a target date."""
    require_can(user, A.RESPOND_TO_REPORT, plan, PROVIDER_ONLY)
    plan = _plan_lock(plan)
    if plan.status == ActionPlanStatus.CLOSED:
        raise ValidationError("This action plan is closed.")
    _check_action_fields(plan, standard, target_on)
    action = PlanAction(plan=plan, standard=standard, description=description.strip(), owner=owner.strip(),
                        target_on=target_on, created_by=user, modified_by=user)
    action.full_clean()
    action.save()
    ActionUpdate.objects.create(action=action, to_status=action.status, note="Action added.", by=user)
    event_record(visit=plan.visit, kind=VisitEventKind.ACTION_ADDED, user=user,
                 summary=f"Action for standard {standard.code}, owned by {action.owner}, "
                         f"by {target_on:%d/%m/%Y}.", action=action.pk)
    return action


def _action_fields(action: PlanAction) -> dict:
    return {"description": action.description, "owner": action.owner,
            "target_on": action.target_on.isoformat()}


@transaction.atomic
def plan_action_update(*, action: PlanAction, user, description: str | None = None, owner: str | None = None,
                       target_on: dt.date | None = None, reason: str = "") -> PlanAction:
    """Change an action's description, owner or target date. Once the plan is submitted, a
    reason is required and kept; a verified action no longer changes."""
    require_can(user, A.RESPOND_TO_REPORT, action, PROVIDER_ONLY)
    plan = _plan_lock(action.plan)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    if action.status == S.VERIFIED:
        raise ValidationError("A verified action cannot change.")
    if plan.status != ActionPlanStatus.AWAITING and not reason.strip():
        raise ValidationError({"reason": "Say why the submitted action is changing"})
    before = _action_fields(action)
    if target_on is not None and target_on != action.target_on:
        _check_action_fields(plan, action.standard, target_on)
        action.target_on = target_on
    action.description = description.strip() if description is not None else action.description
    action.owner = owner.strip() if owner is not None else action.owner
    action.modified_by = user
    action.full_clean()
    action.save()
    after = _action_fields(action)
    ActionUpdate.objects.create(action=action, from_status=action.status, to_status=action.status,
                                note=reason.strip() or "Action changed.", by=user)
    event_record(visit=plan.visit, kind=VisitEventKind.ACTION_CHANGED, user=user,
                 summary=f"Action for standard {action.standard.code} changed."
                         + (f" {reason.strip()}" if reason.strip() else ""),
                 action=action.pk, before=before, after=after)
    if plan.status == ActionPlanStatus.SUBMITTED and before["target_on"] != after["target_on"]:
        home_rerate_later(plan.visit)
    return action


@transaction.atomic
def plan_action_remove(*, action: PlanAction, user) -> None:
    """Take an action out of a plan that has not been submitted."""
    require_can(user, A.RESPOND_TO_REPORT, action, PROVIDER_ONLY)
    plan = _plan_lock(action.plan)
    if plan.status != ActionPlanStatus.AWAITING:
        raise ValidationError("Actions of a submitted plan are kept; change or complete them instead.")
    event_record(visit=plan.visit, kind=VisitEventKind.ACTION_REMOVED, user=user,
                 summary=f"Action for standard {action.standard.code} removed: {action.description[:200]}")
    action.delete()


@transaction.atomic
def action_plan_submit(*, plan: ActionPlan, user) -> ActionPlan:
    """Submit the plan. Refused (``ActionPlanIncomplete``, listing each gap) until every
    shortfall has at least one action and every action has an owner and a target date."""
    require_can(user, A.RESPOND_TO_REPORT, plan, PROVIDER_ONLY)
    plan = _plan_lock(plan)
    if plan.status != ActionPlanStatus.AWAITING:
        raise ValidationError("This action plan has already been submitted.")
    if gaps := action_plan_gaps(plan):
        raise ActionPlanIncomplete(gaps)
    today = timezone.localdate()
    plan.status, plan.submitted_on, plan.submitted_by = ActionPlanStatus.SUBMITTED, timezone.now(), user
    plan.overdue_since, plan.modified_by = None, user
    plan.full_clean()
    plan.save()
    late = today > plan.due_on
    event_record(visit=plan.visit, kind=VisitEventKind.PLAN_SUBMITTED, user=user,
                 summary="Action plan submitted"
                         + (f", {(today - plan.due_on).days} days late." if late else "."),
                 plan=plan.pk, late=late)
    home_rerate_later(plan.visit)
    return plan


@transaction.atomic
def plan_action_move(*, action: PlanAction, user, to_status: str, note: str = "", evidence: str = "",
                     file=None) -> PlanAction:
    """Move an action to ``to_status`` if ``TRANSITIONS`` allows it from where it is and the
    user is the right party. Completing needs ``evidence``; reopening needs a ``note`` (why)."""
    transition = TRANSITIONS.get(to_status)
    if transition is None:
        raise ValidationError({"to_status": f"An action cannot be moved to {to_status!r}."})
    who = "the home's provider" if transition.by == PROVIDER else "an officer of the home's council or NHS"
    require_can(user, transition.access_action, action, f"Only {who} can do this.")
    plan = _plan_lock(action.plan)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    if plan.status != ActionPlanStatus.SUBMITTED:
        raise ValidationError("Actions move once the plan is submitted (and until it closes).")
    if action.status not in transition.from_statuses:
        raise ValidationError(f"An action that is {action.get_status_display().lower()} cannot become "
                              f"{S(to_status).label.lower()}.")
    now = timezone.now()
    if to_status == S.COMPLETED:
        if not evidence.strip():
            raise ValidationError({"evidence": "Describe the evidence that the action is complete"})
        action.completion_evidence, action.completed_on = evidence.strip(), now
        if file is not None:
            action.completion_file = file
    elif to_status == S.REOPENED and not note.strip():
        raise ValidationError({"note": "Say why the action is reopened"})
    elif to_status == S.VERIFIED:
        action.verified_by, action.verified_on = user, now
    if to_status not in (S.IN_PROGRESS, S.REOPENED):
        action.overdue_since = None  # no longer the provider's to finish
    before, action.status, action.modified_by = action.status, to_status, user
    action.full_clean()
    action.save()
    ActionUpdate.objects.create(action=action, from_status=before, to_status=to_status,
                                note=note.strip() or evidence.strip(), evidence_file=file or "", by=user)
    event_record(visit=plan.visit, kind=VisitEventKind.ACTION_MOVED, user=user,
                 summary=f"Action for standard {action.standard.code}: {S(before).label.lower()} → "
                         f"{S(to_status).label.lower()}.", action=action.pk, before=before, after=to_status)
    if to_status == S.VERIFIED and not plan.actions.exclude(status=S.VERIFIED).exists():
        plan.status, plan.closed_on, plan.modified_by = ActionPlanStatus.CLOSED, now, user
        plan.save(update_fields=["status", "closed_on", "modified_by", "modified_on"])
        event_record(visit=plan.visit, kind=VisitEventKind.PLAN_CLOSED, user=user,
                     summary="Every action verified: the action plan is closed.", plan=plan.pk)
    home_rerate_later(plan.visit)
    return action


def plan_action_start(*, action: PlanAction, user, note: str = "") -> PlanAction:
    """Provider: work on the action has begun."""
    return plan_action_move(action=action, user=user, to_status=S.IN_PROGRESS, note=note)


def plan_action_complete(*, action: PlanAction, user, evidence: str, file=None) -> PlanAction:
    """Provider: the action is done; ``evidence`` says how it shows (``file`` optional)."""
    return plan_action_move(action=action, user=user, to_status=S.COMPLETED, evidence=evidence, file=file)


def plan_action_verify(*, action: PlanAction, user, note: str = "") -> PlanAction:
    """Officer: the evidence shows the action is done; it closes (and the plan, with the last)."""
    return plan_action_move(action=action, user=user, to_status=S.VERIFIED, note=note)


def plan_action_reopen(*, action: PlanAction, user, reason: str) -> PlanAction:
    """Officer: the evidence does not show the action is done; back to the provider."""
    return plan_action_move(action=action, user=user, to_status=S.REOPENED, note=reason)

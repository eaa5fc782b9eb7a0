"""Reads of visits, reports and action plans that decide visibility. Pages, API, CSV exports
and the PDF use these, so everyone sees the same rows.

Built on ``commissioning.access.restrict``: officers and commissioners (``Action.VISIT``) see
every visit of the homes their organisation commissions; a provider's staff see a home's
visit only once the report is shared with them (never a planned visit or a draft); anyone
else who may view the home sees published reports only (``quality.models.VisitScoped``).
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from commissioning import access

from ..choices import ACTION_OUTSTANDING_STATUSES, ActionPlanStatus, PlanActionStatus
from ..models import (
    ActionPlan,
    ActionUpdate,
    FrameworkVersion,
    PlanAction,
    ReportPdf,
    Visit,
    VisitEvent,
)

A = access.Action


def visits_visible_to(user, action: access.Action = A.VIEW) -> QuerySet:
    """The visits this user may see (or act on with ``action``), ready for a list."""
    visits = Visit.objects.select_related("care_home__provider", "care_home__local_authority",
                                          "care_home__nhs_commissioner", "framework_version")
    return access.restrict(visits, user, action)


def visit_for(user, pk: int, action: access.Action = A.VIEW) -> Visit:
    """One visit, or 404 whether it is missing or not this user's to see (a provider asking
    for an unshared draft gets 404, as for another provider's visit)."""
    return access.get_object_or_404(visits_visible_to(user, action), user, action, pk=pk)


def visit_events_visible_to(user, visit: Visit) -> QuerySet:
    """The visit's log, oldest first, if the user may see the visit."""
    return access.restrict(VisitEvent.objects.filter(visit=visit).select_related("by"), user, A.VIEW
                           ).order_by("at", "pk")


def action_plans_visible_to(user, action: access.Action = A.VIEW) -> QuerySet:
    """Action plans of the homes this user may see, with counts of their actions by state."""
    plans = ActionPlan.objects.select_related("visit__care_home__provider").annotate(
        actions_total=Count("actions"),
        actions_outstanding=Count("actions", filter=Q(actions__status__in=ACTION_OUTSTANDING_STATUSES)),
        actions_awaiting_verification=Count("actions", filter=Q(actions__status=PlanActionStatus.COMPLETED)),
        actions_overdue=Count("actions", filter=Q(actions__overdue_since__isnull=False)))
    return access.restrict(plans, user, action)


def action_plan_for(user, pk: int, action: access.Action = A.VIEW) -> ActionPlan:
    return access.get_object_or_404(action_plans_visible_to(user, action), user, action, pk=pk)


def plan_actions_visible_to(user, action: access.Action = A.VIEW) -> QuerySet:
    """Actions of the plans this user may see, with their home and standard."""
    actions = PlanAction.objects.select_related("plan__visit__care_home__provider", "standard")
    return access.restrict(actions, user, action)


def open_actions_visible_to(user) -> QuerySet:
    """Commissioners' view across homes: every action not yet verified in a submitted plan,
    overdue first, then by target date."""
    return (plan_actions_visible_to(user)
            .filter(plan__status=ActionPlanStatus.SUBMITTED)
            .exclude(status=PlanActionStatus.VERIFIED)
            .order_by("overdue_since", "target_on", "plan__visit__care_home__name", "pk"))


def report_pdfs_visible_to(user, visit: Visit) -> QuerySet:
    return access.restrict(ReportPdf.objects.filter(visit=visit), user, A.VIEW)


def framework_versions() -> QuerySet:
    """Every version of the framework, newest first. The framework belongs to the whole area,
    so anybody who may view homes reads it."""
    return FrameworkVersion.objects.annotate(visit_count=Count("visits")).order_by("-number")


def action_updates(action: PlanAction) -> QuerySet:
    return ActionUpdate.objects.filter(action=action).select_related("by").order_by("on", "pk")


def plan_with_actions(plan: ActionPlan) -> ActionPlan:
    """The plan with its actions and their updates loaded (for a page or the report)."""
    return ActionPlan.objects.prefetch_related(
        Prefetch("actions", queryset=PlanAction.objects.select_related("standard", "verified_by")
                 .prefetch_related(Prefetch("updates", queryset=ActionUpdate.objects.select_related("by"))))
    ).get(pk=plan.pk)

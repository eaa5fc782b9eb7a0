"""Template helpers for the visit pages: rating and risk tags, and the care home page's section
on its quality monitoring visits (so ``carehomes`` needs no import of ``quality``)."""

import json

from django import forms, template

from commissioning import access

from ..choices import VISIT_OPEN_STATUSES, ActionPlanStatus, PlanActionStatus, Rating, VisitStatus
from ..visits import selectors

register = template.Library()

RATING_TAGS = {Rating.EXCELLENT: "green", Rating.GOOD: "aqua-green", Rating.REQUIRES_IMPROVEMENT: "orange",
               Rating.POOR: "red"}
RISK_TAGS = {"red": "red", "amber": "orange", "green": "green"}
RISK_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
STATUS_TAGS = {VisitStatus.PLANNED: "grey", VisitStatus.IN_PROGRESS: "blue",
               VisitStatus.DRAFT_REPORT: "yellow", VisitStatus.SHARED: "purple",
               VisitStatus.SENIOR_REVIEW: "pink", VisitStatus.PUBLISHED: "green",
               VisitStatus.CANCELLED: "grey"}
ACTION_TAGS = {PlanActionStatus.OPEN: "grey", PlanActionStatus.IN_PROGRESS: "blue",
               PlanActionStatus.COMPLETED: "yellow", PlanActionStatus.VERIFIED: "green",
               PlanActionStatus.REOPENED: "orange"}
HOME_PAGE_VISITS = 10


@register.filter
def visit_rating_tag(value) -> str:
    """The NHS.UK tag colour of a visit rating (grey when not rated)."""
    return RATING_TAGS.get(value, "grey")


@register.filter
def visit_rating_label(value) -> str:
    return Rating(value).label if value in Rating.values else "Not rated"


@register.filter
def risk_tag(value) -> str:
    return RISK_TAGS.get(value, "grey")


@register.filter
def risk_label(value) -> str:
    return RISK_LABELS.get(value, "Not rated")


@register.filter
def visit_status_tag(value) -> str:
    return STATUS_TAGS.get(value, "grey")


@register.filter
def action_status_tag(value) -> str:
    return ACTION_TAGS.get(value, "grey")


@register.inclusion_tag("quality/visits/includes/care_home_visits.html", takes_context=True)
def care_home_visits(context, care_home) -> dict:
    """The home's visits this user may see (newest first) and its actions not yet verified."""
    user = context["request"].user
    visits = list(selectors.visits_visible_to(user).filter(care_home=care_home)
                  .select_related("action_plan").order_by("-planned_on", "-pk")[:HOME_PAGE_VISITS])
    actions = list(selectors.plan_actions_visible_to(user)
                   .filter(plan__visit__care_home=care_home, plan__status=ActionPlanStatus.SUBMITTED)
                   .exclude(status=PlanActionStatus.VERIFIED)
                   .order_by("overdue_since", "target_on", "pk"))
    plans = list(selectors.action_plans_visible_to(user).filter(visit__care_home=care_home)
                 .exclude(status=ActionPlanStatus.CLOSED))
    return {"home": care_home, "visits": visits, "actions": actions, "plans": plans,
            "under_way": any(v.status in VISIT_OPEN_STATUSES for v in visits),
            "can_visit": access.can(user, access.Action.VISIT, care_home)}


@register.filter
def chosen(value, bound_field) -> bool:
    """Whether a choice (radio, checkbox or option) is the field's current value."""
    current = bound_field.value()
    values = current if isinstance(current, list | tuple) else [current]
    value = getattr(value, "value", value)  # a model choice's value
    current_values = {"" if c is None else str(getattr(c, "pk", c)) for c in values}
    return str("" if value is None else value) in current_values


@register.filter
def input_value(bound_field) -> str:
    """A field's value as an input shows it: dates as YYYY-MM-DD (what a date input needs)."""
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(bound_field.field, forms.JSONField):
        return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@register.filter
def uk_day(value) -> str:
    """"Monday 7 December 2026"."""
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""

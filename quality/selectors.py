"""Reads for monthly returns that decide visibility, and the compliance summaries."""

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from carehomes.choices import HomeStatus
from carehomes.selectors import carehomes_visible_to
from commissioning import access

from .choices import ComplianceStatus, ReturnStatus
from .models import MonthlyReturn, ReturnVersion


def returns_visible_to(user, action: access.Action = access.Action.VIEW) -> QuerySet:
    return access.restrict(
        MonthlyReturn.objects.select_related("care_home", "care_home__provider",
                                             "care_home__local_authority", "indicator_set",
                                             "submitted_by"),
        user, action)


def return_for(user, pk: int, action: access.Action = access.Action.VIEW) -> MonthlyReturn:
    return access.get_object_or_404(returns_visible_to(user, action), user, action, pk=pk)


def return_versions(monthly_return: MonthlyReturn) -> QuerySet:
    return ReturnVersion.objects.filter(monthly_return=monthly_return).select_related(
        "created_by").order_by("-number")


def homes_expected_to_return(user, month: dt.date) -> QuerySet:
    """Homes the user can see that should return for ``month``: registered during it."""
    return homes_due_a_return(carehomes_visible_to(user), month)


def homes_due_a_return(homes: QuerySet, month: dt.date) -> QuerySet:
    """Of ``homes``, those that should return for ``month`` (the reminders use this too):
    not dormant (no residents), and not deregistered before the month began."""
    return homes.exclude(status=HomeStatus.DORMANT).exclude(
        status=HomeStatus.DEREGISTERED, deregistered_on__lt=month)


def compliance_status(monthly_return: MonthlyReturn | None, due_on: dt.date,
                      today: dt.date) -> ComplianceStatus:
    """Submitted, submitted late, draft, late or not due yet, for one home and month."""
    if monthly_return and monthly_return.status != ReturnStatus.DRAFT:
        return (ComplianceStatus.SUBMITTED_LATE if monthly_return.submitted_late
                else ComplianceStatus.SUBMITTED)
    if today > due_on:
        return ComplianceStatus.LATE
    if monthly_return:
        return ComplianceStatus.DRAFT
    return ComplianceStatus.NOT_DUE


def homes_with_return_state(homes: QuerySet, month: dt.date) -> QuerySet:
    """Each home annotated with whether its return for ``month`` exists and is submitted."""
    returns = MonthlyReturn.objects.filter(care_home=OuterRef("pk"), month=month)
    return homes.annotate(
        has_return=Exists(returns),
        has_submitted=Exists(returns.exclude(status=ReturnStatus.DRAFT)),
    )

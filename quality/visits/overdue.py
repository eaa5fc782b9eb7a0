"""The daily check: flag overdue actions and action plans, and tell people once.

* An **action** is overdue when its plan is submitted, it is still the provider's to finish
  (open, in progress or reopened) and its target date has passed (UK date).
* A **plan** is overdue when it is still awaiting submission after its due date.

``overdue_flag`` sets ``overdue_since`` on what has become overdue (and clears it on what no
longer is), writing an event for each; running it again the same day changes nothing.

``overdue_notices_send`` emails, per plan, the home's managers and the visit's officers about
each overdue item not yet notified. Each item is *claimed* first by inserting a
``VisitNotice`` unique on (kind, action or plan, due date): a second run (or two at once)
cannot claim it again, so nothing is sent twice, and a missed new target date is notified
afresh. If sending fails the claims are released so the next run tries again (the same
choice as the return reminders; see ``quality.reminders``).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from ..choices import (
    ACTION_OUTSTANDING_STATUSES,
    ActionPlanStatus,
    VisitEventKind,
    VisitNoticeKind,
)
from ..models import ActionPlan, PlanAction, VisitNotice, VisitOfficer
from ..reminders import managers_by_home, portal_link
from .events import event_record

logger = logging.getLogger(__name__)


@dataclass
class OverdueRun:
    """What one run did."""

    actions_flagged: list[int] = field(default_factory=list)
    plans_flagged: list[int] = field(default_factory=list)
    cleared: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    already_sent: int = 0

    def summary(self) -> dict:
        return {"actions_flagged": len(self.actions_flagged), "plans_flagged": len(self.plans_flagged),
                "cleared": self.cleared, "sent": len(self.sent), "failed": len(self.failed),
                "already_sent": self.already_sent}


def overdue_actions(today: dt.date):
    return PlanAction.objects.filter(plan__status=ActionPlanStatus.SUBMITTED,
                                     status__in=ACTION_OUTSTANDING_STATUSES, target_on__lt=today)


def overdue_plans(today: dt.date):
    return ActionPlan.objects.filter(status=ActionPlanStatus.AWAITING, due_on__lt=today)


@transaction.atomic
def overdue_flag(*, today: dt.date, run: OverdueRun | None = None) -> OverdueRun:
    """Mark what has become overdue today and unmark what no longer is (see the module docstring)."""
    run = run or OverdueRun()
    late_actions = overdue_actions(today)
    run.cleared += PlanAction.objects.filter(overdue_since__isnull=False).exclude(
        pk__in=late_actions.values("pk")).update(overdue_since=None)
    for action in late_actions.filter(overdue_since__isnull=True).select_related("plan__visit", "standard"):
        action.overdue_since = today
        action.save(update_fields=["overdue_since"])
        run.actions_flagged.append(action.pk)
        event_record(visit=action.plan.visit, kind=VisitEventKind.ACTION_OVERDUE,
                     summary=f"Action for standard {action.standard.code} overdue: its target was "
                             f"{action.target_on:%d/%m/%Y}.", action=action.pk)
    late_plans = overdue_plans(today)
    run.cleared += ActionPlan.objects.filter(overdue_since__isnull=False).exclude(
        pk__in=late_plans.values("pk")).update(overdue_since=None)
    for plan in late_plans.filter(overdue_since__isnull=True).select_related("visit"):
        plan.overdue_since = today
        plan.save(update_fields=["overdue_since"])
        run.plans_flagged.append(plan.pk)
        event_record(visit=plan.visit, kind=VisitEventKind.PLAN_OVERDUE,
                     summary=f"Action plan overdue: it was due on {plan.due_on:%d/%m/%Y}.", plan=plan.pk)
    return run


def visit_link(visit) -> str:
    """The visit's page (``visits:visit-detail``), as a full address for an email."""
    return portal_link(reverse("visits:visit-detail", kwargs={"pk": visit.pk}))


def _claim(kind: str, plan: ActionPlan, action: PlanAction | None, due_on: dt.date,
           recipients: list[str]) -> VisitNotice | None:
    """Insert the notice's record; None if a run has already sent (or is sending) it."""
    try:
        with transaction.atomic():
            return VisitNotice.objects.create(kind=kind, plan=plan, action=action, due_on=due_on,
                                              recipients=recipients)
    except IntegrityError:
        return None


def _recipients(plans: list[ActionPlan]) -> dict[int, list[str]]:
    homes = [plan.visit.care_home for plan in plans]
    managers = managers_by_home(homes)
    officers: dict[int, set[str]] = {}
    for officer in VisitOfficer.objects.filter(visit__in=[p.visit_id for p in plans], user__is_active=True
                                               ).select_related("user"):
        officers.setdefault(officer.visit_id, set()).add(officer.user.email)
    return {plan.pk: sorted({*managers.get(plan.visit.care_home_id, []), *officers.get(plan.visit_id, ())})
            for plan in plans}


def _body(plan: ActionPlan, items: list[str]) -> str:
    home = plan.visit.care_home
    lines = [f"The action plan for {home.name} after the quality monitoring visit of "
             f"{plan.visit.started_on:%-d %B %Y} has overdue items:", "",
             *[f"- {item}" for item in items], "",
             f"See the visit: {visit_link(plan.visit)}", "", settings.PORTAL_NAME]
    return "\n".join(lines) + "\n"


def _choose_and_claim(run: OverdueRun) -> list[tuple[ActionPlan, list[VisitNotice], list[str]]]:
    plans = {p.pk: p for p in ActionPlan.objects.filter(
        overdue_since__isnull=False).select_related("visit__care_home")}
    actions = list(PlanAction.objects.filter(overdue_since__isnull=False).select_related(
        "plan__visit__care_home", "standard"))
    for action in actions:
        plans.setdefault(action.plan_id, action.plan)
    recipients = _recipients(list(plans.values()))
    claimed: dict[int, tuple[list, list]] = {}
    for plan in plans.values():
        if plan.overdue_since and recipients[plan.pk]:
            notice = _claim(VisitNoticeKind.PLAN_OVERDUE, plan, None, plan.due_on, recipients[plan.pk])
            if notice:
                claimed.setdefault(plan.pk, ([], []))[0].append(notice)
                claimed[plan.pk][1].append(f"The action plan was due on {plan.due_on:%-d %B %Y}.")
            else:
                run.already_sent += 1
    for action in actions:
        if not recipients[action.plan_id]:
            continue  # nobody to tell yet; someone added later still hears
        notice = _claim(VisitNoticeKind.ACTION_OVERDUE, action.plan, action, action.target_on,
                        recipients[action.plan_id])
        if notice:
            claimed.setdefault(action.plan_id, ([], []))[0].append(notice)
            claimed[action.plan_id][1].append(
                f"Standard {action.standard.code}: “{action.description[:120]}” (owner: {action.owner}) "
                f"was due on {action.target_on:%-d %B %Y}.")
        else:
            run.already_sent += 1
    return [(plans[pk], notices, items) for pk, (notices, items) in claimed.items()]


def overdue_notices_send(*, today: dt.date, run: OverdueRun | None = None) -> OverdueRun:
    """Email each plan's overdue items not yet notified (see the module docstring)."""
    run = run or OverdueRun()
    with transaction.atomic():
        batches = _choose_and_claim(run)
    for plan, notices, items in batches:
        subject = f"Overdue action plan items for {plan.visit.care_home.name}"
        try:
            mail.EmailMessage(subject, _body(plan, items), settings.DEFAULT_FROM_EMAIL,
                              notices[0].recipients).send()
        except Exception:
            logger.exception("Could not send %r", subject)
            VisitNotice.objects.filter(pk__in=[n.pk for n in notices]).delete()
            run.failed.append(subject)
            continue
        run.sent.append(subject)
        event_record(visit=plan.visit, kind=VisitEventKind.NOTICE_SENT,
                     summary=f"Overdue notice sent to {len(notices[0].recipients)} people "
                             f"({len(items)} items).",
                     recipients=notices[0].recipients, notices=[n.pk for n in notices])
    return run


def overdue_run(*, today: dt.date) -> OverdueRun:
    """The daily run: flag, then notify."""
    run = overdue_flag(today=today)
    return overdue_notices_send(today=today, run=run)

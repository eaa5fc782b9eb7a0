"""Action plans after a Requires improvement or Poor rating: the plan, its actions, each
action's history, and the record of overdue notices sent."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import TrackedModel

from ..choices import ActionPlanStatus, PlanActionStatus, VisitNoticeKind
from .framework import Standard
from .visit_reports import EVIDENCE_EXTENSIONS
from .visits import Visit, VisitScoped


class ActionPlan(VisitScoped, TrackedModel):
    """The provider's plan to put right a visit's shortfalls, due 14 days after publication.

    Submitted only when every shortfall (a standard rated Requires improvement or Poor) has
    at least one action with an owner and a target date; closed when every action is verified.
    """

    access_home_path = "visit__care_home__"

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="action_plan")
    status = models.CharField(max_length=10, choices=ActionPlanStatus.choices,
                              default=ActionPlanStatus.AWAITING)
    due_on = models.DateField(help_text="The last UK date for submitting the plan.")
    required_because = models.CharField(max_length=300)
    submitted_on = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateTimeField(null=True, blank=True)
    overdue_since = models.DateField(null=True, blank=True,
                                     help_text="Set by the daily check while the plan is late.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActionPlanStatus.AWAITING) | Q(submitted_on__isnull=False),
                name="actionplan_submitted_has_date"),
            models.CheckConstraint(
                condition=~Q(status=ActionPlanStatus.CLOSED) | Q(closed_on__isnull=False),
                name="actionplan_closed_has_date"),
        ]

    def __str__(self) -> str:
        return f"Action plan for {self.visit.care_home}"


class PlanAction(VisitScoped, TrackedModel):
    """One action against a shortfall: who owns it, by when, and where it has got to.

    ``owner`` is a role or name of the provider's own staff who leads the action (provider
    staff, not people who use the service).
    """

    access_home_path = "plan__visit__care_home__"
    access_visit_path = "plan__visit__"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+",
                                 help_text="The shortfall this action puts right.")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who at the home leads this action.")
    target_on = models.DateField()
    status = models.CharField(max_length=12, choices=PlanActionStatus.choices,
                              default=PlanActionStatus.OPEN)
    completed_on = models.DateTimeField(null=True, blank=True)
    completion_evidence = models.TextField(blank=True)
    completion_file = models.FileField(upload_to="visits/actions/%Y/%m/", blank=True,
                                       validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)])
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_on = models.DateTimeField(null=True, blank=True)
    overdue_since = models.DateField(null=True, blank=True,
                                     help_text="Set by the daily check while the action is late.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "standard__domain__order", "standard__order", "target_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[PlanActionStatus.COMPLETED, PlanActionStatus.VERIFIED])
                | (Q(completed_on__isnull=False) & ~Q(completion_evidence="")),
                name="planaction_completed_has_evidence"),
            models.CheckConstraint(
                condition=~Q(status=PlanActionStatus.VERIFIED) | Q(verified_on__isnull=False),
                name="planaction_verified_has_date"),
        ]
        indexes = [models.Index(fields=["status", "target_on"], name="planaction_status_target")]

    def __str__(self) -> str:
        return self.description[:60]


class ActionUpdate(VisitScoped, models.Model):
    """One change to an action: its status move or edit, with the note and any evidence."""

    access_home_path = "action__plan__visit__care_home__"
    access_visit_path = "action__plan__visit__"

    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="updates")
    from_status = models.CharField(max_length=12, choices=PlanActionStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PlanActionStatus.choices)
    note = models.TextField(blank=True)
    evidence_file = models.FileField(upload_to="visits/actions/%Y/%m/", blank=True,
                                     validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)])
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    on = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class VisitNotice(VisitScoped, models.Model):
    """An overdue notice the daily task sent: the record that stops it sending the same one
    twice. One per action (or plan) and due date, so a new target date that is missed again
    is notified again."""

    access_home_path = "plan__visit__care_home__"
    access_visit_path = "plan__visit__"

    kind = models.CharField(max_length=16, choices=VisitNoticeKind.choices)
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="notices")
    action = models.ForeignKey(PlanAction, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="notices")
    due_on = models.DateField()
    recipients = models.JSONField(default=list)
    sent_on = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "action", "due_on"],
                                    condition=Q(action__isnull=False), name="visitnotice_once_per_action"),
            models.UniqueConstraint(fields=["kind", "plan", "due_on"],
                                    condition=Q(action__isnull=True), name="visitnotice_once_per_plan"),
            models.CheckConstraint(
                condition=(Q(kind=VisitNoticeKind.ACTION_OVERDUE) & Q(action__isnull=False))
                | (Q(kind=VisitNoticeKind.PLAN_OVERDUE) & Q(action__isnull=True)),
                name="visitnotice_action_iff_action_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on:%d/%m/%Y})"

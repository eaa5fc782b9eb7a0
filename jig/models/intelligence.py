"""What the JIG records between and at its meetings: soft intelligence, actions (training
actions among them) and its decisions on planning applications for new care homes."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from carehomes.choices import RegistrationType
from carehomes.models import postcode_validator
from commissioning.models import Organisation, TrackedModel

from ..choices import (
    JIG_ACTION_OUTSTANDING,
    IntelligenceCategory,
    JigActionStatus,
    PlanningDecision,
    Sensitivity,
    TrainingTheme,
)
from .meetings import JigGroup, JigMembership, Meeting


class SoftIntelligence(TrackedModel):
    """A concern about a home that a member brings to the group: where it came from, when,
    what kind, how sensitive, and what was said.

    Visible only to current members of the group it was recorded for
    (``jig.meeting_selectors.soft_intelligence_visible_to``): never to care home managers,
    commissioners or administrators who are not members. Archived, never deleted.

    ``access_home_path`` lets ``commissioning.access.restrict`` scope it to homes, and
    ``access_row_q`` narrows that to the groups the person is a current member of;
    ``access_confidential`` stops an administrator's role from opening it.
    """

    access_home_path = "care_home__"
    access_confidential = True

    group = models.ForeignKey(JigGroup, on_delete=models.PROTECT, related_name="soft_intelligence")
    care_home = models.ForeignKey("carehomes.CareHome", on_delete=models.PROTECT,
                                  related_name="soft_intelligence")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="soft_intelligence",
                                help_text="The meeting it was raised at, if any.")
    source_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                            help_text="The organisation the concern came from.")
    reported_on = models.DateField(help_text="When the concern arose or was received.")
    category = models.CharField(max_length=16, choices=IntelligenceCategory.choices)
    sensitivity = models.CharField(max_length=8, choices=Sensitivity.choices, default=Sensitivity.MEDIUM)
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    archived_reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = "soft intelligence"
        verbose_name_plural = "soft intelligence"
        constraints = [
            models.CheckConstraint(condition=Q(archived_at__isnull=True) | ~Q(archived_reason=""),
                                   name="softintelligence_archive_has_reason"),
            models.CheckConstraint(condition=~Q(text=""), name="softintelligence_has_text"),
        ]
        indexes = [models.Index(fields=["care_home", "reported_on"], name="softintel_home_reported")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} concern about {self.care_home} ({self.reported_on:%d/%m/%Y})"

    @classmethod
    def access_row_q(cls, membership) -> Q:
        """Only items of groups the person is a current member of, whatever their role."""
        groups = JigMembership.objects.current().filter(user_id=membership.user_id).values("group_id")
        return Q(group_id__in=groups)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class JigAction(TrackedModel):
    """An action agreed at a meeting, with an owner (organisation and, usually, a person), a
    due date and a status. Open actions carry forward to every later agenda until done or
    cancelled, and are overdue once their due date has passed.

    A training action (``is_training``) records a gap in training the JIG found, with its
    theme, for a co-produced training programme.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions",
                                help_text="The meeting the action was agreed at.")
    care_home = models.ForeignKey("carehomes.CareHome", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="jig_actions")
    description = models.TextField()
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="jig_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="jig_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=JigActionStatus.choices, default=JigActionStatus.OPEN)
    progress_note = models.TextField(blank=True, help_text="The latest word on progress.")
    completed_on = models.DateField(null=True, blank=True)
    is_training = models.BooleanField(default=False)
    training_theme = models.CharField(max_length=16, choices=TrainingTheme.choices, blank=True)
    overdue_notified_on = models.DateField(
        null=True, blank=True, editable=False,
        help_text="When the owner was told the action is overdue (once per due date).")
    history = HistoricalRecords(excluded_fields=["overdue_notified_on"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "JIG action"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_training=True, training_theme__gt="")
                | Q(is_training=False, training_theme=""),
                name="jigaction_training_has_theme"),
            models.CheckConstraint(
                condition=Q(status=JigActionStatus.DONE, completed_on__isnull=False)
                | (~Q(status=JigActionStatus.DONE) & Q(completed_on__isnull=True)),
                name="jigaction_done_has_date"),
            models.CheckConstraint(condition=~Q(description=""), name="jigaction_has_description"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="jigaction_status_due")]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue_on(self, today=None) -> bool:
        """Still to do and due before ``today`` (querysets: ``meeting_selectors.with_overdue``)."""
        today = today or timezone.localdate()
        return self.status in JIG_ACTION_OUTSTANDING and self.due_on < today


class PlanningApplication(TrackedModel):
    """A notice of a planning application for a new care home, and the JIG's decision to
    support it or not, with its reasons, at a quorate meeting."""

    group = models.ForeignKey(JigGroup, on_delete=models.PROTECT, related_name="planning_applications")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                help_text="The planning authority.")
    reference = models.CharField(max_length=40, help_text="The council's planning reference.")
    site_address = models.TextField()
    postcode = models.CharField(max_length=8, validators=[postcode_validator])
    proposed_beds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    registration_type = models.CharField(max_length=16, choices=RegistrationType.choices)
    applicant = models.CharField(max_length=200, blank=True)
    received_on = models.DateField()
    notes = models.TextField(blank=True)
    decision = models.CharField(max_length=16, choices=PlanningDecision.choices,
                                default=PlanningDecision.PENDING)
    decision_reasons = models.TextField(blank=True)
    decided_at = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="planning_decisions")
    decided_on = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"],
                                    name="planningapplication_unique_reference"),
            models.CheckConstraint(condition=Q(proposed_beds__gte=1), name="planningapplication_has_beds"),
            models.CheckConstraint(
                condition=Q(decision=PlanningDecision.PENDING, decided_at__isnull=True, decision_reasons="")
                | (~Q(decision=PlanningDecision.PENDING)
                   & Q(decided_at__isnull=False, decided_on__isnull=False) & ~Q(decision_reasons="")),
                name="planningapplication_decision_has_meeting_and_reasons"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.proposed_beds} beds at {self.postcode}"

"""Quality monitoring visits: the visit, its officers, the scores and what was seen and heard,
and the dated log of every step (docs/visits.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import Organisation, TrackedModel

from ..choices import (
    REPORT_SHARED_STATUSES,
    VISIT_OPEN_STATUSES,
    LeadOrganisation,
    PersonSpokenToRole,
    QuestionScore,
    Rating,
    VisitEventKind,
    VisitKind,
    VisitStatus,
)
from ..visits.no_names import validate_no_personal_name
from .framework import FrameworkVersion, Question, Standard


class VisitScoped:
    """Who may read a visit's records, beyond the homes ``access`` already allows.

    ``commissioning.access.restrict`` calls ``access_row_q(membership)`` for each membership:

    * people whose role carries out visits (``Action.VISIT``) see every visit of their homes;
    * a provider's staff see a visit only once its report is shared with them, so never a
      planned (perhaps unannounced) visit or a draft;
    * everyone else who may view the home (JIG members, partners) sees published reports only.

    ``access_visit_path`` is the lookup from the model to its visit ("" for the visit itself).
    """

    access_visit_path = "visit__"

    @classmethod
    def access_row_q(cls, membership) -> Q | None:
        from commissioning.access import ROLE_ACTIONS, Action
        from commissioning.choices import OrganisationKind

        if Action.VISIT in ROLE_ACTIONS.get(membership.role, ()):
            return None
        status = f"{cls.access_visit_path}status"
        if membership.organisation.kind == OrganisationKind.CARE_PROVIDER:
            return Q(**{f"{status}__in": REPORT_SHARED_STATUSES})
        return Q(**{status: VisitStatus.PUBLISHED})


class Visit(VisitScoped, TrackedModel):
    """One quality monitoring visit to a home, for the council and the NHS together.

    The framework version is fixed when the visit is made. The indicative ratings are stored
    each time they are worked out; the published ones when the report is published. A home
    has at most one visit under way at a time.
    """

    access_home_path = "care_home__"
    access_visit_path = ""

    care_home = models.ForeignKey("carehomes.CareHome", on_delete=models.PROTECT,
                                  related_name="quality_visits")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT,
                                          related_name="visits", editable=False)
    lead_organisation = models.CharField(max_length=8, choices=LeadOrganisation.choices)
    kind = models.CharField(max_length=12, choices=VisitKind.choices, default=VisitKind.ANNOUNCED)
    status = models.CharField(max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    planned_on = models.DateField()
    planned_days = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])
    started_on = models.DateField(null=True, blank=True, help_text="The day the visit began.")
    duration_hours = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(99)],
        help_text="Time spent at the home, over all the visit's days.")
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, through="VisitOfficer",
                                      through_fields=("visit", "user"),
                                      related_name="quality_visits")
    notes = models.TextField(blank=True, help_text="Planning notes (not in the report).")
    summary = models.TextField(blank=True, help_text="The report's summary of findings.")
    indicative_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    indicative_detail = models.JSONField(default=dict, blank=True,
                                         help_text="The rating rule's working (quality.visits.rating).")
    ratings_computed_on = models.DateTimeField(null=True, blank=True)
    report_drafted_on = models.DateTimeField(null=True, blank=True)
    shared_on = models.DateField(null=True, blank=True, help_text="UK date the draft was shared.")
    shared_at = models.DateTimeField(null=True, blank=True)
    comments_close_on = models.DateField(
        null=True, blank=True, help_text="The last UK date the provider may comment.")
    provider_accepted_on = models.DateTimeField(
        null=True, blank=True, help_text="When the provider said it has no (further) comments.")
    published_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    published_detail = models.JSONField(default=dict, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["indicative_detail", "published_detail"])

    class Meta:
        ordering = ["-planned_on", "care_home__name"]
        constraints = [
            models.UniqueConstraint(fields=["care_home"], condition=Q(status__in=VISIT_OPEN_STATUSES),
                                    name="visit_one_under_way_per_home"),
            models.CheckConstraint(
                condition=Q(shared_on__isnull=True) | Q(comments_close_on__gte=models.F("shared_on")),
                name="visit_comments_close_after_sharing"),
            models.CheckConstraint(
                condition=~Q(status__in=REPORT_SHARED_STATUSES)
                | Q(shared_on__isnull=False, comments_close_on__isnull=False),
                name="visit_shared_has_dates"),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.PUBLISHED)
                | (Q(published_on__isnull=False) & ~Q(published_rating="")),
                name="visit_published_has_rating"),
            models.CheckConstraint(
                condition=Q(status__in=[VisitStatus.PLANNED, VisitStatus.CANCELLED])
                | Q(started_on__isnull=False), name="visit_started_has_date"),
            models.CheckConstraint(condition=Q(duration_hours__isnull=True) | Q(duration_hours__gt=0),
                                   name="visit_duration_positive"),
            models.CheckConstraint(condition=Q(planned_days__gte=1, planned_days__lte=5),
                                   name="visit_planned_days_1_to_5"),
        ]
        indexes = [models.Index(fields=["status", "planned_on"], name="visit_status_planned"),
                   models.Index(fields=["care_home", "-published_on"], name="visit_home_published")]

    def __str__(self) -> str:
        return f"{self.care_home} – visit planned {self.planned_on:%d/%m/%Y}"

    @property
    def rating(self) -> str:
        """The published rating once published, otherwise the indicative one."""
        return self.published_rating or self.indicative_rating

    @property
    def is_published(self) -> bool:
        return self.status == VisitStatus.PUBLISHED


class VisitOfficer(VisitScoped, models.Model):
    """An officer on a visit, from the council or the NHS; at most one leads."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="visit_officers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     help_text="The organisation the officer visits for.")
    is_lead = models.BooleanField(default=False)
    assigned_on = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["visit", "-is_lead", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "user"], name="visitofficer_once_per_visit"),
            models.UniqueConstraint(fields=["visit"], condition=Q(is_lead=True),
                                    name="visitofficer_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class Answer(VisitScoped, models.Model):
    """An officer's score and evidence for one question: saved one at a time as they go."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(choices=QuestionScore.choices, null=True, blank=True,
                                             help_text="Empty: not assessed.")
    evidence = models.TextField(blank=True)
    saved_on = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "question__standard__domain__order", "question__standard__order",
                    "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "question"], name="answer_once_per_question"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=4),
                                   name="answer_score_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.score or 'not assessed'}"


class Observation(VisitScoped, TrackedModel):
    """Something an officer saw, optionally against a standard."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="observations")
    standard = models.ForeignKey(Standard, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    text = models.TextField()
    observed_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["visit", "created_on"]

    def __str__(self) -> str:
        return self.text[:60]


class PersonSpokenTo(VisitScoped, TrackedModel):
    """People the officers spoke to, by role and number only: never names."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="people_spoken_to")
    role = models.CharField(max_length=24, choices=PersonSpokenToRole.choices)
    description = models.CharField(
        max_length=100, blank=True, validators=[validate_no_personal_name],
        help_text="More about the role, never a name: for example \"night care assistant\".")
    count = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["visit", "role"]
        verbose_name_plural = "people spoken to"
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="personspokento_count")]

    def __str__(self) -> str:
        return f"{self.count} × {self.get_role_display()}"


class VisitEvent(VisitScoped, models.Model):
    """One dated step of a visit, its report or its action plan: who, when, what. Never changed."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=VisitEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["visit", "at", "pk"]
        indexes = [models.Index(fields=["visit", "at"], name="visitevent_visit_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()}"

"""The visit report: ratings per standard, the provider's factual-accuracy comments and the
officers' responses, reopened comment windows, senior reviews, and the report's PDF."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import JobRecord

from ..choices import (
    REPORT_SHARED_STATUSES,
    CommentOutcome,
    CommentSection,
    Rating,
    SeniorReviewDecision,
    VisitStatus,
)
from .framework import Standard
from .visits import Visit, VisitScoped

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "odt", "ods",
                       "txt", "csv"]


class VisitStandardRating(VisitScoped, models.Model):
    """A standard's rating on a visit: worked out from the scores (indicative), as it stands
    after any amendment (``rating``), and as published. ``findings`` is the report's text."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="standard_ratings")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    mean_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    scored_questions = models.PositiveSmallIntegerField(default=0)
    indicative_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    rating = models.CharField(max_length=24, choices=Rating.choices, blank=True,
                              help_text="The rating as it stands, amendments included.")
    is_amended = models.BooleanField(default=False)
    amendment_reason = models.TextField(blank=True)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    amended_on = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True)
    published_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "standard__domain__order", "standard__order"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "standard"], name="visitstandardrating_once"),
            models.CheckConstraint(condition=Q(is_amended=False) | ~Q(amendment_reason=""),
                                   name="visitstandardrating_amendment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code}: {self.get_rating_display() or 'not rated'}"


class SeniorReview(VisitScoped, models.Model):
    """A senior officer's review of a disputed report: checks the evidence against the
    standards and may amend ratings and findings before publication."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="senior_reviews")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_on = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=10, choices=SeniorReviewDecision.choices, blank=True)
    notes = models.TextField(blank=True, help_text="The reviewer's reasons, for the record.")
    amendments = models.JSONField(default=list, blank=True,
                                  help_text="Each: standard code, rating and findings before and after.")
    completed_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "requested_on"]
        constraints = [
            models.UniqueConstraint(fields=["visit"], condition=Q(completed_on__isnull=True),
                                    name="seniorreview_one_open_per_visit"),
            models.CheckConstraint(condition=Q(completed_on__isnull=True) | ~Q(decision=""),
                                   name="seniorreview_completed_has_decision"),
        ]

    def __str__(self) -> str:
        return f"Senior review of {self.visit} ({self.get_decision_display() or 'open'})"


class FactualAccuracyComment(VisitScoped, models.Model):
    """A provider's comment on the accuracy of a shared draft, on a standard or a section."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=16, choices=CommentSection.choices,
                               default=CommentSection.STANDARD)
    standard = models.ForeignKey(Standard, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    text = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    made_on = models.DateTimeField(default=timezone.now)
    disputed_on = models.DateTimeField(null=True, blank=True,
                                       help_text="When the provider disputed the officer's response.")
    dispute_reason = models.TextField(blank=True)
    resolved_by_review = models.ForeignKey(SeniorReview, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="comments_resolved")

    class Meta:
        ordering = ["visit", "made_on"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(section=CommentSection.STANDARD) & Q(standard__isnull=False))
                | (~Q(section=CommentSection.STANDARD) & Q(standard__isnull=True)),
                name="factualaccuracycomment_standard_iff_section_standard"),
            models.CheckConstraint(condition=Q(disputed_on__isnull=True) | ~Q(dispute_reason=""),
                                   name="factualaccuracycomment_dispute_has_reason"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_unresolved_dispute(self) -> bool:
        return self.disputed_on is not None and self.resolved_by_review_id is None


class CommentEvidence(VisitScoped, models.Model):
    """A file the provider attached to a comment as evidence (kept under MEDIA_ROOT)."""

    access_home_path = "comment__visit__care_home__"
    access_visit_path = "comment__visit__"

    comment = models.ForeignKey(FactualAccuracyComment, on_delete=models.CASCADE,
                                related_name="evidence")
    file = models.FileField(upload_to="visits/evidence/%Y/%m/",
                            validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)])
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_on = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "uploaded_on"]
        verbose_name_plural = "comment evidence"

    def __str__(self) -> str:
        return self.original_name


class CommentResponse(VisitScoped, models.Model):
    """The officer's response to one comment: accepted, amended or not accepted, and why."""

    access_home_path = "comment__visit__care_home__"
    access_visit_path = "comment__visit__"

    comment = models.OneToOneField(FactualAccuracyComment, on_delete=models.CASCADE,
                                   related_name="response")
    outcome = models.CharField(max_length=12, choices=CommentOutcome.choices)
    reason = models.TextField()
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    responded_on = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="commentresponse_has_reason")]

    def __str__(self) -> str:
        return self.get_outcome_display()


class CommentWindowReopen(VisitScoped, models.Model):
    """An officer gave the provider longer to comment: the new last day, and why."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="window_reopens")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reopened_on = models.DateTimeField(default=timezone.now)
    previous_close_on = models.DateField()
    new_close_on = models.DateField()
    reason = models.TextField()

    class Meta:
        ordering = ["visit", "reopened_on"]
        constraints = [
            models.CheckConstraint(condition=Q(new_close_on__gt=F("previous_close_on")),
                                   name="commentwindowreopen_later_close"),
        ]

    def __str__(self) -> str:
        return f"Comments open until {self.new_close_on:%d/%m/%Y}"


class ReportPdf(VisitScoped, JobRecord):
    """The report as a PDF, made by a background task (``quality.visits.tasks``). A PDF made
    before publication is marked as a draft."""

    access_home_path = "visit__care_home__"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="pdfs")
    visit_status = models.CharField(max_length=16, choices=VisitStatus.choices,
                                    help_text="The visit's status when the PDF was asked for.")
    file = models.FileField(upload_to="visits/reports/%Y/", blank=True)

    class Meta:
        ordering = ["-requested_on"]
        verbose_name = "report PDF"

    def __str__(self) -> str:
        return f"Report PDF for {self.visit} ({self.requested_on:%d/%m/%Y %H:%M})"

    @property
    def is_draft(self) -> bool:
        return self.visit_status != VisitStatus.PUBLISHED

    @classmethod
    def access_row_q(cls, membership) -> Q | None:
        """As for the visit, and by what the PDF shows: a PDF keeps the report as it was when
        asked for, so a provider never reads one made before the draft was shared with them,
        and people who read published reports only never read a draft PDF."""
        from commissioning.choices import OrganisationKind

        q = super().access_row_q(membership)
        if q is None:
            return None
        if membership.organisation.kind == OrganisationKind.CARE_PROVIDER:
            return q & Q(visit_status__in=REPORT_SHARED_STATUSES)
        return q & Q(visit_status=VisitStatus.PUBLISHED)

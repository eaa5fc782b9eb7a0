"""A meeting's flagged homes and the deeper analyses the chair asks for.

Both are a meeting's sensitive content: only current members who signed the meeting's
confidentiality statement read them (``jig.meeting_selectors.meeting_content_allowed``).
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import Organisation, TrackedModel

from .meetings import Meeting

ATTACHMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "odt", "ods", "csv",
                         "txt"]


class HomeFlag(models.Model):
    """A home on a meeting's agenda, and why.

    ``reasons`` are the automatic rules the home meets (``jig.flagging``), each
    ``{"code", "reason"}`` in plain English, kept up to date by
    ``jig.agenda_services.meeting_flags_refresh`` until the meeting closes. ``chair_reason`` is
    the chair's own reason for adding it. A flag the chair removes is kept, with the reason
    (``removed_at``), and the refresh does not bring it back.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="flags")
    care_home = models.ForeignKey("carehomes.CareHome", on_delete=models.PROTECT, related_name="jig_flags")
    reasons = models.JSONField(default=list, blank=True, help_text="Automatic: each {code, reason}.")
    chair_reason = models.TextField(blank=True)
    flagged_at = models.DateTimeField(default=timezone.now)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="The chair, for a flag added by hand.")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    removed_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "care_home__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "care_home"],
                                    name="homeflag_one_per_meeting_and_home"),
            models.CheckConstraint(condition=Q(removed_at__isnull=True) | ~Q(removed_reason=""),
                                   name="homeflag_removal_has_reason"),
            models.CheckConstraint(condition=Q(flagged_by__isnull=True) | ~Q(chair_reason=""),
                                   name="homeflag_chair_flag_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.care_home} at {self.meeting}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def rule_codes(self) -> list[str]:
        return [reason["code"] for reason in self.reasons]

    @property
    def all_reasons(self) -> list[str]:
        """Every reason in plain English: the rules', then the chair's."""
        found = [reason["reason"] for reason in self.reasons]
        if self.chair_reason:
            found.append(f"Added by the chair: {self.chair_reason}")
        return found


class DeepDiveRequest(TrackedModel):
    """The chair asks a partner (the ambulance service or the acute trust) for a deeper
    analysis of a flagged home, to be answered in the portal before the meeting."""

    flag = models.ForeignKey(HomeFlag, on_delete=models.PROTECT, related_name="deep_dives")
    asked_of = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="jig_deep_dives",
                                 help_text="An ambulance or acute trust with a member on the group.")
    question = models.TextField()
    due_by = models.DateTimeField(help_text="By default the start of the meeting.")
    history = HistoricalRecords(excluded_fields=["question"])

    class Meta:
        ordering = ["flag", "asked_of__name"]
        constraints = [models.UniqueConstraint(fields=["flag", "asked_of"],
                                               name="deepdiverequest_once_per_flag_and_organisation")]

    def __str__(self) -> str:
        return f"Deep dive on {self.flag.care_home} asked of {self.asked_of}"


class DeepDiveAnswer(TrackedModel):
    """The partner's analysis: text, with files attached (``DeepDiveAttachment``). It may be
    revised until the meeting closes; its history keeps who changed it and when."""

    request = models.OneToOneField(DeepDiveRequest, on_delete=models.PROTECT, related_name="answer")
    text = models.TextField()
    answered_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["request"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="deepdiveanswer_has_text")]

    def __str__(self) -> str:
        return f"Answer to {self.request}"


class DeepDiveAttachment(models.Model):
    """A file attached to a deep-dive answer (kept under MEDIA_ROOT, served only to members
    who may read the meeting's content)."""

    answer = models.ForeignKey(DeepDiveAnswer, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="jig/deep-dives/%Y/%m/",
                            validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)])
    original_name = models.CharField(max_length=255)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["answer", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

"""Monthly returns: a versioned set of indicators, one return per home and month, its versions."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import JobRecord, Organisation, TrackedModel

from ..choices import IndicatorKind, IndicatorSection, ReminderKind, ReturnSource, ReturnStatus

indicator_key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,49}$", "Use lower-case letters, digits and underscores, starting with a letter.")


class IndicatorSet(TrackedModel):
    """One version of the monthly return's questions. Returns keep the version they used.

    Exactly one version is current: new returns use it. A new version is made by copying
    the current one; past versions are never edited once a return uses them.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True, help_text="What changed from the previous version.")
    is_current = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True),
                                    name="indicatorset_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class Indicator(models.Model):
    """One question of the return: its type, unit, bounds and help text."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE,
                                      related_name="indicators")
    key = models.CharField(max_length=50, validators=[indicator_key_validator],
                           help_text="The column name in uploads and the field name in the API.")
    label = models.CharField(max_length=200)
    section = models.CharField(max_length=20, choices=IndicatorSection.choices)
    kind = models.CharField(max_length=10, choices=IndicatorKind.choices)
    unit = models.CharField(max_length=30, blank=True)
    minimum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    help_text = models.CharField(max_length=400, blank=True)
    required = models.BooleanField(default=True)
    per_bed = models.BooleanField(
        default=False, help_text="Compare homes by this value per occupied bed.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["indicator_set", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "key"], name="indicator_unique_key"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(maximum__isnull=True)
                | Q(minimum__lte=F("maximum")),
                name="indicator_minimum_not_above_maximum"),
        ]

    def __str__(self) -> str:
        return self.label


class MonthlyReturn(TrackedModel):
    """A home's return for one calendar month. ``values`` maps indicator keys to values.

    The latest values live here; every submission and amendment is also kept whole as a
    ``ReturnVersion``, with who, when and why.
    """

    access_home_path = "care_home__"

    care_home = models.ForeignKey("carehomes.CareHome", on_delete=models.PROTECT,
                                  related_name="monthly_returns")
    month = models.DateField(help_text="The first day of the month the return is for.")
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT,
                                      related_name="returns")
    status = models.CharField(max_length=10, choices=ReturnStatus.choices,
                              default=ReturnStatus.DRAFT)
    due_on = models.DateField()
    values = models.JSONField(default=dict, blank=True)
    confirmations = models.JSONField(
        default=dict, blank=True,
        help_text="Warnings the home confirmed, with the reason given, by indicator key.")
    first_submitted_on = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    version_count = models.PositiveIntegerField(default=0)
    reopened_on = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reopen_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-month", "care_home__name"]
        constraints = [
            models.UniqueConstraint(fields=["care_home", "month"],
                                    name="monthlyreturn_one_per_home_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthlyreturn_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status=ReturnStatus.DRAFT) | Q(submitted_on__isnull=False),
                name="monthlyreturn_submitted_has_date"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="monthlyreturn_month_status")]

    def __str__(self) -> str:
        return f"{self.care_home} – {self.month:%B %Y}"

    @property
    def is_submitted(self) -> bool:
        return self.status != ReturnStatus.DRAFT

    @property
    def submitted_late(self) -> bool:
        # The UK date: a return sent at 00:30 BST on the 15th is late, though it is still
        # the 14th in UTC (the compliance pages count the same way in SQL).
        return bool(self.first_submitted_on and
                    timezone.localdate(self.first_submitted_on) > self.due_on)


class ReturnVersion(models.Model):
    """A submitted (or amended) return exactly as it was: never changed afterwards."""

    access_home_path = "monthly_return__care_home__"

    monthly_return = models.ForeignKey(MonthlyReturn, on_delete=models.CASCADE,
                                       related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=ReturnStatus.choices)
    values = models.JSONField()
    confirmations = models.JSONField(default=dict)
    reason = models.CharField(max_length=500, blank=True,
                              help_text="Why the return was amended.")
    source = models.CharField(max_length=10, choices=ReturnSource.choices)
    created_on = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["monthly_return", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["monthly_return", "number"],
                                    name="returnversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.monthly_return}, version {self.number}"


class ReturnUpload(JobRecord):
    """A CSV or XLSX of returns for many homes, sent by a provider group: all or nothing."""

    filename = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    checksum = models.CharField("SHA-256 checksum", max_length=64)
    rows_in_file = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-requested_on"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.requested_on:%d/%m/%Y %H:%M})"


class ReminderSent(models.Model):
    """An email the reminder task sent: the record that stops it sending the same one twice.

    Home reminders are unique per home, month and kind; the weekly digest per
    organisation, week and kind.
    """

    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    care_home = models.ForeignKey("carehomes.CareHome", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The return month, or for a digest the week's Monday.")
    recipients = models.JSONField(default=list)
    sent_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(fields=["care_home", "month", "kind"],
                                    condition=Q(care_home__isnull=False),
                                    name="remindersent_once_per_home_month_kind"),
            models.UniqueConstraint(fields=["organisation", "month", "kind"],
                                    condition=Q(organisation__isnull=False),
                                    name="remindersent_once_per_org_week_kind"),
            models.CheckConstraint(
                condition=Q(care_home__isnull=False) | Q(organisation__isnull=False),
                name="remindersent_has_home_or_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.care_home or self.organisation}, {self.month}"

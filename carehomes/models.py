"""Care homes, their GP practices, CQC ratings over time and the record of each CQC import."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from commissioning.models import JobRecord, Organisation, TrackedModel, ods_code_validator

from .choices import CqcRatingValue, HomeStatus, KeyQuestion, RegistrationType, ServiceUserBand

CQC_LOCATION_ID_PATTERN = r"^1-\d{9,11}$"
cqc_location_id_validator = RegexValidator(
    CQC_LOCATION_ID_PATTERN, "Enter a CQC location ID: 1- then 9 to 11 digits, like 1-123039495."
)
POSTCODE_PATTERN = r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"
postcode_validator = RegexValidator(POSTCODE_PATTERN, "Enter a full UK postcode, like SM1 1EA.")


class GpPractice(TrackedModel):
    """A GP practice (ODS code) that homes can be aligned to."""

    ods_code = models.CharField("ODS code", max_length=6, unique=True,
                                validators=[ods_code_validator])
    name = models.CharField(max_length=200)
    postcode = models.CharField(max_length=8, blank=True, validators=[postcode_validator])
    nhs_commissioner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="gp_practices",
        limit_choices_to={"kind": "nhs_commissioner"},
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "GP practice"

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"


class CareHome(TrackedModel):
    """A care home: one CQC location, run by a provider, in a council's area.

    The CQC fields are refreshed by the CQC directory import; the aligned GP practice
    is the commissioners' own. Homes are never deleted: a home that leaves the register
    is marked deregistered.
    """

    access_home_path = ""

    cqc_location_id = models.CharField("CQC location ID", max_length=13, unique=True,
                                       validators=[cqc_location_id_validator])
    name = models.CharField(max_length=200)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                 related_name="provided_homes",
                                 limit_choices_to={"kind": "care_provider"})
    location_ods_code = models.CharField("location ODS code", max_length=10, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, validators=[postcode_validator])
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(49), MaxValueValidator(61)])
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-9), MaxValueValidator(3)])
    local_authority = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT,
                                        related_name="area_homes",
                                        limit_choices_to={"kind": "local_authority"})
    nhs_commissioner = models.ForeignKey(Organisation, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="commissioned_homes",
                                         limit_choices_to={"kind": "nhs_commissioner"})
    registration_type = models.CharField(max_length=16, choices=RegistrationType.choices)
    beds = models.PositiveIntegerField(default=0)
    registered_manager = models.CharField(max_length=200, blank=True)
    service_user_bands = ArrayField(
        models.CharField(max_length=32, choices=ServiceUserBand.choices), default=list, blank=True
    )
    status = models.CharField(max_length=16, choices=HomeStatus.choices, default=HomeStatus.ACTIVE)
    registered_on = models.DateField("registered with CQC on", null=True, blank=True)
    deregistered_on = models.DateField(null=True, blank=True)
    gp_practice = models.ForeignKey(GpPractice, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="care_homes",
                                    verbose_name="aligned GP practice")
    # The latest overall CQC rating, kept here for filtering; the history is in CqcRating.
    cqc_overall_rating = models.CharField("CQC overall rating", max_length=32,
                                          choices=CqcRatingValue.choices, blank=True)
    cqc_rating_published_on = models.DateField("CQC rating published on", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(cqc_location_id__regex=CQC_LOCATION_ID_PATTERN),
                                   name="carehome_cqc_location_id_format"),
            models.CheckConstraint(
                condition=Q(status=HomeStatus.DEREGISTERED) | Q(deregistered_on__isnull=True),
                name="carehome_deregistered_on_only_when_deregistered",
            ),
        ]
        indexes = [
            models.Index(fields=["local_authority", "status"], name="carehome_la_status"),
            models.Index(fields=["nhs_commissioner", "status"], name="carehome_icb_status"),
            models.Index(fields=["provider"], name="carehome_provider"),
            models.Index(fields=["postcode"], name="carehome_postcode"),
            models.Index(fields=["name"], name="carehome_name"),
            GinIndex(fields=["service_user_bands"], name="carehome_bands_gin"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.county, self.postcode]
        return ", ".join(p for p in parts if p)

    def get_service_user_bands_display(self) -> list[str]:
        labels = dict(ServiceUserBand.choices)
        return [labels.get(b, b) for b in self.service_user_bands]


class CqcRating(models.Model):
    """One CQC rating (overall or for a key question) as published on a date.

    Ratings are history: a new publication adds a row, it never overwrites one.
    """

    access_home_path = "care_home__"

    care_home = models.ForeignKey(CareHome, on_delete=models.CASCADE, related_name="cqc_ratings")
    key_question = models.CharField(max_length=16, choices=KeyQuestion.choices)
    rating = models.CharField(max_length=32, choices=CqcRatingValue.choices)
    published_on = models.DateField()
    recorded_on = models.DateTimeField(auto_now_add=True)
    source_import = models.ForeignKey("CqcImport", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="ratings")

    class Meta:
        ordering = ["-published_on", "key_question"]
        constraints = [
            models.UniqueConstraint(fields=["care_home", "key_question", "published_on"],
                                    name="cqcrating_unique_home_question_date"),
        ]
        verbose_name = "CQC rating"

    def __str__(self) -> str:
        return f"{self.get_key_question_display()}: {self.get_rating_display()} ({self.published_on})"


class CqcImport(JobRecord):
    """One upload of the CQC care directory: who, when, the file, and what it did.

    The file itself is kept in the database so any worker on any machine can read it.
    """

    filename = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    checksum = models.CharField("SHA-256 checksum", max_length=64)
    rows_in_file = models.PositiveIntegerField(default=0)
    rows_in_area = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(
        default=0, help_text="Rows for other councils' areas or not care homes.")
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    homes_deregistered = models.PositiveIntegerField(default=0)
    ratings_recorded = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True,
                              help_text="Each problem: row, column, value and why.")
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-requested_on"]
        verbose_name = "CQC directory import"

    def __str__(self) -> str:
        return f"{self.filename} ({self.requested_on:%d/%m/%Y %H:%M})"

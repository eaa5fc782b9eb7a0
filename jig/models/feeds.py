"""Feed batches and the records they carry: ambulance incidents and hospital activity.

Records are keyed by (source, source record ID): a trust sending the same ID again
corrects its record. The home a record is about is matched from the identifiers sent
(CQC location ID, ODS code, postcode and name); a record that cannot be matched waits
in the matching queue with ``care_home`` empty until a commissioner resolves its key.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.models import JobRecord, Organisation

from ..choices import Channel, MatchStatus
from ..feeds.codes import FeedKind, HospitalKind, Outcome, ResponseCategory


class FeedBatch(JobRecord):
    """One file or API call from a partner trust: who sent it, when, and what it did."""

    kind = models.CharField(max_length=16, choices=FeedKind.choices)
    source = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="feed_batches",
                               help_text="The trust that sent the data; record IDs are its own.")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(null=True, editable=False,
                                 help_text="An uploaded file, kept until its task has read it.")
    checksum = models.CharField("SHA-256 checksum", max_length=64)
    rows_received = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0, help_text="New records stored.")
    rows_updated = models.PositiveIntegerField(default=0, help_text="Records corrected.")
    rows_unchanged = models.PositiveIntegerField(default=0, help_text="Records sent before, as they were.")
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_unmatched = models.PositiveIntegerField(
        default=0, help_text="Records stored whose care home is not yet known.")
    homes_affected = models.PositiveIntegerField(default=0)
    refused = models.BooleanField(default=False, help_text="Refused for holding identifiable data.")
    errors = models.JSONField(default=list, blank=True, help_text="Each problem: row, column, value and why.")
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-requested_on"]
        verbose_name = "feed batch"
        verbose_name_plural = "feed batches"
        indexes = [models.Index(fields=["source", "-requested_on"]),
                   models.Index(fields=["kind", "checksum"])]

    def __str__(self) -> str:
        when = timezone.localtime(self.requested_on)
        return f"{self.get_kind_display()} from {self.source} ({when:%d/%m/%Y %H:%M})"


class FeedRecord(models.Model):
    """What both feeds share: who sent it, under which ID, about which home and person."""

    access_home_path = "care_home__"

    # Bulk loading writes millions of rows, so the links to the source and the batch are not
    # foreign keys in the database (each would cost a check per row, and an index): the loader
    # is the only writer and takes both from the batch row it is loading. The composite
    # indexes below serve every lookup by source or home. (docs/decisions/0007)
    source = models.ForeignKey(Organisation, on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False, db_index=False)
    source_record_id = models.CharField("source record ID", max_length=64)
    batch = models.ForeignKey(FeedBatch, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False, db_index=False,
                              help_text="The batch that last created or changed the record.")
    cqc_location_id = models.CharField("CQC location ID", max_length=13, blank=True)
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    home_postcode = models.CharField("care home postcode", max_length=8, blank=True)
    home_name = models.CharField("care home name", max_length=200, blank=True)
    match_key = models.CharField(
        max_length=260,
        help_text="The strongest identifier sent, as the matching queue and its rules see it.")
    care_home = models.ForeignKey("carehomes.CareHome", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_index=False)
    match_status = models.CharField(max_length=10, choices=MatchStatus.choices)
    person_token = models.CharField(max_length=128)
    received_on = models.DateTimeField(default=timezone.now)
    updated_on = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class AmbulanceIncident(FeedRecord):
    called_at = models.DateTimeField()
    response_category = models.CharField(max_length=2, choices=ResponseCategory.choices)
    chief_complaint = models.CharField(max_length=200)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    conveyed_to_site = models.CharField(max_length=10, blank=True)
    is_fall = models.BooleanField()

    class Meta:
        ordering = ["-called_at"]
        constraints = [models.UniqueConstraint(fields=["source", "source_record_id"],
                                               name="ambulance_one_record_per_source_id")]
        indexes = [
            models.Index(fields=["care_home", "called_at"], name="ambulance_home_time"),
            models.Index(fields=["match_key"], condition=Q(match_status=MatchStatus.UNMATCHED),
                         name="ambulance_unmatched_key"),
        ]

    def __str__(self) -> str:
        return f"Ambulance incident {self.source_record_id}"


class HospitalActivity(FeedRecord):
    kind = models.CharField(max_length=16, choices=HospitalKind.choices)
    arrived_at = models.DateTimeField(help_text="A&E arrival or admission.")
    admission_method = models.CharField(max_length=2, blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    primary_diagnosis = models.CharField(max_length=8, blank=True)
    discharge_destination = models.CharField(max_length=100, blank=True)
    is_emergency = models.BooleanField()
    bed_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name_plural = "hospital activity"
        constraints = [models.UniqueConstraint(fields=["source", "source_record_id"],
                                               name="hospital_one_record_per_source_id")]
        indexes = [
            models.Index(fields=["care_home", "arrived_at"], name="hospital_home_time"),
            models.Index(fields=["match_key"], condition=Q(match_status=MatchStatus.UNMATCHED),
                         name="hospital_unmatched_key"),
        ]

    def __str__(self) -> str:
        return f"Hospital record {self.source_record_id}"


class HomeMatchRule(models.Model):
    """A commissioner's decision that a key seen in the feeds means one home, or none of ours."""

    match_key = models.CharField(max_length=260, unique=True)
    care_home = models.ForeignKey("carehomes.CareHome", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_on = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["match_key"]

    def __str__(self) -> str:
        return f"{self.match_key} → {self.care_home or 'not one of our homes'}"

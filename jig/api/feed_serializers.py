"""Serializers of the feeds API: a batch as sent back, the body of a submission, a rejection."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from ..models import FeedBatch


class FeedBatchSerializer(serializers.ModelSerializer):
    """A batch: who sent it, when, and what it did to the stored records."""

    source = serializers.SlugRelatedField(slug_field="ods_code", read_only=True,
                                          help_text="The sending trust's ODS code.")
    source_name = serializers.CharField(source="source.name", read_only=True)
    url = serializers.SerializerMethodField(help_text="This batch in the API.")
    page_url = serializers.SerializerMethodField(help_text="This batch's page in the portal.")

    class Meta:
        model = FeedBatch
        fields = ["id", "url", "page_url", "kind", "source", "source_name", "channel", "filename",
                  "checksum", "status", "stage", "requested_on", "finished_on", "rows_received",
                  "rows_accepted", "rows_updated", "rows_unchanged", "rows_rejected",
                  "rows_unmatched", "homes_affected", "refused"]
        read_only_fields = fields

    def get_url(self, batch) -> str:
        return reverse("feedbatch-detail", args=[batch.pk], request=self.context.get("request"))

    def get_page_url(self, batch) -> str:
        return reverse("jig:feed-detail", args=[batch.pk], request=self.context.get("request"))


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The 1-based record index; 0 for the batch as a whole.")
    column = serializers.CharField(help_text="The column (field) with the problem.")
    value = serializers.CharField(help_text="The value sent; `(withheld)` for identifiable data.")
    message = serializers.CharField()


class FeedBatchDetailSerializer(FeedBatchSerializer):
    """A batch with its problems (row, column, value, why) and warnings."""

    errors = ProblemSerializer(many=True, read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(FeedBatchSerializer.Meta):
        fields = [*FeedBatchSerializer.Meta.fields, "errors", "warnings"]
        read_only_fields = fields


@extend_schema_field({"type": "object", "additionalProperties": True,
                      "example": {"source_record_id": "AMB-2026-000101", "called_at": "2026-03-14T09:41"}})
class RecordField(serializers.JSONField):
    """One record: field names as in docs/feeds.md; checked by the feed's own rules."""


class FeedSubmitSerializer(serializers.Serializer):
    """The body of a submission: the trust (optional when you send for one) and the records."""

    source = serializers.CharField(
        required=False, allow_blank=True, max_length=6,
        help_text="The ODS code of the trust you send for; optional when you send for one trust.")
    records = serializers.ListField(
        child=RecordField(), help_text="The records, up to 10,000: field names as in docs/feeds.md.")


class FeedRejectedSerializer(serializers.Serializer):
    """Why a batch was not stored. ``batch`` is the id of the recorded batch, when there is one."""

    detail = serializers.CharField()
    errors = ProblemSerializer(many=True)
    refused = serializers.BooleanField(help_text="True when the batch holds identifiable data.")
    batch = serializers.IntegerField(allow_null=True)

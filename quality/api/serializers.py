"""Monthly returns in the API: what is read, what is sent, and the shape of refusals."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carehomes.api.serializers import OrganisationRefSerializer
from carehomes.models import CareHome

from ..choices import ComplianceStatus
from ..models import MonthlyReturn, ReturnVersion
from ..selectors import compliance_status
from ..uploads import MONTH_FORMAT, parse_month


class CareHomeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareHome
        fields = ["cqc_location_id", "name"]


class ReturnVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.full_name", read_only=True,
                                       allow_null=True)
    values = serializers.DictField(read_only=True)
    confirmations = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ReturnVersion
        fields = ["number", "status", "values", "confirmations", "reason", "source", "created_on",
                  "created_by"]


class MonthlyReturnSerializer(serializers.ModelSerializer):
    care_home = CareHomeRefSerializer(read_only=True)
    local_authority = OrganisationRefSerializer(source="care_home.local_authority", read_only=True,
                                                allow_null=True)
    month = serializers.SerializerMethodField(help_text="The month, like 2026-10.")
    compliance = serializers.SerializerMethodField(
        help_text="Submitted, submitted late, draft, late or not due yet, as of today.")
    indicator_set_version = serializers.IntegerField(source="indicator_set.version",
                                                     read_only=True)
    values = serializers.DictField(read_only=True,
                                   help_text="Answers by question key (see the upload template).")
    confirmations = serializers.DictField(child=serializers.CharField(), read_only=True,
                                          help_text="Reasons given for unusual values, by key.")
    submitted_by = serializers.CharField(source="submitted_by.full_name", read_only=True,
                                         allow_null=True)

    class Meta:
        model = MonthlyReturn
        fields = ["id", "care_home", "local_authority", "month", "status", "compliance", "due_on",
                  "indicator_set_version", "values", "confirmations", "first_submitted_on",
                  "submitted_on", "submitted_by", "version_count", "reopened_on", "reopen_reason",
                  "modified_on"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"

    @extend_schema_field(serializers.ChoiceField(choices=ComplianceStatus.choices))
    def get_compliance(self, obj) -> str:
        return compliance_status(obj, obj.due_on, timezone.localdate()).value


class MonthlyReturnDetailSerializer(MonthlyReturnSerializer):
    versions = ReturnVersionSerializer(many=True, read_only=True,
                                       help_text="Every submission and amendment, newest first.")

    class Meta(MonthlyReturnSerializer.Meta):
        fields = [*MonthlyReturnSerializer.Meta.fields, "versions"]


class ReturnUpdateSerializer(serializers.Serializer):
    """Amend (or save a draft of) a return that exists."""

    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Answers by question key, like {\"beds_occupied\": 36}. Numbers may be sent "
                  "as numbers or text.")
    submit = serializers.BooleanField(default=True,
                                      help_text="True submits (or amends); false saves a draft.")
    confirmations = serializers.DictField(
        child=serializers.CharField(allow_blank=True), default=dict,
        help_text="A reason for each unusual value the home confirms, by question key.")
    reason = serializers.CharField(allow_blank=True, default="", max_length=500,
                                   help_text="Why a submitted return is being amended.")


class ReturnCreateSerializer(ReturnUpdateSerializer):
    """Start, save or submit the return for a home and month."""

    care_home = serializers.CharField(help_text="The home's CQC location ID, like 1-123456789.")
    month = serializers.CharField(help_text="The month, like 2026-10.")

    def validate_month(self, value):
        month = parse_month(value)
        if month is None:
            raise serializers.ValidationError(MONTH_FORMAT)
        return month


class ReturnErrorsSerializer(serializers.Serializer):
    """400: what is wrong, one message per question key (or per field of the request)."""

    errors = serializers.DictField(child=serializers.CharField())


class ReturnWarningsSerializer(serializers.Serializer):
    """409: unusual values that need a reason in ``confirmations`` before they are accepted."""

    detail = serializers.CharField()
    warnings = serializers.DictField(child=serializers.CharField())

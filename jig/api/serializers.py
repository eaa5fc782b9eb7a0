"""Serializers of the JIG's API: risk ratings and the risk model (feeds may add a section)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carehomes.api.serializers import OrganisationRefSerializer
from carehomes.models import CareHome

from ..choices import Rag
from ..models import RiskComponent, RiskModel, RiskRating

# --- Risk ratings and the risk model ------------------------------------------------------------


class RiskCareHomeSerializer(serializers.ModelSerializer):
    local_authority = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CareHome
        fields = ["id", "cqc_location_id", "name", "registration_type", "beds", "local_authority"]


class RatingComponentSerializer(serializers.Serializer):
    """One component of a rating: what it measured, how that banded, and the points it gave."""

    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text="The measured value (a number, or a code such as a CQC rating); "
                                            "null when there was no data.")
    display = serializers.CharField(help_text="The value as the pages show it.")
    band = serializers.ChoiceField(choices=[*Rag.choices, ("none", "No band")])
    weight = serializers.FloatField()
    contribution = serializers.FloatField(help_text="Points this component added to the score.")
    why = serializers.CharField(help_text="Why, in a sentence.")


class RiskRatingSerializer(serializers.ModelSerializer):
    care_home = RiskCareHomeSerializer(read_only=True)
    month = serializers.SerializerMethodField(help_text="The month, like 2026-10.")
    model_version = serializers.IntegerField(source="model.version", read_only=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    previous_score = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False,
                                              allow_null=True)
    score_change = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False,
                                            allow_null=True, help_text="Since the previous month's rating.")
    moved = serializers.SerializerMethodField(
        help_text="\"up\" or \"down\" when the RAG changed since the previous month, else \"\".")

    class Meta:
        model = RiskRating
        fields = ["id", "care_home", "month", "model_version", "score", "rag", "previous_score",
                  "previous_rag", "score_change", "moved", "computed_on"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"

    @extend_schema_field(serializers.ChoiceField(choices=[("up", "up"), ("down", "down"), ("", "")]))
    def get_moved(self, obj) -> str:
        return obj.moved


class RiskRatingDetailSerializer(RiskRatingSerializer):
    components = RatingComponentSerializer(many=True, read_only=True,
                                           help_text="Every component, in the model's order.")

    class Meta(RiskRatingSerializer.Meta):
        fields = [*RiskRatingSerializer.Meta.fields, "components"]


class RiskComponentSerializer(serializers.ModelSerializer):
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    amber_from = serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=False)
    red_from = serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=False)

    class Meta:
        model = RiskComponent
        fields = ["code", "weight", "amber_from", "red_from", "order"]


class RiskModelSerializer(serializers.ModelSerializer):
    amber_from = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    red_from = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    is_draft = serializers.BooleanField(read_only=True)
    components = RiskComponentSerializer(many=True, read_only=True)

    class Meta:
        model = RiskModel
        fields = ["id", "version", "name", "notes", "is_current", "is_draft", "published_on",
                  "amber_from", "red_from", "components"]

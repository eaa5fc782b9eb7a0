"""The assessment framework in the visits API: versions, their domains, standards and questions,
and the rating rule (as JSON and in sentences)."""

from rest_framework import serializers

from ..models import FrameworkDomain, FrameworkVersion, Question, Standard
from ..visits.rating import RatingRule


class QuestionSerializer(serializers.ModelSerializer):
    evidence_prompts = serializers.ListField(child=serializers.CharField(), read_only=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = Question
        fields = ["id", "code", "text", "guidance", "evidence_prompts", "weight", "order"]


class StandardSerializer(serializers.ModelSerializer):
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = ["id", "code", "title", "description", "is_key", "weight", "module", "order", "questions"]


class DomainSerializer(serializers.ModelSerializer):
    standards = StandardSerializer(many=True, read_only=True)

    class Meta:
        model = FrameworkDomain
        fields = ["id", "title", "order", "standards"]


class FrameworkVersionSerializer(serializers.ModelSerializer):
    applies_to = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                       read_only=True, help_text="For each module, the registration "
                                                                 "types of the homes it applies to.")
    visit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FrameworkVersion
        fields = ["id", "number", "name", "status", "notes", "published_on", "applies_to", "visit_count"]


class FrameworkVersionDetailSerializer(FrameworkVersionSerializer):
    rating_rule = serializers.JSONField(read_only=True, help_text="The rule as JSON (docs/visits.md).")
    rule = serializers.SerializerMethodField(help_text="The rating rule in sentences.")
    domains = DomainSerializer(many=True, read_only=True)

    class Meta(FrameworkVersionSerializer.Meta):
        fields = [*FrameworkVersionSerializer.Meta.fields, "rating_rule", "rule", "domains"]

    def get_rule(self, version) -> list[str]:
        return RatingRule.from_config(version.rating_rule).describe()

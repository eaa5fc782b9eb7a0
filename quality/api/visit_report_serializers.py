"""The visit report in the API: ``quality.visits.report.report_context`` as JSON, the same content
as the report page and the PDF."""

from rest_framework import serializers

from ..choices import (
    ActionPlanStatus,
    PersonSpokenToRole,
    Rating,
    SeniorReviewDecision,
    StandardModule,
    VisitEventKind,
)
from .visit_serializers import (
    ActionUpdateSerializer,
    CommentSerializer,
    ObservationSerializer,
    OfficerSerializer,
    PlanActionSerializer,
    VisitDetailSerializer,
    VisitHomeSerializer,
    name_of,
)


class ReportFrameworkSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class OverallSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True,
                                     help_text="Published once published, otherwise indicative.")
    label = serializers.CharField()
    indicative = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    published = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    mean = serializers.CharField(allow_null=True, help_text="The rule's mean, as a decimal string.")
    caps_applied = serializers.ListField(child=serializers.CharField())


class ModuleRatingSerializer(serializers.Serializer):
    module = serializers.ChoiceField(choices=StandardModule.choices)
    label = serializers.CharField()
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    rating_label = serializers.CharField()


class StandardRatingSerializer(serializers.Serializer):
    mean_score = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False,
                                          allow_null=True)
    scored_questions = serializers.IntegerField()
    indicative_rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True,
                                     help_text="As it stands, amendments included.")
    published_rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    is_amended = serializers.BooleanField()
    amendment_reason = serializers.CharField()
    findings = serializers.CharField()


class ReportQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.id")
    code = serializers.CharField(source="question.code")
    text = serializers.CharField(source="question.text")
    score = serializers.IntegerField(allow_null=True, help_text="1 Poor to 4 Excellent; null: not assessed.")
    evidence = serializers.SerializerMethodField()

    def get_evidence(self, row) -> str:
        return row.answer.evidence if row.answer else ""


class ReportStandardSerializer(serializers.Serializer):
    code = serializers.CharField(source="standard.code")
    title = serializers.CharField(source="standard.title")
    is_key = serializers.BooleanField(source="standard.is_key")
    module = serializers.ChoiceField(source="standard.module", choices=StandardModule.choices)
    current_rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True,
                                             help_text="Published once published, otherwise as it stands.")
    is_shortfall = serializers.BooleanField()
    rating = StandardRatingSerializer(allow_null=True)
    questions = ReportQuestionSerializer(many=True)
    observations = ObservationSerializer(many=True)
    comment_ids = serializers.SerializerMethodField(
        help_text="The provider's comments on it (in `comments`).")

    def get_comment_ids(self, section) -> list[int]:
        return [c.pk for c in section.comments]


class ReportDomainSerializer(serializers.Serializer):
    title = serializers.CharField(source="domain.title")
    standards = ReportStandardSerializer(many=True)


class ShortfallRowSerializer(serializers.Serializer):
    code = serializers.CharField(source="standard.code")
    title = serializers.CharField(source="standard.title")
    rating = serializers.ChoiceField(source="current_rating", choices=Rating.choices)


class ReportPersonSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PersonSpokenToRole.choices)
    role_label = serializers.CharField(source="get_role_display")
    count = serializers.IntegerField()
    description = serializers.CharField()


class WindowReopenSerializer(serializers.Serializer):
    reopened_on = serializers.DateTimeField()
    reopened_by = name_of("reopened_by")
    previous_close_on = serializers.DateField()
    new_close_on = serializers.DateField()
    reason = serializers.CharField()


class AmendmentSerializer(serializers.Serializer):
    standard = serializers.CharField()
    before = serializers.DictField(child=serializers.CharField(allow_blank=True))
    after = serializers.DictField(child=serializers.CharField(allow_blank=True))


class SeniorReviewSerializer(serializers.Serializer):
    requested_on = serializers.DateTimeField()
    requested_by = name_of("requested_by")
    reason = serializers.CharField()
    reviewer = name_of("reviewer")
    decision = serializers.ChoiceField(choices=SeniorReviewDecision.choices, allow_blank=True)
    notes = serializers.CharField()
    amendments = AmendmentSerializer(many=True)
    completed_on = serializers.DateTimeField(allow_null=True)


class PlanActionWithUpdatesSerializer(PlanActionSerializer):
    updates = ActionUpdateSerializer(many=True, read_only=True)

    class Meta(PlanActionSerializer.Meta):
        fields = [*PlanActionSerializer.Meta.fields, "updates"]


class ReportPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ActionPlanStatus.choices)
    due_on = serializers.DateField()
    required_because = serializers.CharField()
    submitted_on = serializers.DateTimeField(allow_null=True)
    closed_on = serializers.DateTimeField(allow_null=True)
    overdue_since = serializers.DateField(allow_null=True)
    actions = PlanActionWithUpdatesSerializer(many=True)


class ReportEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=VisitEventKind.choices)
    label = serializers.CharField(source="get_kind_display")
    by = name_of("by")
    summary = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    """The whole report (``report_context``)."""

    visit = VisitDetailSerializer()
    care_home = VisitHomeSerializer()
    framework_version = ReportFrameworkSerializer()
    is_draft = serializers.BooleanField(help_text="Not yet published.")
    status_label = serializers.CharField()
    officers = OfficerSerializer(many=True)
    overall = OverallSerializer()
    module_ratings = ModuleRatingSerializer(many=True)
    domains = ReportDomainSerializer(many=True)
    shortfalls = ShortfallRowSerializer(many=True, help_text="Standards rated Requires improvement or Poor.")
    observations = ObservationSerializer(many=True, help_text="Observations on no standard.")
    people_spoken_to = ReportPersonSerializer(many=True, help_text="By role and number only.")
    comments = CommentSerializer(many=True, help_text="Factual-accuracy comments with responses.")
    window_reopens = WindowReopenSerializer(many=True)
    senior_reviews = SeniorReviewSerializer(many=True)
    action_plan = ReportPlanSerializer(allow_null=True)
    events = ReportEventSerializer(many=True, help_text="The dated log of every step.")
    rule = serializers.ListField(child=serializers.CharField(), help_text="The rating rule in sentences.")

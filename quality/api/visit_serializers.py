"""Serializers of the visits API: the framework, visits, the report, comments, action plans and
report PDFs as read, and the bodies sent to each workflow step (docs/visits.md).

Read serializers show people by name and organisation, never by email or id. Request
serializers only check the shape of a body; the rules, and their messages, are the services'.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carehomes.models import CareHome

from ..choices import (
    CommentOutcome,
    CommentSection,
    LeadOrganisation,
    PersonSpokenToRole,
    PlanActionStatus,
    Rating,
    VisitKind,
    VisitStatus,
)
from ..models import (
    ActionPlan,
    ActionUpdate,
    FactualAccuracyComment,
    Observation,
    PersonSpokenTo,
    PlanAction,
    ReportPdf,
    Visit,
    VisitOfficer,
)
from ..visits.action_plans import TRANSITIONS
from ..visits.reporting import comment_window_is_open, publication_problems


def name_of(source: str) -> serializers.CharField:
    """A person's name (``None`` when the person is unknown or removed)."""
    return serializers.CharField(source=f"{source}.full_name", read_only=True, allow_null=True)


# Visits -----------------------------------------------------------------------------------------

class VisitHomeSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.name", read_only=True)
    local_authority = serializers.CharField(source="local_authority.name", read_only=True, allow_null=True)

    class Meta:
        model = CareHome
        fields = ["cqc_location_id", "name", "registration_type", "beds", "provider", "local_authority"]


class OfficerSerializer(serializers.ModelSerializer):
    name = name_of("user")
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = VisitOfficer
        fields = ["name", "organisation", "is_lead"]


class VisitSerializer(serializers.ModelSerializer):
    care_home = VisitHomeSerializer(read_only=True)
    framework_version = serializers.IntegerField(source="framework_version.number", read_only=True)
    officers = OfficerSerializer(source="visit_officers", many=True, read_only=True)
    duration_hours = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False,
                                              allow_null=True, read_only=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True, read_only=True,
                                     help_text="Published once published, otherwise indicative.")

    class Meta:
        model = Visit
        fields = ["id", "care_home", "framework_version", "lead_organisation", "kind", "status",
                  "planned_on", "planned_days", "started_on", "duration_hours", "officers",
                  "shared_on", "comments_close_on", "published_on", "rating", "indicative_rating",
                  "published_rating", "modified_on"]


class VisitDetailSerializer(VisitSerializer):
    notes = serializers.SerializerMethodField(help_text="Planning notes: for officers only (else null).")
    comment_window_open = serializers.SerializerMethodField(
        help_text="Whether the provider may comment today.")
    publication_problems = serializers.SerializerMethodField(
        help_text="What stops the report being published, in words (empty when it can be).")
    action_plan = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "summary", "notes", "cancelled_reason",
                  "provider_accepted_on", "comment_window_open", "publication_problems", "action_plan"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notes(self, visit) -> str | None:
        return visit.notes if self.context.get("is_officer") else None

    def get_comment_window_open(self, visit) -> bool:
        return comment_window_is_open(visit)

    def get_publication_problems(self, visit) -> list[str]:
        done = (VisitStatus.PUBLISHED, VisitStatus.CANCELLED)
        return [] if visit.status in done else publication_problems(visit)


class VisitScheduleSerializer(serializers.Serializer):
    """Plan a visit: the home, the day, and the officers (by email)."""

    care_home = serializers.CharField(help_text="The home's CQC location ID, like 1-123456789.")
    planned_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.ANNOUNCED)
    planned_days = serializers.IntegerField(min_value=1, max_value=5, default=1)
    lead_organisation = serializers.ChoiceField(
        choices=LeadOrganisation.choices, required=False, allow_blank=True, default="",
        help_text="By default from the home's registration type.")
    officers = serializers.ListField(child=serializers.EmailField(), default=list,
                                     help_text="Email addresses of the officers on the visit.")
    lead_officer = serializers.EmailField(required=False, allow_blank=True, default="",
                                          help_text="The officer who leads (added if not in `officers`).")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class VisitStartSerializer(serializers.Serializer):
    started_on = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text="The day the visit began (today by default).")


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    question_code = serializers.CharField(source="question.code")
    standard = serializers.CharField(source="question.standard.code")
    score = serializers.IntegerField(allow_null=True, help_text="1 Poor to 4 Excellent; null: not assessed.")
    evidence = serializers.CharField()
    saved_on = serializers.DateTimeField()
    saved_by = name_of("saved_by")


class AnswerSaveSerializer(serializers.Serializer):
    """One question's score and evidence (saved as the officer goes; the same again changes nothing)."""

    question = serializers.IntegerField(help_text="The question's id (see the visit's framework version).")
    score = serializers.IntegerField(min_value=1, max_value=4, allow_null=True,
                                     help_text="1 Poor to 4 Excellent; null: not assessed.")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class ObservationSerializer(serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    created_by = name_of("created_by")

    class Meta:
        model = Observation
        fields = ["id", "standard", "text", "observed_on", "created_on", "created_by"]


class ObservationAddSerializer(serializers.Serializer):
    text = serializers.CharField()
    standard = serializers.CharField(required=False, allow_blank=True, default="",
                                     help_text="A standard's code, like 7 (optional).")
    observed_on = serializers.DateField(required=False, allow_null=True, default=None)


class PersonSpokenToSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonSpokenTo
        fields = ["id", "role", "count", "description"]


class PersonSpokenToAddSerializer(serializers.Serializer):
    """By role and number only: a body with a name field (``name``, ``surname`` …) is refused."""

    role = serializers.ChoiceField(choices=PersonSpokenToRole.choices)
    count = serializers.IntegerField(min_value=1, default=1)
    description = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                        help_text="More about the role, never a name.")


class FindingsSerializer(serializers.Serializer):
    standard = serializers.CharField(help_text="The standard's code, like 7.")
    findings = serializers.CharField(allow_blank=True)


class DraftReportSerializer(serializers.Serializer):
    duration_hours = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False,
                                              help_text="Time spent at the home over all the visit's days.")
    summary = serializers.CharField(required=False, allow_null=True, default=None)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


# Comments ---------------------------------------------------------------------------------------

class EvidenceSerializer(serializers.Serializer):
    original_name = serializers.CharField()
    uploaded_on = serializers.DateTimeField()


class ResponseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CommentOutcome.choices)
    reason = serializers.CharField()
    responded_by = name_of("responded_by")
    responded_on = serializers.DateTimeField()


class CommentSerializer(serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    made_by = name_of("made_by")
    evidence = EvidenceSerializer(many=True, read_only=True)
    response = serializers.SerializerMethodField()

    class Meta:
        model = FactualAccuracyComment
        fields = ["id", "visit", "section", "standard", "text", "made_by", "made_on", "evidence",
                  "response", "disputed_on", "dispute_reason", "resolved_by_review"]

    @extend_schema_field(ResponseSerializer(allow_null=True))
    def get_response(self, comment) -> dict | None:
        response = getattr(comment, "response", None)
        return ResponseSerializer(response).data if response else None


class CommentAddSerializer(serializers.Serializer):
    visit = serializers.IntegerField(help_text="The visit's id.")
    text = serializers.CharField()
    standard = serializers.CharField(required=False, allow_blank=True, default="",
                                     help_text="The standard's code, like 7, when the comment is on one.")
    section = serializers.ChoiceField(
        choices=[c for c in CommentSection.choices if c[0] != CommentSection.STANDARD],
        required=False, allow_blank=True, default="", help_text="Otherwise the part of the report.")


class CommentRespondSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CommentOutcome.choices)
    reason = serializers.CharField()
    rating = serializers.ChoiceField(choices=Rating.choices, required=False, allow_null=True, default=None,
                                     help_text="Amended: the standard's new rating.")
    findings = serializers.CharField(required=False, allow_null=True, default=None,
                                     help_text="Amended: the standard's new findings.")
    summary = serializers.CharField(required=False, allow_null=True, default=None,
                                    help_text="Amended: the report's new summary.")


# Action plans -----------------------------------------------------------------------------------

class ActionUpdateSerializer(serializers.ModelSerializer):
    by = name_of("by")

    class Meta:
        model = ActionUpdate
        fields = ["from_status", "to_status", "note", "by", "on"]


class PlanActionSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.code", read_only=True)
    standard_title = serializers.CharField(source="standard.title", read_only=True)
    verified_by = name_of("verified_by")

    class Meta:
        model = PlanAction
        fields = ["id", "plan", "standard", "standard_title", "description", "owner", "target_on",
                  "status", "completed_on", "completion_evidence", "verified_by", "verified_on",
                  "overdue_since"]


class PlanActionDetailSerializer(PlanActionSerializer):
    care_home = VisitHomeSerializer(source="plan.visit.care_home", read_only=True)
    updates = ActionUpdateSerializer(many=True, read_only=True)

    class Meta(PlanActionSerializer.Meta):
        fields = [*PlanActionSerializer.Meta.fields, "care_home", "updates"]


class ActionPlanSerializer(serializers.ModelSerializer):
    care_home = VisitHomeSerializer(source="visit.care_home", read_only=True)
    submitted_by = name_of("submitted_by")
    actions_total = serializers.IntegerField(read_only=True)
    actions_outstanding = serializers.IntegerField(read_only=True)
    actions_awaiting_verification = serializers.IntegerField(read_only=True)
    actions_overdue = serializers.IntegerField(read_only=True)

    class Meta:
        model = ActionPlan
        fields = ["id", "visit", "care_home", "status", "due_on", "required_because", "submitted_on",
                  "submitted_by", "closed_on", "overdue_since", "actions_total", "actions_outstanding",
                  "actions_awaiting_verification", "actions_overdue"]


class ShortfallSerializer(serializers.Serializer):
    standard = serializers.CharField(source="standard.code")
    title = serializers.CharField(source="standard.title")
    rating = serializers.ChoiceField(source="published_rating", choices=Rating.choices)


class ActionPlanDetailSerializer(ActionPlanSerializer):
    shortfalls = ShortfallSerializer(many=True, read_only=True)
    gaps = serializers.ListField(child=serializers.CharField(), read_only=True,
                                 help_text="What stops the plan being submitted (empty when it can be).")
    actions = PlanActionSerializer(many=True, read_only=True)

    class Meta(ActionPlanSerializer.Meta):
        fields = [*ActionPlanSerializer.Meta.fields, "shortfalls", "gaps", "actions"]


class PlanActionAddSerializer(serializers.Serializer):
    standard = serializers.CharField(help_text="The shortfall's standard code, like 12.")
    description = serializers.CharField()
    owner = serializers.CharField(max_length=200,
                                  help_text="Who at the home leads it (a role or name of staff).")
    target_on = serializers.DateField()


# Where an action can be moved to (``TRANSITIONS``), as API choices.
MOVE_CHOICES = [(status, PlanActionStatus(status).label) for status in TRANSITIONS]


class PlanActionMoveSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=MOVE_CHOICES, help_text="in_progress or completed (the provider); verified or "
                                             "reopened (an officer).")
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Why, when reopening (required then).")
    evidence = serializers.CharField(required=False, allow_blank=True, default="",
                                     help_text="The evidence it is done, when completing (required then).")


# Report PDFs ------------------------------------------------------------------------------------

class ReportPdfSerializer(serializers.ModelSerializer):
    is_draft = serializers.BooleanField(read_only=True)
    percent = serializers.IntegerField(source="progress_percent", read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to fetch the PDF once made.")

    class Meta:
        model = ReportPdf
        fields = ["id", "visit", "visit_status", "is_draft", "status", "stage", "percent", "finished",
                  "requested_on", "finished_on", "error", "download"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, pdf) -> str | None:
        if not pdf.file:
            return None
        from rest_framework.reverse import reverse

        return reverse("reportpdf-download", args=[pdf.pk], request=self.context.get("request"))


class ReportPdfRequestSerializer(serializers.Serializer):
    visit = serializers.IntegerField(help_text="The visit's id.")

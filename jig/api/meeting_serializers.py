"""Serializers of the JIG meetings API: meetings (with their content for members who signed),
signatures and attendance, actions, soft intelligence and meeting packs.

A meeting's content (flags and reasons, deep dives, minutes) is written out only when the view
says the caller may read it (``content_allowed`` in the serializer's context, decided by
``jig.meeting_selectors.meeting_content_allowed``); otherwise those fields are null.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from carehomes.api.serializers import OrganisationRefSerializer
from carehomes.models import CareHome
from commissioning.models import User

from ..choices import AttendanceStatus, IntelligenceCategory, JigActionStatus, Sensitivity, TrainingTheme
from ..models import (
    Attendance,
    DeepDiveAnswer,
    DeepDiveRequest,
    HomeFlag,
    JigAction,
    JigGroup,
    JigMembership,
    Meeting,
    MeetingPack,
    SoftIntelligence,
)


class GroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = JigGroup
        fields = ["id", "name"]


class HomeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareHome
        fields = ["id", "cqc_location_id", "name"]


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class SeatSerializer(serializers.ModelSerializer):
    """A seat on the group: who, for which organisation, in which role."""

    person = PersonRefSerializer(source="user", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = JigMembership
        fields = ["id", "person", "organisation", "role", "starts_on", "ends_on"]


# --- Meetings --------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="This meeting in the API.")
    group = GroupRefSerializer(read_only=True)
    month = serializers.SerializerMethodField(help_text="The month the meeting is for, like 2026-11.")
    signed = serializers.BooleanField(read_only=True, help_text=(
        "Whether you signed this meeting's confidentiality statement: only then do you read its "
        "content (flags, deep dives, minutes, packs)."))

    class Meta:
        model = Meeting
        fields = ["id", "url", "group", "month", "starts_at", "location", "status", "agenda", "opened_at",
                  "closed_at", "was_quorate", "signed"]
        read_only_fields = fields

    def get_url(self, meeting) -> str:
        return reverse("jigmeeting-detail", args=[meeting.pk], request=self.context.get("request"))

    @extend_schema_field(OpenApiTypes.STR)
    def get_month(self, meeting) -> str:
        return f"{meeting.month:%Y-%m}"


class AttachmentNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()


class DeepDiveAnswerSerializer(serializers.ModelSerializer):
    answered_by = PersonRefSerializer(read_only=True, allow_null=True)
    attachments = AttachmentNameSerializer(many=True, read_only=True,
                                           help_text="Files attached (download them in the portal).")

    class Meta:
        model = DeepDiveAnswer
        fields = ["text", "answered_at", "answered_by", "attachments"]


class DeepDiveSerializer(serializers.ModelSerializer):
    asked_of = OrganisationRefSerializer(read_only=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = DeepDiveRequest
        fields = ["id", "asked_of", "question", "due_by", "answer"]

    @extend_schema_field(DeepDiveAnswerSerializer(allow_null=True))
    def get_answer(self, request) -> dict | None:
        answer = getattr(request, "answer", None)  # a missing answer raises an AttributeError
        return DeepDiveAnswerSerializer(answer).data if answer else None


class FlagReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The automatic rule (jig.flagging), e.g. turned_red.")
    reason = serializers.CharField()


class FlagSerializer(serializers.ModelSerializer):
    care_home = HomeRefSerializer(read_only=True)
    reasons = FlagReasonSerializer(many=True, read_only=True, help_text="The automatic rules the home meets.")
    all_reasons = serializers.ListField(child=serializers.CharField(), read_only=True,
                                        help_text="Every reason in plain English, the chair's last.")
    deep_dives = DeepDiveSerializer(many=True, read_only=True)

    class Meta:
        model = HomeFlag
        fields = ["id", "care_home", "reasons", "chair_reason", "all_reasons", "flagged_at", "deep_dives"]


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting, and its content when you may read it (null otherwise)."""

    content_allowed = serializers.SerializerMethodField(help_text=(
        "Whether you may read this meeting's content: a current member who signed its statement."))
    flags = serializers.SerializerMethodField(help_text="The homes flagged for discussion, with why.")
    minutes = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "content_allowed", "flags", "minutes"]
        read_only_fields = fields

    def get_content_allowed(self, meeting) -> bool:
        return bool(self.context.get("content_allowed"))

    @extend_schema_field(FlagSerializer(many=True, allow_null=True))
    def get_flags(self, meeting) -> list | None:
        if not self.context.get("content_allowed"):
            return None
        return FlagSerializer(self.context["flags"], many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_minutes(self, meeting) -> str | None:
        return meeting.minutes if self.context.get("content_allowed") else None


class SignatureSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting_id")
    signed_at = serializers.DateTimeField()
    statement_version = serializers.IntegerField(source="statement.version",
                                                 help_text="The version of the statement signed.")


class SignatureRowSerializer(serializers.Serializer):
    """For the chair: a member and whether (and when) they signed."""

    seat = SeatSerializer(source="membership")
    signed_at = serializers.DateTimeField(source="signature.signed_at", allow_null=True, default=None)


class AttendanceSerializer(serializers.ModelSerializer):
    seat = SeatSerializer(source="membership", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "seat", "status", "note", "recorded_at"]


class AttendanceRecordSerializer(serializers.Serializer):
    membership = serializers.IntegerField(help_text="The seat's id (see `seat.id`).")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


# --- Actions ---------------------------------------------------------------------------------


class JigActionSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    care_home = HomeRefSerializer(read_only=True, allow_null=True)
    owner_organisation = OrganisationRefSerializer(read_only=True)
    owner = PersonRefSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Still to do and due before today.")

    class Meta:
        model = JigAction
        fields = ["id", "meeting", "care_home", "description", "owner_organisation", "owner", "due_on",
                  "status", "progress_note", "completed_on", "is_training", "training_theme", "is_overdue",
                  "created_on", "modified_on"]
        read_only_fields = fields


class JigActionCreateSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="The meeting the action was agreed at (open or closed).")
    description = serializers.CharField()
    owner_organisation = serializers.IntegerField(help_text="The owning organisation's id.")
    owner = serializers.IntegerField(required=False, allow_null=True, default=None,
                                     help_text="The owner's user id.")
    due_on = serializers.DateField()
    care_home = serializers.IntegerField(required=False, allow_null=True, default=None,
                                         help_text="The home's id, if the action is about one.")
    training_theme = serializers.ChoiceField(choices=TrainingTheme.choices, required=False, allow_blank=True,
                                             default="", help_text="Makes it a training action.")


class JigActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=JigActionStatus.choices, required=False)
    progress_note = serializers.CharField(required=False, allow_blank=True)
    due_on = serializers.DateField(required=False, help_text="Only the chair moves the due date.")


# --- Soft intelligence -----------------------------------------------------------------------


class SoftIntelligenceSerializer(serializers.ModelSerializer):
    group = GroupRefSerializer(read_only=True)
    care_home = HomeRefSerializer(read_only=True)
    source_organisation = OrganisationRefSerializer(read_only=True)
    recorded_by = PersonRefSerializer(read_only=True, allow_null=True)
    is_archived = serializers.BooleanField(read_only=True)

    class Meta:
        model = SoftIntelligence
        fields = ["id", "group", "care_home", "meeting", "source_organisation", "reported_on", "category",
                  "sensitivity", "text", "recorded_by", "created_on", "modified_on", "is_archived",
                  "archived_at", "archived_reason"]
        read_only_fields = fields


class SoftIntelligenceCreateSerializer(serializers.Serializer):
    group = serializers.IntegerField(help_text="The group it is for (only its members will read it).")
    care_home = serializers.IntegerField(help_text="The home's id (in the group's area).")
    source_organisation = serializers.IntegerField(help_text="The id of the organisation it came from.")
    reported_on = serializers.DateField()
    category = serializers.ChoiceField(choices=IntelligenceCategory.choices)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, default=Sensitivity.MEDIUM)
    text = serializers.CharField()
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="The meeting it was raised at, if any.")


class SoftIntelligenceUpdateSerializer(serializers.Serializer):
    source_organisation = serializers.IntegerField(required=False)
    reported_on = serializers.DateField(required=False)
    category = serializers.ChoiceField(choices=IntelligenceCategory.choices, required=False)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)
    text = serializers.CharField(required=False)


class ArchiveReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why.")


# --- Meeting packs ---------------------------------------------------------------------------


class MeetingPackSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    requested_by = PersonRefSerializer(read_only=True, allow_null=True)
    percent = serializers.IntegerField(source="progress_percent", read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to fetch the PDF once made.")

    class Meta:
        model = MeetingPack
        fields = ["id", "meeting", "status", "stage", "percent", "finished", "requested_by", "requested_on",
                  "finished_on", "error", "download"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, pack) -> str | None:
        if not pack.file:
            return None
        return reverse("jigmeetingpack-download", args=[pack.pk], request=self.context.get("request"))


class MeetingPackRequestSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="The meeting's id (you must have signed its statement).")

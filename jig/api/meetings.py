"""API: the JIG's meetings, actions, soft intelligence and meeting packs (members only).

Thin views over ``jig.meeting_selectors`` (what a person may see) and the services (what they
may do), so the rules and their messages are the pages' own (docs/jig-meetings.md):

* rows come only from the selectors: somebody who is not a current member of a group gets an
  empty list and 404, never a meeting, an action or a word of soft intelligence;
* a meeting's content (flags and reasons, deep dives, minutes) is in its detail only for a
  member who signed its confidentiality statement (``content_allowed``); the same member is
  refused its packs (403 with the reason) until they sign;
* writes call the services, which check the person again; a refusal is 403 with the reason,
  a wrong state or value 400 with the reason in words.

Any API user may call these endpoints (``use_api``): membership, not the portal role, decides
what they see, as the JIG's members sit for many kinds of organisation.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from carehomes.models import CareHome
from commissioning import access
from commissioning.choices import JobStatus
from commissioning.models import Organisation, User

from .. import meeting_selectors as sel
from ..intelligence_services import (
    action_create,
    action_update,
    soft_intelligence_archive,
    soft_intelligence_record,
    soft_intelligence_update,
)
from ..meeting_services import attendance_record, meeting_pack_request, statement_sign
from ..models import (
    ConfidentialitySignature,
    JigAction,
    JigGroup,
    JigMembership,
    Meeting,
    MeetingPack,
    SoftIntelligence,
)
from . import meeting_serializers as s
from .meeting_filtersets import (
    ActionApiFilterSet,
    MeetingFilterSet,
    MeetingPackFilterSet,
    SoftIntelligenceApiFilterSet,
)

REFUSED = {
    400: OpenApiResponse(description="Refused: the reason is in `detail` (by field in `errors`); nothing "
                                     "changed."),
    403: OpenApiResponse(description="You may not do this (the reason is in `detail`)."),
    404: OpenApiResponse(description="No such record that you may see."),
}


class ApiUser(BasePermission):
    """Signed in with ``use_api``; the selectors decide the rows and the services the writes."""

    def has_permission(self, request, view) -> bool:
        return access.allowed(request.user, access.Action.USE_API)


class JigApiMixin:
    """What every JIG meetings endpoint shares: the permission, and service errors as responses."""

    permission_classes = [ApiUser]

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, partial=self.request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            errors = ({("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
                      if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
            detail = " ".join(m for messages in errors.values() for m in messages)
            return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, DjangoPermissionDenied) and exc.args:
            exc = exceptions.PermissionDenied(str(exc))
        return super().handle_exception(exc)


def _one(model, pk, field: str, queryset=None):
    """A row named in a request body, or a 400 saying which field is wrong."""
    found = (queryset if queryset is not None else model.objects).filter(pk=pk).first() if pk else None
    if found is None:
        raise DjangoValidationError({field: f"There is no {field.replace('_', ' ')} {pk} you can choose."})
    return found


# --- Meetings --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Meetings of the groups you sit on, newest first",
                       description="`signed` says whether you signed a meeting's confidentiality "
                                   "statement; only then does its detail carry its content."),
    retrieve=extend_schema(summary="One meeting, with its content if you signed its statement"),
)
class MeetingViewSet(JigApiMixin, viewsets.ReadOnlyModelViewSet):
    """The JIG's monthly meetings. Members read a meeting's date, status and standing agenda;
    its flagged homes, deep dives and minutes only after signing its confidentiality statement."""

    queryset = Meeting.objects.none()  # for the schema; rows come from the selector
    filterset_class = MeetingFilterSet
    ordering_fields = ["starts_at", "month"]
    ordering = ["-starts_at", "-pk"]

    def get_queryset(self):
        user = self.request.user
        if not getattr(user, "pk", None):
            return Meeting.objects.none()
        signed = ConfidentialitySignature.objects.filter(meeting=OuterRef("pk"), user=user)
        return sel.meetings_visible_to(user).annotate(signed=Exists(signed))

    def get_serializer_class(self):
        return s.MeetingDetailSerializer if self.action == "retrieve" else s.MeetingSerializer

    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_object()
        allowed = sel.meeting_content_allowed(request.user, meeting)
        context = {**self.get_serializer_context(), "content_allowed": allowed,
                   "flags": list(sel.meeting_flags(meeting)) if allowed else []}
        return Response(s.MeetingDetailSerializer(meeting, context=context).data)

    @extend_schema(summary="Sign the meeting's confidentiality statement", request=None,
                   description="Opens the meeting's content to you. Signing again returns your first "
                               "signature (200); while the meeting is open it also records you as present.",
                   responses={201: s.SignatureSerializer, 200: s.SignatureSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        meeting = self.get_object()
        already = sel.has_signed(request.user, meeting)
        signature = statement_sign(meeting=meeting, user=request.user)
        return Response(s.SignatureSerializer(signature).data,
                        status=status.HTTP_200_OK if already else status.HTTP_201_CREATED)

    @extend_schema(summary="Who has signed (the chair and co-chair only)",
                   responses={200: s.SignatureRowSerializer(many=True), **REFUSED})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def signatures(self, request, pk=None):
        rows = sel.meeting_signatures(request.user, self.get_object())
        return Response(s.SignatureRowSerializer(rows, many=True).data)

    @extend_schema(methods=["get"], summary="Who was present and who sent apologies",
                   responses={200: s.AttendanceSerializer(many=True), **REFUSED})
    @extend_schema(methods=["post"], summary="Record attendance",
                   description="The chair records anybody as present (once the meeting is open) or "
                               "sending apologies; a member may send their own apologies.",
                   request=s.AttendanceRecordSerializer, responses={200: s.AttendanceSerializer, **REFUSED})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "GET":
            rows = meeting.attendance.select_related("membership__user", "membership__organisation")
            return Response(s.AttendanceSerializer(rows, many=True).data)
        body = self.body(s.AttendanceRecordSerializer)
        seat = _one(JigMembership, body["membership"], "membership", JigMembership.objects.filter(
            group=meeting.group_id))
        row = attendance_record(meeting=meeting, membership=seat, status=body["status"], user=request.user,
                                note=body["note"])
        return Response(s.AttendanceSerializer(row).data)


# --- Actions ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Actions agreed by the groups you sit on",
                       description="`is_overdue`: still open or in progress and due before today."),
    retrieve=extend_schema(summary="One action"),
)
class JigActionViewSet(JigApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Actions agreed at JIG meetings. The chair records them; the owner or the chair records
    progress and status; only the chair moves a due date."""

    queryset = JigAction.objects.none()
    serializer_class = s.JigActionSerializer
    filterset_class = ActionApiFilterSet
    ordering_fields = ["due_on", "modified_on"]
    ordering = ["due_on", "pk"]

    def get_queryset(self):
        return sel.with_overdue(sel.actions_visible_to(self.request.user))

    def _response(self, item, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data, status=code)

    @extend_schema(summary="Record an action agreed at a meeting (the chair)",
                   request=s.JigActionCreateSerializer, responses={201: s.JigActionSerializer, **REFUSED})
    def create(self, request):
        body = self.body(s.JigActionCreateSerializer)
        meeting = _one(Meeting, body["meeting"], "meeting", sel.meetings_visible_to(request.user))
        item = action_create(
            meeting=meeting, user=request.user, description=body["description"],
            owner_organisation=_one(Organisation, body["owner_organisation"], "owner_organisation"),
            owner=body["owner"] and _one(User, body["owner"], "owner"), due_on=body["due_on"],
            care_home=body["care_home"] and _one(CareHome, body["care_home"], "care_home"),
            training_theme=body["training_theme"])
        return self._response(item, status.HTTP_201_CREATED)

    @extend_schema(summary="Record progress, a new status or (the chair) a new due date",
                   request=s.JigActionUpdateSerializer, responses={200: s.JigActionSerializer, **REFUSED})
    def partial_update(self, request, pk=None):
        changes = self.body(s.JigActionUpdateSerializer)
        item = action_update(action=self.get_object(), user=request.user, **changes)
        return self._response(item)


# --- Soft intelligence -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Soft intelligence of the groups you sit on",
                       description="Only current members of the group an item was recorded for ever read "
                                   "it; anybody else gets an empty list. Archived items are left out unless "
                                   "`include_archived` is true."),
    retrieve=extend_schema(summary="One item of soft intelligence"),
)
class SoftIntelligenceViewSet(JigApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Concerns about homes that members bring to their group. Recorded by chairs and members
    (not observers); corrected by whoever recorded it or the chair; archived, never deleted."""

    queryset = SoftIntelligence.objects.none()
    serializer_class = s.SoftIntelligenceSerializer
    filterset_class = SoftIntelligenceApiFilterSet
    ordering_fields = ["reported_on", "created_on"]
    ordering = ["-reported_on", "-pk"]

    def get_queryset(self):
        return sel.soft_intelligence_visible_to(self.request.user, include_archived=True)

    def filter_queryset(self, queryset):
        # The filters (archived items left out by default) are the list's; one item is found by id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _response(self, item, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data, status=code)

    @extend_schema(summary="Record soft intelligence about a home of the group's area",
                   request=s.SoftIntelligenceCreateSerializer,
                   responses={201: s.SoftIntelligenceSerializer, **REFUSED})
    def create(self, request):
        body = self.body(s.SoftIntelligenceCreateSerializer)
        group = _one(JigGroup, body["group"], "group",
                     JigGroup.objects.filter(pk__in=sel.seats(request.user).values("group_id")))
        item = soft_intelligence_record(
            group=group, user=request.user, care_home=_one(CareHome, body["care_home"], "care_home"),
            source_organisation=_one(Organisation, body["source_organisation"], "source_organisation"),
            reported_on=body["reported_on"], category=body["category"], sensitivity=body["sensitivity"],
            text=body["text"],
            meeting=body["meeting"] and _one(Meeting, body["meeting"], "meeting", group.meetings.all()))
        return self._response(item, status.HTTP_201_CREATED)

    @extend_schema(summary="Correct an item (whoever recorded it, or the chair)",
                   request=s.SoftIntelligenceUpdateSerializer,
                   responses={200: s.SoftIntelligenceSerializer, **REFUSED})
    def partial_update(self, request, pk=None):
        changes = self.body(s.SoftIntelligenceUpdateSerializer)
        if "source_organisation" in changes:
            changes["source_organisation"] = _one(Organisation, changes["source_organisation"],
                                                  "source_organisation")
        item = soft_intelligence_update(item=self.get_object(), user=request.user, **changes)
        return self._response(item)

    @extend_schema(summary="Archive an item, with the reason (it is kept, no longer counted or shown)",
                   request=s.ArchiveReasonSerializer,
                   responses={200: s.SoftIntelligenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        item = soft_intelligence_archive(item=self.get_object(), user=request.user,
                                         reason=self.body(s.ArchiveReasonSerializer)["reason"])
        return self._response(item)


# --- Meeting packs ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Packs of the meetings whose statement you signed, newest first"),
    retrieve=extend_schema(summary="One pack: its status and progress"),
)
class MeetingPackViewSet(JigApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """The meeting pack as an A4 PDF, made in the background: ask for one, poll it, then
    download it. Only members who signed the meeting's statement may ask for or read a pack."""

    queryset = MeetingPack.objects.none()
    serializer_class = s.MeetingPackSerializer
    filterset_class = MeetingPackFilterSet
    ordering_fields = ["requested_on"]
    ordering = ["-requested_on", "-pk"]

    def get_queryset(self):
        user = self.request.user
        meetings = sel.meetings_visible_to(user)
        if self.action == "list":  # only what the person may read (meeting_packs_for, for every meeting)
            signed = ConfidentialitySignature.objects.filter(user_id=getattr(user, "pk", None))
            meetings = meetings.filter(pk__in=signed.values("meeting_id"))
        return MeetingPack.objects.filter(meeting__in=meetings.values("pk")).select_related(
            "meeting__group", "requested_by")

    def get_object(self):
        pack = super().get_object()
        # A member who has not signed finds the pack (the meeting is theirs) and is told why not.
        sel.require_meeting_content(self.request.user, pack.meeting)
        return pack

    @extend_schema(summary="Ask for the meeting's pack",
                   description="202: the job is queued; poll its `status` until `finished`, then fetch "
                               "`download`. 403 unless you signed the meeting's statement.",
                   request=s.MeetingPackRequestSerializer,
                   responses={202: s.MeetingPackSerializer, **REFUSED})
    def create(self, request):
        body = self.body(s.MeetingPackRequestSerializer)
        meeting = _one(Meeting, body["meeting"], "meeting", sel.meetings_visible_to(request.user))
        pack = meeting_pack_request(meeting=meeting, user=request.user)
        pack = MeetingPack.objects.select_related("requested_by").get(pk=pack.pk)  # as the task left it
        return Response(self.get_serializer(pack).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Download the PDF once made",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              403: OpenApiResponse(description="You have not signed the statement."),
                              404: OpenApiResponse(description="No such pack that you may see, or it is not "
                                                               "made yet.")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        pack = self.get_object()
        if pack.status != JobStatus.SUCCEEDED or not sel.pack_download_allowed(request.user, pack):
            raise Http404("The pack is not ready.")
        name = f"jig-meeting-pack-{pack.meeting.date:%Y-%m-%d}-{pack.pk}.pdf"
        return FileResponse(pack.file.open("rb"), as_attachment=True, filename=name,
                            content_type="application/pdf")

    def perform_content_negotiation(self, request, force=False):
        # The download answers with a file whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "download")


def register(router) -> None:
    router.register("jig-meetings", MeetingViewSet, basename="jigmeeting")
    router.register("jig-actions", JigActionViewSet, basename="jigaction")
    router.register("jig-soft-intelligence", SoftIntelligenceViewSet, basename="jigsoftintelligence")
    router.register("jig-meeting-packs", MeetingPackViewSet, basename="jigmeetingpack")


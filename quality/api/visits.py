"""The visits API: the framework, and visits from planning to publication (docs/visits.md).

Each workflow step is an action endpoint that calls one service; rows come from
``quality.visits.selectors``. The comments, action plans and report PDFs endpoints are in
``visit_reports`` and ``action_plans``.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from carehomes.models import CareHome
from commissioning import access
from commissioning.models import User

from ..models import (
    Answer,
    FrameworkDomain,
    Observation,
    PersonSpokenTo,
    Question,
    Standard,
    Visit,
    VisitOfficer,
)
from ..visit_filtersets import VisitFilterSet
from ..visits import selectors, services
from ..visits.report import report_context
from .framework_serializers import FrameworkVersionDetailSerializer, FrameworkVersionSerializer
from .visit_base import REFUSED, A, VisitApiMixin, standard_of
from .visit_report_serializers import ReportSerializer
from .visit_serializers import (
    AnswerSaveSerializer,
    AnswerSerializer,
    DraftReportSerializer,
    FindingsSerializer,
    ObservationAddSerializer,
    ObservationSerializer,
    PersonSpokenToAddSerializer,
    PersonSpokenToSerializer,
    ReasonSerializer,
    VisitDetailSerializer,
    VisitScheduleSerializer,
    VisitSerializer,
    VisitStartSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Versions of the visit framework, newest first"),
    retrieve=extend_schema(summary="One framework version: domains, standards, questions and the rule"),
)
class FrameworkVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """The assessment framework's versions. The framework is the area's, not a home's, so
    everyone who may use the API reads every version."""

    queryset = FrameworkVersionSerializer.Meta.model.objects.none()
    filterset_fields = ["status"]
    ordering_fields = ["number"]
    ordering = ["-number"]

    def get_queryset(self):
        versions = selectors.framework_versions()
        if self.action == "retrieve":
            questions = Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
            standards = Prefetch("standards", queryset=Standard.objects.order_by("order", "pk")
                                 .prefetch_related(questions))
            domains = FrameworkDomain.objects.order_by("order", "pk").prefetch_related(standards)
            versions = versions.prefetch_related(Prefetch("domains", queryset=domains))
        return versions

    def get_serializer_class(self):
        return FrameworkVersionDetailSerializer if self.action == "retrieve" else FrameworkVersionSerializer


def _detail(summary: str, request=None, responses=None, **kwargs):
    return extend_schema(summary=summary, request=request,
                         responses=responses or {200: VisitDetailSerializer, **REFUSED}, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Visits you can see",
                       description="Officers see every visit of their homes; a provider's staff see "
                                   "their homes' visits once the report is shared; everyone else "
                                   "published reports only."),
    retrieve=extend_schema(summary="One visit"),
)
class VisitViewSet(VisitApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quality monitoring visits. Officers (``visit``) plan and carry them out and publish the
    report; a provider's staff (``respond_to_report``) say when they have no further comments."""

    queryset = Visit.objects.none()  # for the schema; rows come from the selector
    filterset_class = VisitFilterSet
    ordering_fields = ["planned_on", "started_on", "published_on", "modified_on"]
    ordering = ["-planned_on", "care_home__name"]
    write_access = {name: A.VISIT for name in (
        "create", "start", "answers", "observations", "people_spoken_to", "findings", "draft_report",
        "share", "publish", "cancel")} | {"no_further_comments": A.RESPOND_TO_REPORT}

    def get_queryset(self):
        officers = VisitOfficer.objects.select_related("user", "organisation")
        return selectors.visits_visible_to(self.request.user).prefetch_related(
            Prefetch("visit_officers", queryset=officers))

    def get_serializer_class(self):
        return VisitSerializer if self.action == "list" else VisitDetailSerializer

    def _visit_response(self, visit: Visit, code=status.HTTP_200_OK) -> Response:
        visit = self.get_queryset().get(pk=visit.pk)
        context = {**self.get_serializer_context(),
                   "is_officer": access.can(self.request.user, A.VISIT, visit)}
        return Response(VisitDetailSerializer(visit, context=context).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._visit_response(self.get_object())

    @_detail("Plan a visit", VisitScheduleSerializer, {201: VisitDetailSerializer, **REFUSED})
    def create(self, request):
        """The visit uses the published framework version for good; the lead organisation
        comes from the home's registration type unless given. 404 if you may not visit the home."""
        body = self.body(VisitScheduleSerializer)
        home = access.get_object_or_404(CareHome.objects.all(), request.user, A.VISIT,
                                        cqc_location_id=body["care_home"])
        visit = services.visit_schedule(
            care_home=home, user=request.user, planned_on=body["planned_on"], kind=body["kind"],
            planned_days=body["planned_days"], lead_organisation=body["lead_organisation"],
            officers=[_officer(email, home, "officers") for email in body["officers"]],
            lead_officer=_officer(lead, home, "lead_officer") if (lead := body["lead_officer"]) else None,
            notes=body["notes"])
        return self._visit_response(visit, status.HTTP_201_CREATED)

    @_detail("Start the visit (the officers have arrived)", VisitStartSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        visit = services.visit_start(visit=self.get_object(), user=request.user,
                                     started_on=self.body(VisitStartSerializer)["started_on"])
        return self._visit_response(visit)

    @extend_schema(methods=["GET"], summary="The visit's scores and evidence so far",
                   filters=False, responses={200: AnswerSerializer(many=True), 404: REFUSED[404]})
    @extend_schema(methods=["PUT"], summary="Save one question's score and evidence",
                   description="For save-as-you-go clients: one question at a time; sending the same "
                               "values again changes nothing.",
                   request=AnswerSaveSerializer, responses={200: AnswerSerializer, **REFUSED})
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def answers(self, request, pk=None):
        visit = self.get_object()
        if request.method == "GET":
            answers = access.restrict(Answer.objects.filter(visit=visit), request.user)
            return Response(AnswerSerializer(answers.select_related("question__standard", "saved_by"),
                                             many=True).data)
        body = self.body(AnswerSaveSerializer)
        question = Question.objects.filter(pk=body["question"],
                                           standard__version=visit.framework_version_id).first()
        if question is None:
            raise ValidationError({"question": "This question is not part of this visit's framework."})
        answer = services.answer_save(visit=visit, question=question, user=request.user,
                                      score=body["score"], evidence=body["evidence"])
        return Response(AnswerSerializer(answer).data)

    @extend_schema(methods=["GET"], summary="What the officers saw",
                   filters=False, responses={200: ObservationSerializer(many=True), 404: REFUSED[404]})
    @extend_schema(methods=["POST"], summary="Record an observation, optionally against a standard",
                   request=ObservationAddSerializer, responses={201: ObservationSerializer, **REFUSED})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def observations(self, request, pk=None):
        visit = self.get_object()
        if request.method == "GET":
            rows = access.restrict(Observation.objects.filter(visit=visit), request.user)
            rows = rows.select_related("standard", "created_by")
            return Response(ObservationSerializer(rows, many=True).data)
        body = self.body(ObservationAddSerializer)
        observation = services.observation_add(visit=visit, user=request.user, text=body["text"],
                                               standard=standard_of(visit, body["standard"]),
                                               observed_on=body["observed_on"])
        return Response(ObservationSerializer(observation).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], summary="Who the officers spoke to, by role and number",
                   filters=False, responses={200: PersonSpokenToSerializer(many=True), 404: REFUSED[404]})
    @extend_schema(methods=["POST"], summary="Record people spoken to (by role: never names)",
                   description="A body with a name field (`name`, `first_name`, `surname` …), any other "
                               "unknown field, or a description that looks like a name is refused.",
                   request=PersonSpokenToAddSerializer, responses={201: PersonSpokenToSerializer, **REFUSED})
    @action(detail=True, methods=["get", "post"], url_path="people-spoken-to", pagination_class=None)
    def people_spoken_to(self, request, pk=None):
        visit = self.get_object()
        if request.method == "GET":
            rows = access.restrict(PersonSpokenTo.objects.filter(visit=visit), request.user)
            return Response(PersonSpokenToSerializer(rows, many=True).data)
        data = request.data
        if not hasattr(data, "keys"):
            raise ValidationError("Send an object with role, count and description.")
        data = data.dict() if hasattr(data, "dict") else dict(data)
        person = services.person_spoken_to_add_from_data(visit=visit, user=request.user, data=data)
        return Response(PersonSpokenToSerializer(person).data, status=status.HTTP_201_CREATED)

    @_detail("Save the report's findings for one standard", FindingsSerializer)
    @action(detail=True, methods=["put"])
    def findings(self, request, pk=None):
        visit = self.get_object()
        body = self.body(FindingsSerializer)
        services.findings_save(visit=visit, standard=standard_of(visit, body["standard"]), user=request.user,
                               findings=body["findings"])
        return self._visit_response(visit)

    @_detail("Finish the fieldwork: the draft report with indicative ratings", DraftReportSerializer)
    @action(detail=True, methods=["post"], url_path="draft-report")
    def draft_report(self, request, pk=None):
        body = self.body(DraftReportSerializer)
        visit = services.visit_draft_report(visit=self.get_object(), user=request.user,
                                            duration_hours=body["duration_hours"], summary=body["summary"])
        return self._visit_response(visit)

    @_detail("Share the draft with the provider: 14 days for factual-accuracy comments")
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        return self._visit_response(services.report_share(visit=self.get_object(), user=request.user))

    @_detail("Provider: no (further) comments, so the report may be published early")
    @action(detail=True, methods=["post"], url_path="no-further-comments")
    def no_further_comments(self, request, pk=None):
        visit = services.report_provider_accept(visit=self.get_object(), user=request.user)
        return self._visit_response(visit)

    @_detail("Publish the report",
             description="400 lists what stops it: the window still open, a comment with no "
                         "response, or a dispute not yet reviewed.")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._visit_response(services.report_publish(visit=self.get_object(), user=request.user))

    @_detail("Cancel the visit, with a reason (before the report is shared)", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        visit = services.visit_cancel(visit=self.get_object(), user=request.user,
                                      reason=self.body(ReasonSerializer)["reason"])
        return self._visit_response(visit)

    @extend_schema(summary="The report: ratings, findings, comments, action plan and log",
                   responses={200: ReportSerializer, 404: REFUSED[404]})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        visit = self.get_object()
        context = {**self.get_serializer_context(), "is_officer": access.can(request.user, A.VISIT, visit)}
        return Response(ReportSerializer(report_context(visit), context=context).data)


def _officer(email: str, home: CareHome, field: str) -> User:
    """The active user with this email; the service checks they may visit the home. An unknown
    address gets the same message as an ineligible one, so the API tells no one who has an account."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise ValidationError({field: f"{email} is not a quality officer or commissioner of the "
                                      f"council or NHS commissioner for {home.name}."})
    return user


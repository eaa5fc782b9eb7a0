"""The visits API, after the draft is shared: the provider's factual-accuracy comments and the
officers' responses, and the report as a PDF (docs/visits.md)."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning import access
from commissioning.choices import JobStatus

from ..models import FactualAccuracyComment, ReportPdf
from ..visit_filtersets import CommentFilterSet, ReportPdfFilterSet
from ..visits import services
from ..visits.selectors import visit_for
from .visit_base import REFUSED, A, VisitApiMixin, standard_of
from .visit_serializers import (
    CommentAddSerializer,
    CommentRespondSerializer,
    CommentSerializer,
    ReasonSerializer,
    ReportPdfRequestSerializer,
    ReportPdfSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Factual-accuracy comments on the reports you can see"),
    retrieve=extend_schema(summary="One comment, with the officer's response"),
)
class CommentViewSet(VisitApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """The provider comments on a shared draft within its 14-day window (UK dates); an officer
    responds to each comment; the provider may dispute a response that did not accept it."""

    queryset = FactualAccuracyComment.objects.none()
    serializer_class = CommentSerializer
    filterset_class = CommentFilterSet
    ordering_fields = ["made_on"]
    ordering = ["visit", "made_on", "pk"]
    write_access = {"create": A.RESPOND_TO_REPORT, "dispute": A.RESPOND_TO_REPORT, "respond": A.VISIT}

    def get_queryset(self):
        comments = FactualAccuracyComment.objects.select_related(
            "standard", "made_by", "response__responded_by").prefetch_related("evidence")
        return access.restrict(comments, self.request.user)

    def _comment_response(self, comment, code=status.HTTP_200_OK) -> Response:
        return Response(CommentSerializer(self.get_queryset().get(pk=comment.pk)).data, status=code)

    @extend_schema(summary="Comment on a shared draft (provider)",
                   description="Refused after the window closes unless an officer reopens it.",
                   request=CommentAddSerializer, responses={201: CommentSerializer, **REFUSED})
    def create(self, request):
        body = self.body(CommentAddSerializer)
        visit = visit_for(request.user, body["visit"])
        comment = services.comment_add(visit=visit, user=request.user, text=body["text"],
                                       standard=standard_of(visit, body["standard"]), section=body["section"])
        return self._comment_response(comment, status.HTTP_201_CREATED)

    @extend_schema(summary="Respond to a comment (officer)",
                   description="`accepted`, `amended` (give the standard's new `rating` and/or "
                               "`findings`, or the report's new `summary`) or `not_accepted`, with a reason.",
                   request=CommentRespondSerializer, responses={200: CommentSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        comment = self.get_object()
        body = self.body(CommentRespondSerializer)
        services.comment_respond(comment=comment, user=request.user, **body)
        return self._comment_response(comment)

    @extend_schema(summary="Dispute the officer's response (provider)",
                   description="An unresolved dispute goes to a senior officer's review before publication.",
                   request=ReasonSerializer, responses={200: CommentSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        comment = self.get_object()
        reason = self.body(ReasonSerializer)["reason"]
        services.comment_dispute(comment=comment, user=request.user, reason=reason)
        return self._comment_response(comment)


@extend_schema_view(
    list=extend_schema(summary="Report PDFs you can see, newest first"),
    retrieve=extend_schema(summary="One report PDF job: its status and progress"),
)
class ReportPdfViewSet(VisitApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """The report as an A4 PDF, made in the background: ask for one, poll it, then download it.
    A PDF made before publication is marked DRAFT and OFFICIAL-SENSITIVE."""

    queryset = ReportPdf.objects.none()
    serializer_class = ReportPdfSerializer
    filterset_class = ReportPdfFilterSet
    ordering_fields = ["requested_on"]
    ordering = ["-requested_on", "-pk"]
    write_access = {"create": A.VIEW}  # anyone who may read the report may have it as a PDF

    def get_queryset(self):
        return access.restrict(ReportPdf.objects.select_related("visit"), self.request.user)

    @extend_schema(summary="Ask for the report as a PDF",
                   description="202: the job is queued; poll its `status` until `finished`, then fetch "
                               "`download`.",
                   request=ReportPdfRequestSerializer, responses={202: ReportPdfSerializer, **REFUSED})
    def create(self, request):
        visit = visit_for(request.user, self.body(ReportPdfRequestSerializer)["visit"])
        job = services.report_pdf_request(visit=visit, user=request.user)
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Download the PDF once made",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(description="No such PDF that you may see, or it "
                                                               "is not made yet.")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status != JobStatus.SUCCEEDED or not job.file:
            raise Http404("The PDF is not ready.")
        name = job.file.name.rsplit("/", 1)[-1]
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name,
                            content_type="application/pdf")

    def perform_content_negotiation(self, request, force=False):
        # The download answers with a file whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "download")


"""API: sending ambulance and hospital feeds, and reading feed batches.

Thin views over the same service and selectors as the pages (``feed_records_submit``,
``feed_selectors``), so the rules and their messages are the pages' own.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from commissioning import access
from commissioning.choices import JobStatus

from .. import feed_selectors as selectors
from ..feed_filtersets import FeedBatchFilterSet
from ..feeds.codes import FeedKind
from ..models import FeedBatch
from ..services import feed_records_submit, feed_source_for
from .feed_serializers import (
    FeedBatchDetailSerializer,
    FeedBatchSerializer,
    FeedRejectedSerializer,
    FeedSubmitSerializer,
)


class CanReadFeeds(BasePermission):
    """API users who send feeds (their own trust's batches) or read risk (every batch)."""

    def has_permission(self, request, view) -> bool:
        return access.allowed(request.user, access.Action.USE_API) and selectors.can_see_feeds(request.user)


@extend_schema_view(
    list=extend_schema(summary="Feed batches you can see",
                       description="Senders see their own trust's batches; people who read risk see all."),
    retrieve=extend_schema(summary="One feed batch, with its problems"),
)
class FeedBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Every file and API batch of ambulance incidents and hospital activity, with its outcome."""

    queryset = FeedBatch.objects.none()  # for the schema; rows come from the selector
    permission_classes = [CanReadFeeds]
    filterset_class = FeedBatchFilterSet
    ordering_fields = ["requested_on"]
    ordering = ["-requested_on", "-pk"]

    def get_queryset(self):
        return selectors.feed_batches_visible_to(self.request.user, detail=self.action == "retrieve")

    def get_serializer_class(self):
        return FeedBatchDetailSerializer if self.action == "retrieve" else FeedBatchSerializer


SUBMIT_RESPONSES = {
    201: OpenApiResponse(FeedBatchSerializer, description=(
        "Stored: the batch with its counts. Records sent before unchanged count as `rows_unchanged`; "
        "sending the same batch again changes nothing.")),
    400: OpenApiResponse(FeedRejectedSerializer, description=(
        "Rejected whole: nothing was stored. `errors` gives each problem by row (the 1-based record "
        "index; 0 for the batch as a whole), column, value and why; `refused` is true when the batch "
        "holds identifiable data (values are then withheld). The batch is still recorded (`batch`).")),
    403: OpenApiResponse(description="You may not send this feed, or not for that trust."),
}


class FeedSubmitViewSet(viewsets.GenericViewSet):
    """Send a batch of records as your trust: validated whole, then stored idempotently.

    The default ``PortalAccess`` admits API users of an ambulance or acute trust (``send_feed``)
    and administrators.
    """

    access_action = access.Action.SEND_FEED
    serializer_class = FeedSubmitSerializer
    queryset = FeedBatch.objects.none()

    @extend_schema(summary="Send ambulance incidents", request=FeedSubmitSerializer,
                   responses=SUBMIT_RESPONSES)
    @action(detail=False, methods=["post"], url_path="ambulance")
    def ambulance(self, request):
        return self._submit(request, FeedKind.AMBULANCE)

    @extend_schema(summary="Send hospital activity", request=FeedSubmitSerializer,
                   responses=SUBMIT_RESPONSES)
    @action(detail=False, methods=["post"], url_path="hospital")
    def hospital(self, request):
        return self._submit(request, FeedKind.HOSPITAL)

    def _submit(self, request, kind: str) -> Response:
        body = FeedSubmitSerializer(data=request.data)
        if not body.is_valid():
            return _rejected("The request body is not a batch of records.", [
                {"row": 0, "column": field, "value": "", "message": " ".join(map(str, messages))}
                for field, messages in body.errors.items()])
        try:
            source = feed_source_for(user=request.user, kind=kind,
                                     ods_code=body.validated_data.get("source", ""))
        except PermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except ValidationError as exc:
            return _rejected(" ".join(exc.messages), [
                {"row": 0, "column": "source", "value": "",
                 "message": "is required when you send for more than one trust"}])
        try:
            batch = feed_records_submit(kind=kind, source=source, records=body.validated_data["records"],
                                        user=request.user)
        except ValidationError as exc:
            return _rejected(" ".join(exc.messages), [])
        if batch.status != JobStatus.SUCCEEDED:
            return _rejected(batch.stage, batch.errors, refused=batch.refused, batch=batch.pk)
        batch = selectors.feed_batch_for(request.user, batch.pk)
        return Response(FeedBatchSerializer(batch, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


def _rejected(detail: str, errors: list, *, refused: bool = False, batch: int | None = None) -> Response:
    return Response({"detail": detail, "errors": errors, "refused": refused, "batch": batch},
                    status=status.HTTP_400_BAD_REQUEST)


def register(router) -> None:
    router.register("feed-batches", FeedBatchViewSet, basename="feedbatch")
    router.register("feeds", FeedSubmitViewSet, basename="feed-submit")


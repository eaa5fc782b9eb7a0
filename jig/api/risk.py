"""API: risk ratings with their components, and the risk model's versions (read-only).

Both need ``read_risk`` as well as ``use_api``: care home managers read neither.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from commissioning import access
from commissioning.api.viewsets import RestrictedReadOnlyViewSet

from .. import selectors
from ..filtersets import RiskRatingFilterSet
from ..models import RiskRating
from .serializers import RiskModelSerializer, RiskRatingDetailSerializer, RiskRatingSerializer


@extend_schema_view(
    list=extend_schema(summary="Risk ratings of the homes you can see",
                       description="Newest month first, then highest score; `sort` orders by "
                                   "`score`, `name` or `change` (prefix `-` for descending)."),
    retrieve=extend_schema(summary="One risk rating, with every component's value and contribution"),
)
class RiskRatingViewSet(RestrictedReadOnlyViewSet):
    """Care homes' monthly risk ratings: score, RAG, the change since the previous month and,
    on a single rating, every component, so each red says why."""

    access_action = access.Action.READ_RISK
    queryset = RiskRating.objects.select_related("care_home__local_authority", "model")
    filterset_class = RiskRatingFilterSet
    filter_backends = [DjangoFilterBackend]  # ordering is the filterset's ``sort``

    def get_serializer_class(self):
        return RiskRatingDetailSerializer if self.action == "retrieve" else RiskRatingSerializer


@extend_schema_view(
    list=extend_schema(summary="Versions of the risk model, newest first"),
    retrieve=extend_schema(summary="One version of the risk model with its components"),
)
class RiskModelViewSet(viewsets.ReadOnlyModelViewSet):
    """The risk model's versions: RAG thresholds and each component's weight and thresholds.
    The model is the area's, not a home's, so everyone who may read risk reads every version."""

    access_action = access.Action.READ_RISK
    serializer_class = RiskModelSerializer
    queryset = selectors.risk_models()
    filterset_fields = ["is_current"]
    ordering_fields = ["version", "published_on"]
    ordering = ["-version"]


def register(router) -> None:
    router.register("risk-ratings", RiskRatingViewSet, basename="riskrating")
    router.register("risk-models", RiskModelViewSet, basename="riskmodel")

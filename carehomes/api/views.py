from django.db.models import Prefetch
from rest_framework import viewsets

from carehomes import selectors
from carehomes.filtersets import CareHomeFilterSet
from carehomes.models import CareHome, CqcRating
from commissioning import access
from commissioning.api.viewsets import RestrictedReadOnlyViewSet

from .serializers import CareHomeDetailSerializer, CareHomeSerializer, CqcImportSerializer


class CareHomeViewSet(RestrictedReadOnlyViewSet):
    """Care homes in the registry, looked up by CQC location ID."""

    queryset = CareHome.objects.select_related(
        "provider", "local_authority", "nhs_commissioner", "gp_practice")
    serializer_class = CareHomeSerializer
    filterset_class = CareHomeFilterSet
    lookup_field = "cqc_location_id"
    lookup_value_regex = r"1-\d{9,11}"
    ordering_fields = ["name", "beds", "postcode", "modified_on"]
    ordering = ["name"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("cqc_ratings", queryset=CqcRating.objects.order_by("-published_on")))
        return queryset

    def get_serializer_class(self):
        return CareHomeDetailSerializer if self.action == "retrieve" else CareHomeSerializer


class CqcImportViewSet(viewsets.ReadOnlyModelViewSet):
    """The record of each CQC directory import (for people who may import)."""

    serializer_class = CqcImportSerializer
    access_action = access.Action.IMPORT
    filterset_fields = ["status"]
    ordering = ["-requested_on"]

    def get_queryset(self):
        return selectors.cqc_imports_visible_to(self.request.user)

from commissioning.filtersets import OrganisationFilterSet
from commissioning.models import Organisation

from .serializers import OrganisationSerializer
from .viewsets import RestrictedReadOnlyViewSet


class OrganisationViewSet(RestrictedReadOnlyViewSet):
    """Organisations: NHS commissioners, councils, providers, trusts and partners."""

    queryset = Organisation.objects.filter(is_archived=False).select_related("parent")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    ordering_fields = ["name", "kind"]
    ordering = ["name"]

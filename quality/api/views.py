"""The monthly returns endpoint: read what the user may see; write through ``return_save``."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from carehomes.models import CareHome
from commissioning import access

from .. import selectors
from ..choices import ReturnSource
from ..filtersets import ReturnFilterSet
from ..models import MonthlyReturn, ReturnVersion
from ..services import ReturnNeedsConfirmation, ReturnRejected, return_save
from .serializers import (
    MonthlyReturnDetailSerializer,
    MonthlyReturnSerializer,
    ReturnCreateSerializer,
    ReturnErrorsSerializer,
    ReturnUpdateSerializer,
    ReturnWarningsSerializer,
)

CONFIRM = "Confirm these values with a reason"
WRITE_RESPONSES = {
    400: OpenApiResponse(ReturnErrorsSerializer,
                         description="The return has errors: a message per question key, the "
                                     "same messages as the web form. Nothing was saved."),
    404: OpenApiResponse(description="No such home or return that you can send returns for."),
    409: OpenApiResponse(ReturnWarningsSerializer,
                         description="Unusual values (for example 3 times the home's recent "
                                     "median). Send them again with a reason for each in "
                                     "`confirmations`. Nothing was saved."),
}


def _first(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_first(v)}" for k, v in messages.items())
    if isinstance(messages, list | tuple):
        return " ".join(_first(m) for m in messages)
    return str(messages)


@extend_schema_view(
    list=extend_schema(summary="Monthly returns you can see"),
    retrieve=extend_schema(summary="One monthly return, with every version"),
)
class MonthlyReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Monthly returns from care homes. Reading follows the portal's access rules; only people
    who send returns (care home managers) may write, and only for their own homes."""

    serializer_class = MonthlyReturnSerializer
    filterset_class = ReturnFilterSet
    ordering_fields = ["month", "due_on", "submitted_on", "modified_on"]
    ordering = ["-month", "care_home__name"]
    http_method_names = ["get", "post", "put", "head", "options"]
    queryset = MonthlyReturn.objects.none()  # for the schema; rows come from the selector

    @property
    def access_action(self) -> access.Action:
        request = getattr(self, "request", None)
        if request is None or request.method in SAFE_METHODS:
            return access.Action.VIEW
        return access.Action.SUBMIT_RETURN

    def get_queryset(self):
        returns = selectors.returns_visible_to(self.request.user, self.access_action)
        if self.action != "list":
            returns = returns.prefetch_related(Prefetch(
                "versions", queryset=ReturnVersion.objects.select_related("created_by")
                .order_by("-number")))
        return returns

    def get_serializer_class(self):
        return MonthlyReturnSerializer if self.action == "list" else MonthlyReturnDetailSerializer

    @extend_schema(summary="Start, save or submit a home's return for a month",
                   request=ReturnCreateSerializer,
                   responses={201: MonthlyReturnDetailSerializer,
                              200: MonthlyReturnDetailSerializer, **WRITE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Creates the return if the home has none for the month (201), otherwise saves over
        it (200). Sending the same submitted values again changes nothing."""
        data = ReturnCreateSerializer(data=request.data)
        if not data.is_valid():
            return self._errors(data.errors)
        home = access.get_object_or_404(CareHome.objects.all(), request.user,
                                        access.Action.SUBMIT_RETURN,
                                        cqc_location_id=data.validated_data["care_home"])
        month = data.validated_data["month"]
        existed = MonthlyReturn.objects.filter(care_home=home, month=month).exists()
        return self._save(home, month, data.validated_data,
                          status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(summary="Save, submit or amend a return",
                   request=ReturnUpdateSerializer,
                   responses={200: MonthlyReturnDetailSerializer, **WRITE_RESPONSES})
    def update(self, request, *args, **kwargs):
        """Amending a submitted return needs a ``reason``; every version is kept."""
        monthly_return = self.get_object()
        data = ReturnUpdateSerializer(data=request.data)
        if not data.is_valid():
            return self._errors(data.errors)
        return self._save(monthly_return.care_home, monthly_return.month, data.validated_data,
                          status.HTTP_200_OK)

    def _save(self, home, month, data: dict, success: int) -> Response:
        try:
            monthly_return, _ = return_save(
                care_home=home, month=month, values=data["values"], user=self.request.user,
                source=ReturnSource.API, submit=data["submit"],
                confirmations=data["confirmations"], reason=data["reason"])
        except ReturnNeedsConfirmation as exc:
            return Response({"detail": CONFIRM, "warnings": exc.unconfirmed},
                            status=status.HTTP_409_CONFLICT)
        except ReturnRejected as exc:
            return self._errors(exc.check.errors)
        except ValidationError as exc:
            return self._errors(exc.message_dict if hasattr(exc, "error_dict")
                                else {"return": exc.messages})
        saved = self.get_queryset().get(pk=monthly_return.pk)
        return Response(MonthlyReturnDetailSerializer(saved).data, status=success)

    @staticmethod
    def _errors(errors: dict) -> Response:
        return Response({"errors": {key: _first(value) for key, value in errors.items()}},
                        status=status.HTTP_400_BAD_REQUEST)

"""What every visits endpoint shares: which access action a request needs, reading a request body,
and turning a service's refusal into a response with its message (docs/visits.md).

The viewsets stay thin: they read rows through ``quality.visits.selectors`` (so a provider never
sees an unshared draft or another provider's visit: 404) and write only by calling the services,
which check the actor again and say in words what is wrong.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from commissioning import access

from ..models import Standard
from ..visits.action_plans import ActionPlanIncomplete

A = access.Action
NON_FIELD = "non_field_errors"


class ErrorSerializer(serializers.Serializer):
    """400: what is wrong, in words. ``errors`` holds the messages by field of the request
    (``non_field_errors`` for the rest); ``detail`` all of them in one string."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class GapsSerializer(ErrorSerializer):
    """400 from submitting an incomplete action plan: ``gaps`` lists what is missing."""

    gaps = serializers.ListField(child=serializers.CharField())


REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="Refused, with the reason in words; nothing changed."),
    403: OpenApiResponse(description="Your role may not do this, or not on this visit (the reason is "
                                     "in `detail`)."),
    404: OpenApiResponse(description="No such record that you may see."),
}


def error_body(errors: dict[str, list[str]]) -> dict:
    messages = [str(m) for field_messages in errors.values() for m in field_messages]
    return {"detail": " ".join(messages), "errors": errors}


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {NON_FIELD if key == "__all__" else key: list(messages)
                for key, messages in exc.message_dict.items()}
    return {NON_FIELD: list(exc.messages)}


def drf_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {key: [str(m) for m in (value if isinstance(value, list) else [value])]
                for key, value in detail.items()}
    return {NON_FIELD: [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


class VisitApiMixin:
    """Mixed into each visits viewset.

    ``write_access`` maps a viewset action to the ``access.Action`` a write needs; the default
    ``PortalAccess`` permission checks it (reads need ``view``). The services then check the
    actor against the very visit, home or plan.
    """

    write_access: dict[str, A] = {}

    @property
    def access_action(self) -> A:
        request = getattr(self, "request", None)
        if request is None or request.method in SAFE_METHODS:
            return A.VIEW
        return self.write_access.get(getattr(self, "action", None), A.CHANGE)

    def filter_queryset(self, queryset):
        # The FilterSet narrows lists; a record's own endpoints find it by id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def body(self, serializer_class) -> dict:
        """The request body checked by ``serializer_class``; a bad body is a 400 like any other."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def handle_exception(self, exc):
        if isinstance(exc, ActionPlanIncomplete):
            body = error_body({NON_FIELD: list(exc.gaps)})
            return Response({**body, "detail": "The action plan cannot be submitted yet: " + body["detail"],
                             "gaps": exc.gaps}, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, DjangoValidationError):
            return Response(error_body(django_errors(exc)), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, exceptions.ValidationError):
            return Response(error_body(drf_errors(exc.detail)), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, DjangoPermissionDenied) and exc.args:
            exc = exceptions.PermissionDenied(str(exc))
        return super().handle_exception(exc)


def standard_of(visit, code: str, field: str = "standard") -> Standard | None:
    """The visit's framework standard with this code (None for an empty code)."""
    if not code:
        return None
    standard = Standard.objects.filter(version=visit.framework_version_id, code=code).first()
    if standard is None:
        raise DjangoValidationError({field: f"Standard {code} is not part of this visit's framework."})
    return standard


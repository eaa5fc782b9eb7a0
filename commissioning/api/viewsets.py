"""The base viewset: every queryset passes through the access module."""

from rest_framework import viewsets

from commissioning import access


class RestrictedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only endpoints whose rows are what ``access.restrict`` allows this user."""

    access_action = access.Action.VIEW

    def get_queryset(self):
        return access.restrict(super().get_queryset(), self.request.user, self.access_action)

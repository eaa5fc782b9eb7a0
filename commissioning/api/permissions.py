"""API permission: signed in, active, and allowed the action by the access module."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from commissioning import access


class PortalAccess(BasePermission):
    """Default for every endpoint: deny unless the access module allows it.

    Reads need ``use_api`` and ``view``; writes need ``change``. Which rows are visible
    is decided by the viewset's queryset, which always goes through ``access.restrict``.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not access.allowed(user, access.Action.USE_API):
            return False
        action = getattr(view, "access_action", None) or (
            access.Action.VIEW if request.method in SAFE_METHODS else access.Action.CHANGE)
        return access.allowed(user, action)

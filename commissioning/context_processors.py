"""What every page needs to draw its header: the portal's name and the user's navigation."""

from django.conf import settings
from django.urls import reverse

from . import access


def portal(request) -> dict:
    user = request.user
    nav = []
    if user.is_authenticated:
        nav.append(("Home", reverse("home")))
        if access.allowed(user, access.Action.VIEW):
            nav.append(("Care homes", reverse("carehomes:list")))
            nav.append(("Monthly returns", reverse("quality:return-list")))
        if access.allowed(user, access.Action.VISIT):
            nav.append(("Visits", reverse("visits:visit-list")))
        if access.allowed(user, access.Action.MONITOR):
            nav.append(("Return compliance", reverse("quality:compliance")))
            nav.append(("Compare homes", reverse("quality:benchmark")))
        if access.allowed(user, access.Action.READ_RISK):
            nav.append(("Risk ratings", reverse("jig:risk-list")))
        if access.allowed(user, access.Action.SEND_FEED) or access.allowed(user, access.Action.READ_RISK):
            nav.append(("Feeds", reverse("jig:feed-list")))
        nav += _jig_nav(user)
        if access.allowed(user, access.Action.CHANGE):
            nav.append(("Return questions", reverse("quality:indicator-sets")))
        if access.allowed(user, access.Action.IMPORT):
            nav.append(("CQC imports", reverse("carehomes:import-list")))
        nav.append(("API", reverse("api-docs")))
        if user.is_staff:
            nav.append(("Admin", reverse("admin:index")))
    return {"portal_name": settings.PORTAL_NAME, "portal_nav": nav,
            "sign_in_attempts": settings.AXES_FAILURE_LIMIT,
            "lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60)}


def _jig_nav(user) -> list[tuple[str, str]]:
    """The JIG's pages: for people who sit on a group now; administrators set groups up."""
    if not access.allowed(user, access.Action.JIG_MEMBER_AREA):
        return []
    from jig.meeting_selectors import seats

    if seats(user).exists():
        return [("JIG", reverse("jig:meeting-list"))]
    if access.is_unrestricted(user):
        return [("JIG groups", reverse("jig:group-list"))]
    return []

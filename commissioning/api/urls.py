"""The one API router: each app adds its viewsets, so /api/v1/ lists every endpoint."""

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("organisations", views.OrganisationViewSet, basename="organisation")

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Monthly return endpoints."""
    router.register("returns", views.MonthlyReturnViewSet, basename="monthlyreturn")

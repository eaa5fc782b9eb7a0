from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("care-homes", views.CareHomeViewSet, basename="carehome")
    router.register("cqc-imports", views.CqcImportViewSet, basename="cqcimport")

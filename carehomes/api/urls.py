from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("care-homes", views.CareHomeViewSet, basename="carehome")
router.register("cqc-imports", views.CqcImportViewSet, basename="cqcimport")
urlpatterns = router.urls

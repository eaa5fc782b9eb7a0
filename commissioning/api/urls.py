from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
urlpatterns = router.urls

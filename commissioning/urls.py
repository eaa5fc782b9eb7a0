"""The portal's URLs: pages by app, the versioned API, its schema and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from carehomes.api.urls import register as register_carehomes_api
from jig.api.urls import register as register_jig_api
from quality.api.urls import register as register_quality_api

from . import views
from .api.urls import register as register_core_api

api_v1 = DefaultRouter()
for register in (register_core_api, register_carehomes_api, register_quality_api, register_jig_api):
    register(api_v1)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("commissioning.account_urls")),
    path("care-homes/", include("carehomes.urls")),
    path("returns/", include("quality.urls")),
    path("visits/", include("quality.visit_urls")),
    path("jig/", include("jig.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("health/", views.health, name="health"),
]

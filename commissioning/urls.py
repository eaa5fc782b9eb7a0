"""The portal's URLs: pages by app, the versioned API, its schema and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

api_v1 = [
    path("", include("commissioning.api.urls")),
    path("", include("carehomes.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("commissioning.account_urls")),
    path("care-homes/", include("carehomes.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("health/", views.health, name="health"),
]

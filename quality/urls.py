"""URLs of the quality app: each page module declares its own patterns."""

from .views import commissioner, indicators, returns, uploads

app_name = "quality"

urlpatterns = [
    *returns.urlpatterns,
    *uploads.urlpatterns,
    *commissioner.urlpatterns,
    *indicators.urlpatterns,
]

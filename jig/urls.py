"""URLs of the JIG app: each page module declares its own patterns."""

from .views import feeds, matching, risk, risk_models

app_name = "jig"

urlpatterns = [
    *feeds.urlpatterns,
    *matching.urlpatterns,
    *risk.urlpatterns,
    *risk_models.urlpatterns,
]

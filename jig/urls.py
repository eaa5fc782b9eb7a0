"""URLs of the JIG app: each page module declares its own patterns."""

from .views import feeds, risk

app_name = "jig"

urlpatterns = [
    *feeds.urlpatterns,
    *risk.urlpatterns,
]

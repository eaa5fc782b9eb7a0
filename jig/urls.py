"""URLs of the JIG app: each page module declares its own patterns."""

from .views import (
    actions,
    dashboard,
    feeds,
    intelligence,
    jig_group,
    matching,
    meeting_content,
    meetings,
    packs,
    risk,
    risk_models,
)

app_name = "jig"

urlpatterns = [
    *feeds.urlpatterns,
    *matching.urlpatterns,
    *risk.urlpatterns,
    *risk_models.urlpatterns,
    *jig_group.urlpatterns,
    *meetings.urlpatterns,
    *meeting_content.urlpatterns,
    *dashboard.urlpatterns,
    *intelligence.urlpatterns,
    *actions.urlpatterns,
    *packs.urlpatterns,
]

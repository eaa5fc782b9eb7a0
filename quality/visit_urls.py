"""URLs of the quality monitoring visit pages (``visits:``): each page module declares its own
patterns (docs/visits.md, "Pages")."""

from .views import (
    visits_actions,
    visits_conduct,
    visits_exports,
    visits_framework,
    visits_planning,
    visits_publication,
    visits_report,
)

app_name = "visits"

urlpatterns = [
    *visits_planning.urlpatterns,
    *visits_conduct.urlpatterns,
    *visits_report.urlpatterns,
    *visits_publication.urlpatterns,
    *visits_actions.urlpatterns,
    *visits_exports.urlpatterns,
    *visits_framework.urlpatterns,
]

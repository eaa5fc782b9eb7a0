from django.urls import path, re_path

from . import views

app_name = "carehomes"
LOCATION = r"(?P<cqc_location_id>1-\d{9,11})"

urlpatterns = [
    path("", views.carehome_list, name="list"),
    path("export.csv", views.carehome_export, name="export"),
    path("imports/", views.cqc_import_list, name="import-list"),
    path("imports/<int:pk>/", views.cqc_import_detail, name="import-detail"),
    path("imports/<int:pk>/status.json", views.cqc_import_status, name="import-status"),
    re_path(rf"^{LOCATION}/$", views.carehome_detail, name="detail"),
    re_path(rf"^{LOCATION}/ratings.csv$", views.carehome_ratings_export, name="ratings-export"),
    re_path(rf"^{LOCATION}/edit/$", views.carehome_edit, name="edit"),
]

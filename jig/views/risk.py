"""Pages: risk."""

urlpatterns: list = []

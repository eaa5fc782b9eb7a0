"""Pages: see quality/urls.py."""

urlpatterns: list = []

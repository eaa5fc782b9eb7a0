"""Pages: feeds."""

urlpatterns: list = []

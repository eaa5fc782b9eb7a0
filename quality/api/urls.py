from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Monthly return endpoints are added here."""

from rest_framework.routers import DefaultRouter

from . import feeds, risk


def register(router: DefaultRouter) -> None:
    """Feed batches and risk ratings."""
    feeds.register(router)
    risk.register(router)

from rest_framework.routers import DefaultRouter

from . import feeds, meetings, risk


def register(router: DefaultRouter) -> None:
    """Feed batches, risk ratings, and the JIG's meetings, actions, soft intelligence and packs."""
    feeds.register(router)
    risk.register(router)
    meetings.register(router)

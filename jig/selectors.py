"""Reads of the JIG's data that decide visibility: pages, API, exports and PDFs use these."""

import datetime as dt

from django.db.models import Count, QuerySet

from carehomes.models import CareHome
from commissioning import access

from .choices import Rag
from .models import RiskModel, RiskRating, RiskRecompute

# --- Risk ratings, the risk model and recomputes ------------------------------------------

HISTORY_MONTHS = 36


def risk_ratings_visible_to(user, action: access.Action = access.Action.READ_RISK) -> QuerySet:
    """The ratings of the homes this user may read risk for (and, for an export, export).

    Ready for a list: the home, its provider and council, and the model version come with it.
    """
    ratings = RiskRating.objects.select_related(
        "care_home__provider", "care_home__local_authority", "model")
    ratings = access.restrict(ratings, user, access.Action.READ_RISK)
    if action != access.Action.READ_RISK:
        ratings = access.restrict(ratings, user, action)
    return ratings


def risk_rating_months(ratings: QuerySet) -> list[dt.date]:
    """The months that have ratings among ``ratings``, newest first (one query)."""
    return list(ratings.order_by().values_list("month", flat=True).distinct().order_by("-month"))


def risk_rag_counts(ratings: QuerySet) -> dict[str, int]:
    """How many of ``ratings`` are red, amber and green (one query); every RAG has a count."""
    counts = dict(ratings.order_by().values_list("rag").annotate(n=Count("pk")).values_list("rag", "n"))
    return {rag: counts.get(rag, 0) for rag in Rag.values}


def risk_home_for(user, pk: int) -> CareHome:
    """A home whose risk this user may read, or 404 if missing or not theirs to see.

    Call ``access.require(user, READ_RISK)`` first, so people who never read risk get 403.
    """
    homes = CareHome.objects.select_related("provider", "local_authority", "nhs_commissioner")
    return access.get_object_or_404(homes, user, access.Action.READ_RISK, pk=pk)


def risk_ratings_for_home(care_home: CareHome, limit: int = HISTORY_MONTHS) -> list[RiskRating]:
    """The home's ratings, newest first, with their model versions."""
    return list(RiskRating.objects.filter(care_home=care_home).select_related("model")
                .order_by("-month")[:limit])


def risk_models() -> QuerySet:
    """Every version of the risk model, newest first, with its components.

    Models belong to the whole area, so anybody who may read risk reads them all.
    """
    return RiskModel.objects.prefetch_related("components").select_related(
        "created_by", "modified_by")


def risk_recomputes() -> QuerySet:
    """Recompute jobs, newest first: area-wide work, visible to anybody who may read risk."""
    return RiskRecompute.objects.select_related("requested_by", "model", "batch")

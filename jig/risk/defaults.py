"""The risk model the portal ships, as the data migrations make it.

The codes, weights and thresholds are each component's defaults (``components.REGISTRY``,
in its order): version 2, which added the visit rating, overdue visit actions and soft
intelligence to version 1's fifteen components. Weights sum to 100. A home is amber from a
score of 25 and red from 50: for example red on call-outs and emergency admissions (12
each), falls-related call-outs and SPC signals (8 each) and a Poor visit rating (10). Each
data migration keeps its own copy of its table, as migrations must not change when code does.
"""

from decimal import Decimal

from .components import REGISTRY

SHIPPED_NOTES = ("Ambulance and hospital activity against the area, SPC signals, CQC's rating, the "
                 "monthly returns, the latest quality monitoring visit, overdue visit actions and the "
                 "JIG's soft intelligence.")
AMBER_FROM = Decimal(25)
RED_FROM = Decimal(50)


def default_components() -> list[dict]:
    """``{"code", "weight", "amber_from", "red_from", "order"}`` for every registered component."""
    return [{"code": c.code, "weight": c.weight, "amber_from": c.amber_from, "red_from": c.red_from,
             "order": n} for n, c in enumerate(REGISTRY.values(), start=1)]

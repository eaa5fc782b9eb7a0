"""Version 1 of the risk model, as the data migration makes it.

The codes, weights and thresholds are each component's defaults (``components.REGISTRY``,
in its order). Weights sum to 100. A home is amber from a score of 25 and red from 50:
for example red on call-outs and emergency admissions (15 each), falls-related call-outs
and SPC signals (10 each). The data migration keeps its own copy of this table, as
migrations must not change when code does.
"""

from decimal import Decimal

from .components import REGISTRY

VERSION_1_NAME = "Version 1"
VERSION_1_NOTES = ("The first model: ambulance and hospital activity against the area, SPC signals, "
                   "CQC's rating and the monthly returns.")
AMBER_FROM = Decimal(25)
RED_FROM = Decimal(50)


def default_components() -> list[dict]:
    """``{"code", "weight", "amber_from", "red_from", "order"}`` for every registered component."""
    return [{"code": c.code, "weight": c.weight, "amber_from": c.amber_from, "red_from": c.red_from,
             "order": n} for n, c in enumerate(REGISTRY.values(), start=1)]

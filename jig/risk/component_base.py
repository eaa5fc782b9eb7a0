"""What every risk component is: the base class, the registry, and how a value is explained.

A component answers ``values(ctx)`` for every target home at once, and ``explain_all`` says
for each home what the value shows and why it is in its band; ``jig.risk.components`` holds
the components themselves.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .context import RiskContext

REGISTRY: dict[str, "Component"] = {}


def register(component: "Component") -> "Component":
    """Make ``component`` available to risk models under its code."""
    if component.code in REGISTRY:
        raise ValueError(f"A risk component with code {component.code!r} is already registered.")
    REGISTRY[component.code] = component
    return component


@lru_cache(maxsize=256)
def band_phrase(band: str, amber: Decimal, red: Decimal) -> str:
    if band == "red":
        return f"at or above the red threshold of {_n(red)}"
    if band == "amber":
        return f"at or above the amber threshold of {_n(amber)}, below red at {_n(red)}"
    return f"below the amber threshold of {_n(amber)}"


def _n(number) -> str:
    """A threshold or count without trailing zeros: 1.5, 60, 0.25."""
    return f"{Decimal(str(number)).normalize():f}"


@dataclass(frozen=True)
class Component:
    """One thing the model measures. Subclasses implement ``values`` and ``describe``."""

    code: str
    label: str
    unit: str
    measures: str  # a sentence for the model's page
    weight: Decimal
    amber_from: Decimal
    red_from: Decimal

    def prefetch(self, ctx: RiskContext) -> None:
        """Send any slow query ``values`` needs (``ctx.send``), before the work on the others."""

    def values(self, ctx: RiskContext) -> dict[int, float | None]:
        raise NotImplementedError

    def describe(self, ctx: RiskContext, home_id: int, value: float) -> tuple[str, str]:
        """``(display, what)``: the value for people, and the start of the "why" sentence."""
        raise NotImplementedError

    def no_data(self, ctx: RiskContext, home_id: int) -> str:
        return f"No data for {self.label.lower()} in {ctx.window_label}."

    def explain_key(self, ctx: RiskContext, home_id: int, value: float | None):
        """Something (hashable) that settles the home's display and why, with the value, so
        that homes alike are explained once: every input of ``describe`` or ``no_data`` that
        is not the same for every home. None, the default, explains every home afresh."""
        return None

    @property
    def explains_alike(self) -> bool:
        """Whether ``explain_all`` gives homes with the same ``explain_key`` the same tuple."""
        return type(self).explain_key is not Component.explain_key

    def explain_all(self, ctx: RiskContext, values: dict[int, float | None], bands: dict):
        """``(value, band, display, why)`` for every target home in order, where ``why`` is the
        "what" of ``describe`` and where the value stands against the thresholds (or the
        reason there is no value). ``bands[value]`` is the band under the model's thresholds
        ``bands.amber_from`` and ``bands.red_from``. Homes with the same ``explain_key`` get
        the same tuple."""
        endings = {band: f": {band_phrase(band, bands.amber_from, bands.red_from)}."
                   for band in ("red", "amber", "green")}
        seen: dict = {}
        for pk in ctx.home_ids:
            value = values.get(pk)
            key = self.explain_key(ctx, pk, value)
            if key is not None:
                key = (value, key)
                explained = seen.get(key)
                if explained is not None:
                    yield explained
                    continue
            band = bands[value]
            if value is None:
                explained = value, band, "No data", self.no_data(ctx, pk)
            else:
                display, what = self.describe(ctx, pk, value)
                explained = value, band, display, what + endings[band]
            if key is not None:
                seen[key] = explained
            yield explained


@dataclass(frozen=True)
class RateRatio(Component):
    """A home's rate as a multiple of the area's: subclasses give ``rates(ctx)``, which is
    ``({home: rate}, area rate)``."""

    noun: str = ""

    def rates(self, ctx: RiskContext) -> tuple[dict[int, float | None], float | None]:
        raise NotImplementedError

    def values(self, ctx):
        home, area = self.rates(ctx)
        if not area:
            return dict.fromkeys(ctx.home_ids)
        return {pk: None if rate is None else round(rate / area, 4)
                for pk, rate in zip(ctx.home_ids, map(home.get, ctx.home_ids), strict=True)}

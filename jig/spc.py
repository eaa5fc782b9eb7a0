"""Statistical process control: XmR charts as NHS England's "Making Data Count" (MDC) draws them.

Pure functions from numbers to frozen dataclasses: no database, so pages, PDFs and the risk
model all read the same result. ``xmr()`` is the entry point; the four rule functions are public
so each can be tested and reused on its own.

Conventions (a newcomer would ask about each):

* **Gaps.** A value of ``None`` (or NaN) is a missing period. It stays in ``points`` so charts
  can show the gap, but it has no value, no moving range and no signal. No moving range is
  taken across a gap (|x_i − x_{i−1}| needs two neighbouring periods), so the first value after
  a gap has none. The run rules (shift, trend, two of three) count *observed* values: a gap
  neither breaks a run nor counts towards it. "At least 13 points" means 13 observed values.
* **Ties with the centre line.** A value on the centre line breaks a shift.
* **Equal neighbours.** A value equal to the one before it breaks a trend (it is neither an
  increase nor a decrease). A trend of 6 points is 5 rises (or falls) in a row, and all 6
  points are flagged.
* **On a line is not beyond it.** A value exactly on a process limit is not outside it, and one
  exactly on a two-sigma line is not beyond it. "Exactly" allows for floating-point rounding
  (a relative tolerance of 1e-9), so 27.98 sits on a limit computed as 20 + 2.66 × 3.
* **Run charts.** With fewer than 13 observed values (in the baseline, if one is given) there
  are no limits: the result is a run chart whose centre line is the median, and only the rules
  that need no limits (shift against the median, trend) are applied.
* **Conflicting signals.** A point can carry a high signal and a low one at once (six points
  above the mean that are also falling). Where the direction is known, concern wins, so a
  worsening signal is never hidden by an improving one.
* **Assurance** needs limits and a direction. A target strictly beyond a limit on the good side
  is a pass, strictly beyond the other limit a fail; anything else (including a target exactly
  on a limit) is hit-or-miss.
"""

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

LIMIT_FACTOR = 2.66  # 3 / d2 for n = 2: process limits are mean ± 2.66 × mean moving range
SIGMA_FRACTION = 2 / 3  # the two-sigma lines sit two thirds of the way to the limits
MIN_POINTS_FOR_LIMITS = 13
RUN_LENGTH = 6  # points in a shift or a trend
_REL_TOL, _ABS_TOL = 1e-9, 1e-12

Number = float | int | Decimal


class ChartKind(models.TextChoices):
    XMR = "xmr", "XmR chart"
    RUN = "run", "Run chart"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NEITHER = "neither", "Neither higher nor lower is better"


class Rule(models.IntegerChoices):
    OUTSIDE_LIMITS = 1, "A point outside the process limits"
    SHIFT = 2, "A shift: six or more points in a row on one side of the centre line"
    TREND = 3, "A trend: six or more points in a row all increasing or all decreasing"
    TWO_OF_THREE = 4, "Two of three points in a row beyond the same two-sigma line"


class Side(models.TextChoices):
    HIGH = "high", "High"
    LOW = "low", "Low"


class Variation(models.TextChoices):
    COMMON_CAUSE = "common_cause", "Common cause variation"
    IMPROVEMENT = "improvement", "Special cause improving variation"
    CONCERN = "concern", "Special cause concerning variation"
    NEITHER = "neither", "Special cause variation: neither improving nor concerning"


class VariationIcon(models.TextChoices):
    COMMON_CAUSE = "common_cause", "Common cause variation"
    IMPROVEMENT_HIGH = "improvement_high", "Special cause improving variation: higher values"
    IMPROVEMENT_LOW = "improvement_low", "Special cause improving variation: lower values"
    CONCERN_HIGH = "concern_high", "Special cause concerning variation: higher values"
    CONCERN_LOW = "concern_low", "Special cause concerning variation: lower values"
    NEITHER_HIGH = "neither_high", "Special cause variation, neither improving nor concerning: higher values"
    NEITHER_LOW = "neither_low", "Special cause variation, neither improving nor concerning: lower values"


class Assurance(models.TextChoices):
    PASS = "pass", "Consistently meets the target"
    HIT_OR_MISS = "hit_or_miss", "Hits and misses the target at random"
    FAIL = "fail", "Consistently misses the target"


# MDC's colours (as NHSRplotthedots uses them); MDC shows "neither" in purple.
VARIATION_COLOURS = {
    Variation.COMMON_CAUSE: "#7b7d7d",
    Variation.IMPROVEMENT: "#289de0",
    Variation.CONCERN: "#fab428",
    Variation.NEITHER: "#361475",
}

_ICONS = {
    (Variation.COMMON_CAUSE, None): VariationIcon.COMMON_CAUSE,
    (Variation.IMPROVEMENT, Side.HIGH): VariationIcon.IMPROVEMENT_HIGH,
    (Variation.IMPROVEMENT, Side.LOW): VariationIcon.IMPROVEMENT_LOW,
    (Variation.CONCERN, Side.HIGH): VariationIcon.CONCERN_HIGH,
    (Variation.CONCERN, Side.LOW): VariationIcon.CONCERN_LOW,
    (Variation.NEITHER, Side.HIGH): VariationIcon.NEITHER_HIGH,
    (Variation.NEITHER, Side.LOW): VariationIcon.NEITHER_LOW,
}


@dataclass(frozen=True)
class Band:
    """A pair of horizontal lines: the process limits, or the two-sigma lines."""

    lower: float
    upper: float


@dataclass(frozen=True)
class Signal:
    rule: Rule
    side: Side


@dataclass(frozen=True)
class Triggered:
    """The indexes (into the series) that one rule flagged, by side."""

    high: frozenset[int] = frozenset()
    low: frozenset[int] = frozenset()

    @property
    def all(self) -> frozenset[int]:
        return self.high | self.low


@dataclass(frozen=True)
class XmrPoint:
    """One period: its value (None if missing), moving range and the signals it carries."""

    period: dt.date
    value: float | None
    moving_range: float | None
    signals: tuple[Signal, ...] = ()
    variation: Variation = Variation.COMMON_CAUSE
    side: Side | None = None  # the side of the signal that decided ``variation``
    in_baseline: bool = True

    @property
    def rules(self) -> tuple[int, ...]:
        return tuple(sorted({int(s.rule) for s in self.signals}))

    @property
    def is_special_cause(self) -> bool:
        return bool(self.signals)


@dataclass(frozen=True)
class XmrResult:
    """An XmR (or, with too few values, run) chart's numbers, signals and icons."""

    kind: ChartKind
    points: tuple[XmrPoint, ...]
    direction: Direction
    mean: float | None
    median: float | None
    mean_moving_range: float | None
    limits: Band | None
    sigma_lines: Band | None
    baseline: int | None
    target: float | None
    variation: Variation  # of the latest observed point
    icon: VariationIcon
    assurance: Assurance | None
    note: str

    @property
    def centre(self) -> float | None:
        """The centre line: the mean on an XmR chart, the median on a run chart."""
        return self.median if self.kind == ChartKind.RUN else self.mean

    @property
    def observed_count(self) -> int:
        return sum(p.value is not None for p in self.points)

    @property
    def latest(self) -> XmrPoint | None:
        return next((p for p in reversed(self.points) if p.value is not None), None)

    @property
    def icon_colour(self) -> str:
        return VARIATION_COLOURS[self.variation]

    def triggered_by(self, rule: Rule) -> tuple[int, ...]:
        """Indexes of the points that ``rule`` flagged."""
        return tuple(i for i, p in enumerate(self.points) if rule in p.rules)

    def has_concern_in_last(self, periods: int) -> bool:
        """Whether any of the last ``periods`` points (gaps included) is special cause concern."""
        return any(p.variation == Variation.CONCERN for p in self.points[-periods:])


def xmr(
    series: Iterable[tuple[dt.date, Number | None]],
    *,
    direction: Direction = Direction.NEITHER,
    target: Number | None = None,
    baseline: int | None = None,
    cannot_be_negative: bool = False,
) -> XmrResult:
    """An XmR chart of ``series`` (periods in ascending order; None for a missing period).

    ``baseline``: compute the mean and limits from the first ``baseline`` points only, and
    apply the rules to every point. ``cannot_be_negative``: floor the lower limit and lower
    two-sigma line at 0. ``target`` gives an assurance icon when there are limits and a
    direction. See the module docstring for how gaps, ties and equal values are treated.
    """
    if baseline is not None and baseline < 1:
        raise ValueError("baseline must be a positive number of points")
    periods, values = _clean(series)
    reference = values[:baseline] if baseline else values
    observed = [v for v in reference if v is not None]
    ranges = [r for r in moving_ranges(reference) if r is not None]
    mean = math.fsum(observed) / len(observed) if observed else None
    median = statistics.median(observed) if observed else None
    limits = sigma = mr_bar = None
    kind = ChartKind.RUN
    if len(observed) >= MIN_POINTS_FOR_LIMITS and ranges:
        kind = ChartKind.XMR
        mr_bar = math.fsum(ranges) / len(ranges)
        limits, sigma = process_limits(mean, mr_bar, cannot_be_negative=cannot_be_negative)
    centre = median if kind == ChartKind.RUN else mean
    signals = _signals(values, centre, limits, sigma)
    points = _points(periods, values, signals, direction, centre, baseline)
    latest = next((p for p in reversed(points) if p.value is not None), None)
    variation, side = (latest.variation, latest.side) if latest else (Variation.COMMON_CAUSE, None)
    target = None if target is None else float(target)
    return XmrResult(
        kind=kind, points=points, direction=Direction(direction), mean=mean, median=median,
        mean_moving_range=mr_bar, limits=limits, sigma_lines=sigma, baseline=baseline,
        target=target, variation=variation, icon=_ICONS[(variation, side)],
        assurance=assurance_for(limits, target, direction),
        note=_note(kind, len(observed), baseline, has_ranges=bool(ranges)),
    )


def moving_ranges(values: Sequence[float | None]) -> list[float | None]:
    """|x_i − x_{i−1}| aligned with ``values``; None for the first value and next to a gap."""
    if not values:
        return []
    return [None] + [
        abs(v - prev) if v is not None and prev is not None else None
        for prev, v in itertools.pairwise(values)
    ]


def process_limits(mean: float, mean_moving_range: float, *,
                   cannot_be_negative: bool = False) -> tuple[Band, Band]:
    """Process limits mean ± 2.66 × MR̄, and the two-sigma lines two thirds of the way there."""
    spread = LIMIT_FACTOR * mean_moving_range
    floor = 0.0 if cannot_be_negative else -math.inf
    limits = Band(max(mean - spread, floor), mean + spread)
    sigma = Band(max(mean - SIGMA_FRACTION * spread, floor), mean + SIGMA_FRACTION * spread)
    return limits, sigma


def points_outside_limits(values: Sequence[float | None], limits: Band) -> Triggered:
    """Rule 1: values strictly above the upper limit or below the lower one."""
    observed = _observed(values)
    return Triggered(
        high=frozenset(i for i, v in observed if _compare(v, limits.upper) > 0),
        low=frozenset(i for i, v in observed if _compare(v, limits.lower) < 0),
    )


def shift_points(values: Sequence[float | None], centre: float,
                 run_length: int = RUN_LENGTH) -> Triggered:
    """Rule 2: ``run_length`` or more observed values in a row all above (or all below) the centre.

    A value on the centre line breaks the run; a gap does not (see the module docstring).
    """
    signs = [(i, _compare(v, centre)) for i, v in _observed(values)]
    high, low = set(), set()
    for sign, group in itertools.groupby(signs, key=lambda item: item[1]):
        indexes = [i for i, _ in group]
        if sign and len(indexes) >= run_length:
            (high if sign > 0 else low).update(indexes)
    return Triggered(frozenset(high), frozenset(low))


def trend_points(values: Sequence[float | None], run_length: int = RUN_LENGTH) -> Triggered:
    """Rule 3: ``run_length`` or more observed values in a row each above (or below) the one before.

    Equal neighbouring values break the trend. Six points make five steps.
    """
    steps = [((i0, i1), _compare(v1, v0))
             for (i0, v0), (i1, v1) in itertools.pairwise(_observed(values))]
    high, low = set(), set()
    for sign, group in itertools.groupby(steps, key=lambda item: item[1]):
        pairs = [pair for pair, _ in group]
        if sign and len(pairs) + 1 >= run_length:
            (high if sign > 0 else low).update(itertools.chain.from_iterable(pairs))
    return Triggered(frozenset(high), frozenset(low))


def two_of_three_points(values: Sequence[float | None], sigma_lines: Band) -> Triggered:
    """Rule 4: two or three of three observed values in a row beyond the same two-sigma line.

    Only the values beyond the line are flagged, not the one between them.
    """
    observed = _observed(values)
    high, low = set(), set()
    for window in (observed[n:n + 3] for n in range(len(observed) - 2)):
        above = [i for i, v in window if _compare(v, sigma_lines.upper) > 0]
        below = [i for i, v in window if _compare(v, sigma_lines.lower) < 0]
        high.update(above if len(above) >= 2 else ())
        low.update(below if len(below) >= 2 else ())
    return Triggered(frozenset(high), frozenset(low))


def assurance_for(limits: Band | None, target: float | None, direction: Direction) -> Assurance | None:
    """Pass, fail or hit-or-miss: where the target sits against the process limits."""
    if limits is None or target is None or direction == Direction.NEITHER:
        return None
    if _compare(target, limits.lower) < 0:
        return Assurance.PASS if direction == Direction.HIGHER_IS_BETTER else Assurance.FAIL
    if _compare(target, limits.upper) > 0:
        return Assurance.FAIL if direction == Direction.HIGHER_IS_BETTER else Assurance.PASS
    return Assurance.HIT_OR_MISS


def point_variation(sides: set[Side], direction: Direction, value: float,
                    centre: float) -> tuple[Variation, Side | None]:
    """Improvement, concern or neither for a point whose signals point to ``sides``."""
    if not sides:
        return Variation.COMMON_CAUSE, None
    if direction == Direction.NEITHER:
        if len(sides) == 1:
            return Variation.NEITHER, next(iter(sides))
        return Variation.NEITHER, Side.HIGH if value >= centre else Side.LOW
    good = Side.HIGH if direction == Direction.HIGHER_IS_BETTER else Side.LOW
    bad = Side.LOW if good == Side.HIGH else Side.HIGH
    if bad in sides:
        return Variation.CONCERN, bad
    return Variation.IMPROVEMENT, good


def _signals(values, centre, limits, sigma) -> dict[int, list[Signal]]:
    found: dict[int, list[Signal]] = {}
    if centre is None:
        return found
    rules = [(Rule.SHIFT, shift_points(values, centre)), (Rule.TREND, trend_points(values))]
    if limits is not None:
        rules += [(Rule.OUTSIDE_LIMITS, points_outside_limits(values, limits)),
                  (Rule.TWO_OF_THREE, two_of_three_points(values, sigma))]
    for rule, triggered in sorted(rules, key=lambda item: item[0]):
        for side, indexes in ((Side.HIGH, triggered.high), (Side.LOW, triggered.low)):
            for i in indexes:
                found.setdefault(i, []).append(Signal(rule, side))
    return found


def _points(periods, values, signals, direction, centre, baseline) -> tuple[XmrPoint, ...]:
    points = []
    for i, (period, value, mr) in enumerate(zip(periods, values, moving_ranges(values), strict=True)):
        own = tuple(signals.get(i, ()))
        variation, side = (point_variation({s.side for s in own}, direction, value, centre)
                           if own else (Variation.COMMON_CAUSE, None))
        points.append(XmrPoint(period=period, value=value, moving_range=mr, signals=own,
                               variation=variation, side=side,
                               in_baseline=baseline is None or i < baseline))
    return tuple(points)


def _clean(series) -> tuple[list[dt.date], list[float | None]]:
    periods, values = [], []
    for period, value in series:
        number = None if value is None else float(value)
        values.append(None if number is None or math.isnan(number) else number)
        periods.append(period)
    if any(a >= b for a, b in itertools.pairwise(periods)):
        raise ValueError("periods must be in ascending order, each once")
    return periods, values


def _note(kind: ChartKind, observed: int, baseline: int | None, *, has_ranges: bool) -> str:
    source = f"the first {baseline} points" if baseline else "all points"
    if kind == ChartKind.XMR:
        return f"XmR chart: mean and process limits from {source} ({observed} values)."
    if observed >= MIN_POINTS_FOR_LIMITS and not has_ranges:
        return (f"Run chart: no two values in {source} are in neighbouring periods, so there is no "
                "moving range to set process limits. The centre line is the median.")
    return (f"Run chart: {observed} values in {source}, and process limits need at least "
            f"{MIN_POINTS_FOR_LIMITS}. The centre line is the median; only shifts and trends are shown.")


def _observed(values: Sequence[float | None]) -> list[tuple[int, float]]:
    return [(i, v) for i, v in enumerate(values) if v is not None]


def _compare(a: float, b: float) -> int:
    """-1, 0 or 1, treating values within floating-point rounding of each other as equal."""
    if math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=_ABS_TOL):
        return 0
    return 1 if a > b else -1

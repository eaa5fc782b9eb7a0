"""The rating rule: question scores → standard ratings → module and overall ratings.

Pure functions with no database access, so the rule is easy to read, test and explain. Each
framework version carries its own rule as a JSON document (``FrameworkVersion.rating_rule``);
``DEFAULT_RATING_RULE`` is version 1's. docs/visits.md explains it for people.

The rule, step by step
----------------------
1. **A standard.** The weighted mean of its scored questions (scores 1–4, weights from the
   questions; questions not assessed are left out). A standard with fewer than
   ``standard.min_scored_questions`` scored questions is not rated. The mean is banded by
   ``standard.bands``: at least ``excellent`` → Excellent, at least ``good`` → Good, at least
   ``requires_improvement`` → Requires improvement, otherwise Poor.
2. **A group of standards** (the overall rating, and each module's own rating). The weighted
   mean (weights from the standards) of each rated standard's points, where ``overall.uses``
   says which points: ``"ratings"`` (the standard's rating as 4/3/2/1, the default: the
   overall follows the ratings the provider reads) or ``"scores"`` (the standard's unrounded
   mean). Banded by ``overall.bands``.
3. **Caps.** Each entry of ``overall.caps`` — ``{"standards": "key" | "any", "rated": R,
   "cap": C}`` — says: when any (key) standard in the group is rated R or worse, the group's
   rating is at most C. The default caps the rating at Requires improvement when a key
   standard is Poor.
4. **Modules.** The overall rating counts the standards of the modules in
   ``overall_modules`` (default: the core standards). Every other module a visit includes
   (medicines management for nursing homes) gets its own rating by steps 2 and 3.

Means are worked out exactly (fractions), so a mean of exactly 2.5 is Good, not 2.4999….
"""

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..choices import RATING_POINTS, Rating, StandardModule

RATINGS_BEST_FIRST = [Rating.EXCELLENT, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.POOR]
BANDED = [Rating.EXCELLENT, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT]

DEFAULT_RATING_RULE: dict = {
    "standard": {
        "bands": {"excellent": 3.5, "good": 2.5, "requires_improvement": 1.5},
        "min_scored_questions": 1,
    },
    "overall": {
        "uses": "ratings",
        "bands": {"excellent": 3.5, "good": 2.5, "requires_improvement": 1.5},
        "caps": [{"standards": "key", "rated": "poor", "cap": "requires_improvement"}],
    },
    "overall_modules": ["core"],
}


def default_rating_rule() -> dict:
    """A fresh copy of the default rule (a JSONField default must not be shared)."""
    return copy.deepcopy(DEFAULT_RATING_RULE)


class RatingRuleError(ValueError):
    """The rule's JSON is not valid: ``errors`` lists each problem in words."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


# Checking a rule -------------------------------------------------------------------------

def _unknown_keys(section: dict, allowed: set[str], where: str) -> list[str]:
    return [f"{where}: unknown setting '{key}' (use {', '.join(sorted(allowed))})"
            for key in section if key not in allowed]


def _check_bands(bands, where: str) -> list[str]:
    if not isinstance(bands, dict):
        return [f"{where}: give the lowest mean for {', '.join(BANDED)}, like "
                '{"excellent": 3.5, "good": 2.5, "requires_improvement": 1.5}']
    errors = _unknown_keys(bands, set(BANDED), where)
    values = []
    for rating in BANDED:
        value = bands.get(rating)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 4:
            errors.append(f"{where}.{rating}: give a number from 1 to 4 (the lowest mean rated "
                          f"{Rating(rating).label})")
        else:
            values.append((rating, value))
    if not errors:
        for (higher, high), (lower, low) in zip(values, values[1:], strict=False):
            if high <= low:
                errors.append(f"{where}: {higher} ({high}) must be above {lower} ({low})")
    return errors


def _check_caps(caps, where: str) -> list[str]:
    if not isinstance(caps, list):
        return [f"{where}: give a list of caps, like "
                '[{"standards": "key", "rated": "poor", "cap": "requires_improvement"}]']
    errors = []
    for n, cap in enumerate(caps):
        here = f"{where}[{n}]"
        if not isinstance(cap, dict):
            errors.append(f"{here}: give an object with standards, rated and cap")
            continue
        errors += _unknown_keys(cap, {"standards", "rated", "cap"}, here)
        if cap.get("standards") not in ("key", "any"):
            errors.append(f"{here}.standards: use \"key\" or \"any\"")
        for name in ("rated", "cap"):
            if cap.get(name) not in Rating.values:
                errors.append(f"{here}.{name}: {cap.get(name)!r} is not a rating; use one of "
                              f"{', '.join(Rating.values)}")
    return errors


def rating_rule_errors(config) -> list[str]:
    """Every problem with a rule's JSON, in words (an empty list when it is valid)."""
    if not isinstance(config, dict):
        return ["The rating rule must be a JSON object with standard, overall and overall_modules"]
    errors = _unknown_keys(config, {"standard", "overall", "overall_modules"}, "rule")
    standard, overall = config.get("standard"), config.get("overall")
    if not isinstance(standard, dict):
        errors.append("standard: give the standard's bands and min_scored_questions")
    else:
        errors += _unknown_keys(standard, {"bands", "min_scored_questions"}, "standard")
        errors += _check_bands(standard.get("bands"), "standard.bands")
        minimum = standard.get("min_scored_questions", 1)
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
            errors.append("standard.min_scored_questions: give a whole number of at least 1")
    if not isinstance(overall, dict):
        errors.append("overall: give the overall bands, uses and caps")
    else:
        errors += _unknown_keys(overall, {"bands", "uses", "caps"}, "overall")
        errors += _check_bands(overall.get("bands"), "overall.bands")
        if overall.get("uses", "ratings") not in ("ratings", "scores"):
            errors.append('overall.uses: use "ratings" or "scores"')
        errors += _check_caps(overall.get("caps", []), "overall.caps")
    modules = config.get("overall_modules", ["core"])
    if (not isinstance(modules, list) or not modules
            or any(m not in StandardModule.values for m in modules)):
        errors.append(f"overall_modules: give a list of modules from {', '.join(StandardModule.values)}")
    return errors


# The rule, parsed ----------------------------------------------------------------------

@dataclass(frozen=True)
class Cap:
    key_only: bool
    rated: Rating
    cap: Rating

    def describe(self) -> str:
        which = "a key standard" if self.key_only else "any standard"
        worse = "" if self.rated == Rating.POOR else " or worse"
        return f"at most {self.cap.label} when {which} is rated {self.rated.label}{worse}"


@dataclass(frozen=True)
class RatingRule:
    """A checked rule, ready to apply. Make one with ``RatingRule.from_config``."""

    standard_bands: tuple[tuple[Rating, Fraction], ...]
    overall_bands: tuple[tuple[Rating, Fraction], ...]
    min_scored_questions: int
    overall_uses: str
    caps: tuple[Cap, ...]
    overall_modules: tuple[str, ...]

    @classmethod
    def from_config(cls, config: dict) -> "RatingRule":
        """Raises ``RatingRuleError`` listing every problem."""
        errors = rating_rule_errors(config)
        if errors:
            raise RatingRuleError(errors)

        def bands(section):
            return tuple((Rating(r), Fraction(str(section["bands"][r]))) for r in BANDED)

        overall = config["overall"]
        return cls(
            standard_bands=bands(config["standard"]), overall_bands=bands(overall),
            min_scored_questions=config["standard"].get("min_scored_questions", 1),
            overall_uses=overall.get("uses", "ratings"),
            caps=tuple(Cap(key_only=c["standards"] == "key", rated=Rating(c["rated"]),
                           cap=Rating(c["cap"])) for c in overall.get("caps", [])),
            overall_modules=tuple(config.get("overall_modules", ["core"])))

    def describe(self) -> list[str]:
        """The rule in sentences, for the framework page and the report's appendix."""

        def bands(pairs):
            return ", ".join(f"{r.label} from {float(v):g}" for r, v in pairs) + ", otherwise Poor"

        uses = ("each standard's rating as points (Excellent 4, Good 3, Requires improvement 2, "
                "Poor 1)" if self.overall_uses == "ratings" else "each standard's mean score")
        lines = [
            "Questions are scored 1 (Poor) to 4 (Excellent); questions not assessed are left out.",
            f"A standard is rated from the weighted mean of its scores when at least "
            f"{self.min_scored_questions} question(s) are scored: {bands(self.standard_bands)}.",
            f"The overall rating is the weighted mean of {uses}: {bands(self.overall_bands)}.",
            "Counted in the overall rating: " + ", ".join(
                StandardModule(m).label.lower() for m in self.overall_modules)
            + "; any other module is rated on its own the same way.",
        ]
        lines += [f"The rating is {cap.describe()}." for cap in self.caps]
        return lines


# Applying it -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoredQuestion:
    weight: Decimal
    score: int | None  # None: not assessed


@dataclass(frozen=True)
class StandardInput:
    """One standard of a visit and its questions' scores."""

    code: str
    weight: Decimal
    is_key: bool
    module: str
    questions: Sequence[ScoredQuestion]


@dataclass(frozen=True)
class StandardResult:
    code: str
    mean: Fraction | None
    rating: Rating | None
    scored: int
    questions: int
    amended: bool = False  # rated by an officer's amendment, not by its scores

    @property
    def mean_display(self) -> Decimal | None:
        return to_decimal(self.mean)


@dataclass
class GroupResult:
    """The rating of a group of standards (overall, or one module) and how it was reached."""

    mean: Fraction | None
    banded: Rating | None  # the rating the mean gives, before any cap
    rating: Rating | None
    caps_applied: list[str] = field(default_factory=list)
    standards_rated: int = 0

    def as_json(self) -> dict:
        return {"mean": str(to_decimal(self.mean)) if self.mean is not None else None,
                "banded": self.banded, "rating": self.rating, "caps_applied": self.caps_applied,
                "standards_rated": self.standards_rated}


@dataclass
class Assessment:
    """Everything the rule worked out for one visit."""

    standards: dict[str, StandardResult]
    overall: GroupResult
    modules: dict[str, GroupResult]

    def as_json(self) -> dict:
        return {"overall": self.overall.as_json(),
                "modules": {m: g.as_json() for m, g in self.modules.items()},
                "standards": {code: {"mean": str(s.mean_display) if s.mean is not None else None,
                                     "rating": s.rating, "scored": s.scored, "questions": s.questions,
                                     "amended": s.amended}
                              for code, s in self.standards.items()}}


def to_decimal(value: Fraction | None, places: str = "0.01") -> Decimal | None:
    """A mean for display and storage: two decimal places, halves rounded up."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP)


def weighted_mean(pairs: Iterable[tuple[Decimal, Fraction | int]]) -> Fraction | None:
    """Σ(weight × value) / Σ weight, exactly; None when nothing has weight."""
    total = weights = Fraction(0)
    for weight, value in pairs:
        w = Fraction(str(weight))
        total += w * Fraction(value)
        weights += w
    return total / weights if weights else None


def band(mean: Fraction, bands: Sequence[tuple[Rating, Fraction]]) -> Rating:
    for rating, lowest in bands:
        if mean >= lowest:
            return rating
    return Rating.POOR


def is_at_or_below(rating: Rating, limit: Rating) -> bool:
    return RATING_POINTS[rating] <= RATING_POINTS[limit]


def rate_standard(rule: RatingRule, standard: StandardInput) -> StandardResult:
    """Step 1: a standard's rating from its questions' scores."""
    scored = [q for q in standard.questions if q.score is not None]
    for q in scored:
        if q.score not in (1, 2, 3, 4):
            raise ValueError(f"Standard {standard.code}: a score must be 1, 2, 3 or 4, not {q.score!r}")
    mean = weighted_mean((q.weight, q.score) for q in scored)
    if mean is None or len(scored) < rule.min_scored_questions:
        return StandardResult(standard.code, None, None, len(scored), len(standard.questions))
    return StandardResult(standard.code, mean, band(mean, rule.standard_bands), len(scored),
                          len(standard.questions))


def rate_group(rule: RatingRule, standards: Sequence[StandardInput],
               results: dict[str, StandardResult]) -> GroupResult:
    """Steps 2 and 3: a group's rating from its rated standards, then the caps."""
    rated = [(s, results[s.code]) for s in standards if results[s.code].rating is not None]
    if rule.overall_uses == "ratings":
        mean = weighted_mean((s.weight, RATING_POINTS[r.rating]) for s, r in rated)
    else:  # an amended standard counts as its rating's points
        mean = weighted_mean((s.weight, RATING_POINTS[r.rating] if r.amended else r.mean) for s, r in rated)
    if mean is None:
        return GroupResult(None, None, None)
    banded = rating = band(mean, rule.overall_bands)
    applied = []
    for cap in rule.caps:
        hit = [s.code for s, r in rated
               if (s.is_key or not cap.key_only) and is_at_or_below(r.rating, cap.rated)]
        if hit and RATING_POINTS[rating] > RATING_POINTS[cap.cap]:
            rating = cap.cap
            applied.append(f"Rated {cap.cap.label} at most: standard {', '.join(hit)} "
                           f"{'is' if len(hit) == 1 else 'are'} rated {cap.rated.label}"
                           f"{'' if cap.rated == Rating.POOR else ' or worse'}"
                           f"{' (key standard)' if cap.key_only else ''}.")
    return GroupResult(mean, banded, rating, applied, len(rated))


def assess(rule: RatingRule, standards: Sequence[StandardInput],
           amended: dict[str, Rating] | None = None) -> Assessment:
    """The whole rule for one visit's standards (already filtered to those that apply).

    ``amended`` maps standard codes to ratings an officer or senior reviewer set in place of
    the one the scores give; the module and overall ratings then follow the amended ones.
    """
    results = {s.code: rate_standard(rule, s) for s in standards}
    for code, rating in (amended or {}).items():
        if code in results:
            results[code] = replace(results[code], rating=Rating(rating), amended=True)
    in_overall = [s for s in standards if s.module in rule.overall_modules]
    modules = {}
    for module in dict.fromkeys(s.module for s in standards):
        if module not in rule.overall_modules:
            modules[module] = rate_group(rule, [s for s in standards if s.module == module], results)
    return Assessment(results, rate_group(rule, in_overall, results), modules)

"""The automatic flagging rules: which homes come to the JIG's agenda, and why, in plain English.

A home is flagged for a meeting when any rule in ``RULES`` holds, comparing its rating for
the meeting's month with its rating for the month of the group's previous meeting:

* ``turned_red``: it is red now and was not red (or not rated) then;
* ``moved_two_bands``: its RAG moved two bands either way (green to red, or red to green:
  a sudden fall is often data that stopped coming, which also needs a look);
* ``new_spc_signal``: a monthly series shows special cause variation of concern that it
  did not show then;
* ``cqc_inadequate``: CQC's latest overall rating is Inadequate;
* ``visit_poor``: the latest published quality monitoring visit rated the home Poor.

Each rule is a small object: ``check(facts, loaded)`` is pure (it reads the ``HomeFacts``
and whatever the rule's ``load`` fetched) and gives the reason in plain English, or None.
``load(home_ids)`` fetches, for every home at once, anything the ratings do not hold (the
CQC rule reads the registry, the visit rule the published visits). A rule about another
published rating is one more ``LatestRatingRule`` entry with its loader, which gives
``{home_id: (rating, label, published_on)}`` for every home at once.

``homes_to_flag`` runs every rule over every home; ``jig.agenda_services`` stores the result.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from carehomes.choices import CqcRatingValue
from carehomes.models import CareHome
from quality.choices import Rating
from quality.models import Visit

from .choices import RAG_ORDER, Rag
from .series import SERIES

SPC_COMPONENT = "spc_signals"
_SERIES_BY_LABEL = {definition.label.lower(): code for code, definition in SERIES.items()}


@dataclass(frozen=True)
class RatingFacts:
    """What the rules read of one rating: its month, RAG, score and components by code."""

    month: dt.date
    rag: str
    score: Decimal
    components: Mapping[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, rating) -> "RatingFacts":
        """From a ``RiskRating`` (or anything with month, rag, score and components)."""
        return cls(rating.month, rating.rag, rating.score,
                   {c["code"]: c for c in rating.components or [] if "code" in c})

    @property
    def spc_series(self) -> frozenset[str] | None:
        """The series with a signal of concern, or None when the rating cannot say which.

        Read from the component's ``series`` (codes) when the risk model stores it,
        otherwise from its display ("2 of 6 series: ambulance call-outs, a&e attendances").
        """
        component = self.components.get(SPC_COMPONENT)
        if component is None:
            return None
        if "series" in component:
            return frozenset(component["series"])
        if not component.get("value"):
            return frozenset()
        _, _, labels = str(component.get("display", "")).partition(": ")
        found = frozenset(_SERIES_BY_LABEL.get(label.strip(), label.strip())
                          for label in labels.split(", ") if label.strip())
        return found or None

    @property
    def spc_count(self) -> float:
        return (self.components.get(SPC_COMPONENT) or {}).get("value") or 0


@dataclass(frozen=True)
class HomeFacts:
    """One home's ratings: ``current`` for the meeting's month, ``previous`` for the previous
    meeting's month (either None when the home has no rating then)."""

    home_id: int
    current: RatingFacts | None
    previous: RatingFacts | None


def _rag_label(rag: str) -> str:
    return Rag(rag).label.lower()


def _score(number) -> str:
    return f"{Decimal(number).normalize():f}"


def _when(facts: RatingFacts) -> str:
    return f"{facts.month:%B %Y}"


class Rule:
    """One reason to bring a home to the group. Subclasses set ``code`` and write ``check``."""

    code: str = ""

    def load(self, home_ids: list[int]) -> Mapping[int, object]:
        """Anything the rule needs beyond the ratings, for every home at once (a fixed number
        of queries). Most rules need nothing."""
        return {}

    def check(self, facts: HomeFacts, loaded: object | None) -> str | None:
        raise NotImplementedError


class TurnedRed(Rule):
    code = "turned_red"

    def check(self, facts, loaded):
        now, then = facts.current, facts.previous
        if now is None or now.rag != Rag.RED:
            return None
        if then is None:
            return (f"Rated red (score {_score(now.score)}) with no rating at the last meeting's month "
                    "to compare.")
        if then.rag == Rag.RED:
            return None
        return (f"Turned red: score {_score(now.score)} in {_when(now)}, up from {_rag_label(then.rag)} "
                f"({_score(then.score)}) in {_when(then)}.")


@dataclass(frozen=True)
class MovedBands(Rule):
    bands: int = 2
    code: str = "moved_two_bands"

    def check(self, facts, loaded):
        now, then = facts.current, facts.previous
        if now is None or then is None:
            return None
        moved = RAG_ORDER[Rag(now.rag)] - RAG_ORDER[Rag(then.rag)]
        if abs(moved) < self.bands:
            return None
        change = (f"from {_rag_label(then.rag)} ({_score(then.score)}) in {_when(then)} to "
                  f"{_rag_label(now.rag)} ({_score(now.score)}) in {_when(now)}")
        if moved > 0:
            return f"Moved {self.bands} bands worse, {change}."
        return (f"Moved {self.bands} bands better, {change}: check the data behind it "
                "(a feed or returns that stopped coming lowers a score).")


class NewSpcSignal(Rule):
    code = "new_spc_signal"

    def check(self, facts, loaded):
        now, then = facts.current, facts.previous
        if now is None or not now.spc_count:
            return None
        series_now = now.spc_series
        series_then = then.spc_series if then is not None else frozenset()
        if series_now is not None and series_then is not None:
            new = sorted(series_now - series_then)
            if not new:
                return None
            labels = [SERIES[code].label.lower() if code in SERIES else code for code in new]
            return (f"New special cause variation of concern on {', '.join(labels)} "
                    f"(not signalled in {_when(then) if then else 'an earlier rating'}).")
        if then is not None and now.spc_count <= then.spc_count:
            return None
        return (f"More monthly series show special cause variation of concern: {now.spc_count:g} "
                f"in {_when(now)}, {then.spc_count if then else 0:g} before.")


@dataclass(frozen=True)
class LatestRatingRule(Rule):
    """A home whose latest published rating by someone (CQC, the visiting officers) is one of
    ``worst``. ``load(home_ids)`` gives ``{home_id: (rating, label, published_on or None)}``."""

    code: str = ""
    source: str = ""
    worst: frozenset = frozenset()
    load_ratings: Callable[[list[int]], Mapping[int, tuple]] | None = None

    def load(self, home_ids):
        return self.load_ratings(home_ids) if self.load_ratings else {}

    def check(self, facts, loaded):
        if not loaded:
            return None
        rating, label, published_on = loaded
        if rating not in self.worst:
            return None
        when = f", published {published_on:%-d %B %Y}" if published_on else ""
        return f"{self.source} is {label}{when}."


def cqc_ratings(home_ids: list[int]) -> dict[int, tuple]:
    """Each home's latest CQC overall rating from the registry (one query)."""
    rows = CareHome.objects.filter(pk__in=home_ids).exclude(cqc_overall_rating="").values_list(
        "pk", "cqc_overall_rating", "cqc_rating_published_on")
    labels = dict(CqcRatingValue.choices)
    return {pk: (rating, labels.get(rating, rating), published) for pk, rating, published in rows}


def published_visit_ratings(home_ids: list[int]) -> dict[int, tuple]:
    """Each home's latest published quality monitoring visit rating (one query)."""
    rows = (Visit.objects.filter(care_home_id__in=home_ids, published_on__isnull=False)
            .exclude(published_rating="").order_by("care_home_id", "-published_on", "-pk")
            .distinct("care_home_id").values_list("care_home_id", "published_rating", "published_on"))
    labels = dict(Rating.choices)
    return {pk: (rating, labels.get(rating, rating), published) for pk, rating, published in rows}


RULES: list[Rule] = [
    TurnedRed(),
    MovedBands(),
    NewSpcSignal(),
    LatestRatingRule("cqc_inadequate", "CQC's latest overall rating", frozenset({CqcRatingValue.INADEQUATE}),
                     load_ratings=cqc_ratings),
    LatestRatingRule("visit_poor", "The latest published quality monitoring visit rating",
                     frozenset({Rating.POOR}), load_ratings=published_visit_ratings),
]


def reasons_for(facts: HomeFacts, loaded: Mapping[str, Mapping[int, object]],
                rules: Iterable[Rule] = RULES) -> list[dict]:
    """Every rule the home meets, in the rules' order: ``[{"code", "reason"}]`` (pure)."""
    found = []
    for rule in rules:
        reason = rule.check(facts, loaded.get(rule.code, {}).get(facts.home_id))
        if reason:
            found.append({"code": rule.code, "reason": reason})
    return found


def homes_to_flag(home_ids: Iterable[int], current: Mapping[int, object], previous: Mapping[int, object],
                  rules: Iterable[Rule] = RULES) -> dict[int, list[dict]]:
    """``{home_id: reasons}`` for every home that meets a rule. ``current`` and ``previous``
    map home IDs to ratings (``RiskRating``s or ``RatingFacts``)."""
    home_ids = sorted(set(home_ids))
    rules = list(rules)
    loaded = {rule.code: rule.load(home_ids) for rule in rules}
    flagged = {}
    for pk in home_ids:
        facts = HomeFacts(pk, _facts(current.get(pk)), _facts(previous.get(pk)))
        reasons = reasons_for(facts, loaded, rules)
        if reasons:
            flagged[pk] = reasons
    return flagged


def _facts(rating) -> RatingFacts | None:
    if rating is None or isinstance(rating, RatingFacts):
        return rating
    return RatingFacts.of(rating)

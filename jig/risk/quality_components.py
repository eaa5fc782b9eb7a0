"""Risk components from the joint quality work: visit ratings, overdue visit actions and the
JIG's soft intelligence.

Each is a small class on ``component_base.Component`` with one query for every target home.
They speak for the rating's day (``RiskContext.rating_day``): today for this month, the
month's last day for a past month. What they read is the state now (an action completed
since still counts as completed when a past month is recomputed); the feeds and returns, by
contrast, are read as they were for the window.

Soft intelligence is counted and weighed, never described: a rating shows how many concerns
and their weight, but not what they say, where they came from or what kind they are, because
anyone who reads ratings can see it, and only JIG members may read the intelligence itself.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from quality.choices import Rating
from quality.models import Visit
from quality.visits.overdue import overdue_actions, overdue_plans

from ..choices import Sensitivity
from ..models import SoftIntelligence
from .component_base import Component, register
from .context import RiskContext

VISIT_RATING_SCORES = {Rating.EXCELLENT: 0, Rating.GOOD: 1, Rating.REQUIRES_IMPROVEMENT: 2, Rating.POOR: 3}
SENSITIVITY_WEIGHTS = {Sensitivity.LOW: 1, Sensitivity.MEDIUM: 2, Sensitivity.HIGH: 3}
VISIT_RATING_YEARS = 3


def _homes(ctx: RiskContext, path: str) -> Q:
    """Only the target homes, unless every active home is one (then no list to match)."""
    return Q() if ctx.full else Q(**{f"{path}__in": ctx.home_ids})


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class VisitRating(Component):
    """The overall rating of the home's latest published quality monitoring visit."""

    def latest(self, ctx: RiskContext) -> dict[int, tuple[str, dt.date]]:
        def compute():
            since = _years_before(ctx.rating_day, VISIT_RATING_YEARS)
            rows = (Visit.objects.filter(_homes(ctx, "care_home_id"), published_on__gt=since,
                                         published_on__lte=ctx.rating_day)
                    .exclude(published_rating="")
                    .order_by("care_home_id", "-published_on", "-pk").distinct("care_home_id")
                    .values_list("care_home_id", "published_rating", "published_on"))
            return {home: (rating, published) for home, rating, published in rows}
        return ctx.memo(f"latest:{self.code}", compute)

    def values(self, ctx):
        latest = self.latest(ctx)
        return {pk: VISIT_RATING_SCORES[latest[pk][0]] if pk in latest else None for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        return self.latest(ctx).get(home_id)

    def describe(self, ctx, home_id, value):
        rating, published = self.latest(ctx)[home_id]
        label = Rating(rating).label
        return (f"{label}, published {published:%-d %B %Y}",
                f"The latest quality monitoring visit, published {published:%-d %B %Y}, rated the home "
                f"{label} (scored {value:g})")

    def no_data(self, ctx, home_id):
        return f"No quality monitoring visit published in the {VISIT_RATING_YEARS} years to this rating."


@dataclass(frozen=True)
class OverdueVisitActions(Component):
    """Actions from visit action plans past their target date, and plans not submitted in time."""

    def late(self, ctx: RiskContext) -> dict[int, tuple[int, int]]:
        """``{home: (overdue actions, overdue plans)}`` for homes with any."""
        def compute():
            day = ctx.rating_day
            actions = Counter(dict(
                overdue_actions(day).filter(_homes(ctx, "plan__visit__care_home_id"))
                .values_list("plan__visit__care_home_id").annotate(n=Count("pk")).order_by()))
            plans = Counter(dict(
                overdue_plans(day).filter(_homes(ctx, "visit__care_home_id"))
                .values_list("visit__care_home_id").annotate(n=Count("pk")).order_by()))
            return {home: (actions[home], plans[home]) for home in actions.keys() | plans.keys()}
        return ctx.memo(f"late:{self.code}", compute)

    def values(self, ctx):
        late = self.late(ctx)
        return {pk: sum(late.get(pk, (0, 0))) for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        return self.late(ctx).get(home_id, (0, 0))

    def describe(self, ctx, home_id, value):
        actions, plans = self.late(ctx).get(home_id, (0, 0))
        if not value:
            return "None overdue", "No action from a quality monitoring visit is overdue"
        parts = []
        if actions:
            parts.append(f"{actions} action{'s' if actions != 1 else ''} past the target date")
        if plans:
            parts.append(f"{plans} action plan{'s' if plans != 1 else ''} not submitted by the due date")
        said = " and ".join(parts)
        return said[0].upper() + said[1:], f"From quality monitoring visits: {said}"


@dataclass(frozen=True)
class SoftIntelligenceWeight(Component):
    """Concerns JIG members logged about the home, weighed by sensitivity."""

    def logged(self, ctx: RiskContext) -> dict[int, tuple[int, int]]:
        """``{home: (concerns, their weight)}`` for homes with any."""
        def compute():
            rows = (SoftIntelligence.objects
                    .filter(_homes(ctx, "care_home_id"), archived_at__isnull=True,
                            reported_on__gte=ctx.window_first, reported_on__lte=ctx.rating_day)
                    .values_list("care_home_id", "sensitivity").annotate(n=Count("pk")).order_by())
            found: dict[int, tuple[int, int]] = {}
            for home, sensitivity, n in rows:
                concerns, weight = found.get(home, (0, 0))
                found[home] = concerns + n, weight + n * SENSITIVITY_WEIGHTS.get(sensitivity, 2)
            return found
        return ctx.memo(f"logged:{self.code}", compute)

    def values(self, ctx):
        logged = self.logged(ctx)
        return {pk: logged.get(pk, (0, 0))[1] for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        return self.logged(ctx).get(home_id, (0, 0))

    def describe(self, ctx, home_id, value):
        concerns, weight = self.logged(ctx).get(home_id, (0, 0))
        since = f"{ctx.window_first:%-d %B %Y}"
        if not concerns:
            return "None logged", f"JIG members have logged no concerns about the home since {since}"
        noun = "concern" if concerns == 1 else "concerns"
        return (f"{concerns} {noun}, weighing {weight}",
                f"JIG members have logged {concerns} {noun} about the home since {since}, weighing "
                f"{weight} by sensitivity (low 1, medium 2, high 3)")


D = Decimal
for _component in [
    VisitRating("visit_rating", "Visit rating", "score",
                "The overall rating of the latest published quality monitoring visit (within three years): "
                "0 Excellent, 1 Good, 2 Requires improvement, 3 Poor.",
                D(10), D(2), D(3)),
    OverdueVisitActions("visit_actions_overdue", "Overdue visit actions", "actions",
                        "Actions from visit action plans past their target date and not completed, and "
                        "action plans not submitted by their due date.",
                        D(5), D(1), D(3)),
    SoftIntelligenceWeight("soft_intelligence", "Soft intelligence", "weight",
                           "Concerns JIG members have logged about the home in the last three months and "
                           "this month, weighed by sensitivity: low 1, medium 2, high 3.",
                           D(5), D(2), D(4)),
]:
    register(_component)

"""The risk model's components: what each measures, and how it is worked out for every home.

Adding a component is a local change: write a class (on ``component_base.Component``, or
configure one of the generic ones below), ``register`` an instance with its code, label and default weight and
thresholds, and add it to a model version (a new draft, then publish). Every component
is stated so that **higher is worse**, and ``values(ctx)`` answers for every target home
at once with a fixed number of queries, never one per home. A value of None means no
data: the component contributes nothing and its band is "none".
"""

from dataclasses import dataclass
from decimal import Decimal

from carehomes.choices import CqcRatingValue

from .. import series as feed_series
from .component_base import REGISTRY, Component, RateRatio, band_phrase, register  # noqa: F401 - REGISTRY
from .context import WINDOW_MONTHS, RiskContext


@dataclass(frozen=True)
class FeedRateRatio(RateRatio):
    """Feed events per occupied bed over the window, as a multiple of the area's rate."""

    series: str = ""

    def rates(self, ctx: RiskContext) -> tuple[dict[int, float | None], float | None]:
        def compute():
            totals = ctx.window_totals[self.series]
            events = {pk: totals.get(pk, 0) for pk in ctx.homes}
            home = {pk: (events[pk] / beds if beds else None) for pk, beds in ctx.occupied.items()}
            return home, ctx.area_rate(events, ctx.occupied)
        return ctx.memo(f"rate:{self.code}", compute)

    def no_data(self, ctx, home_id):
        if not ctx.occupied.get(home_id):
            return "No rate: the home has no occupied beds recorded."
        return f"No rate: no home in the area had any {self.noun} in {ctx.window_label}."

    def explain_all(self, ctx, values, bands):
        """As ``Component.explain_all``, with the describing written out here rather than in
        ``describe``, called for every home: five of these components make a third of it all.

        Display: "2.50 × the area rate (0.60 vs 0.24 call-outs per occupied bed)". Why: "12
        call-outs in January 2025 to March 2025 for 20 occupied beds is 2.50 times the area
        rate: at or above the red threshold of 1.5."
        """
        home, area = self.rates(ctx)
        counts, occupied = ctx.window_totals[self.series], ctx.occupied
        per_bed = f" {self.noun} per occupied bed)"
        in_window = f" {self.noun} in {ctx.window_label} for "
        endings = {band: f" times the area rate: {band_phrase(band, bands.amber_from, bands.red_from)}."
                   for band in ("red", "amber", "green")}
        for pk in ctx.home_ids:
            value = values.get(pk)
            band = bands[value]
            if value is None:
                yield value, band, "No data", self.no_data(ctx, pk)
                continue
            yield (value, band, f"{value:.2f} × the area rate ({home[pk]:.2f} vs {area:.2f}{per_bed}",
                   f"{counts.get(pk, 0)}{in_window}{occupied[pk]:g} occupied beds is {value:.2f}"
                   f"{endings[band]}")


@dataclass(frozen=True)
class ReturnRateRatio(RateRatio):
    """A monthly-return count per occupied bed (bed-months), as a multiple of the area's rate."""

    key: str = ""

    def rates(self, ctx):
        def compute():
            events = {pk: facts.sums[self.key][0] for pk, facts in ctx.returns.items()}
            beds = {pk: facts.sums[self.key][1] for pk, facts in ctx.returns.items()}
            home = {pk: (events[pk] / beds[pk] if beds[pk] else None) for pk in events}
            return home, ctx.area_rate(events, beds)
        return ctx.memo(f"rate:{self.code}", compute)

    def explain_key(self, ctx, home_id, value):
        return "no data" if value is None else self.rates(ctx)[0][home_id]

    def describe(self, ctx, home_id, value):
        home, area = self.rates(ctx)
        display = (f"{value:.2f} × the area rate ({home[home_id]:.3f} vs {area:.3f} {self.noun} "
                   "per occupied bed a month)")
        what = (f"{self.noun.capitalize()} reported in the monthly returns for {ctx.window_label} "
                f"are {value:.2f} times the area rate per occupied bed")
        return display, what

    def no_data(self, ctx, home_id):
        return f"No rate: no submitted return for {ctx.window_label} gives {self.noun} and occupied beds."


@dataclass(frozen=True)
class ConveyedShare(Component):
    minimum: int = 5

    def values(self, ctx):
        found, all_callouts, all_conveyed = {}, ctx.window_totals["callouts"], ctx.window_totals["conveyed"]
        for pk in ctx.home_ids:
            callouts = all_callouts.get(pk, 0)
            conveyed = all_conveyed.get(pk, 0)
            found[pk] = round(100 * conveyed / callouts, 4) if callouts >= self.minimum else None
        return found

    def explain_key(self, ctx, home_id, value):
        return ctx.window_total(home_id, "callouts"), ctx.window_total(home_id, "conveyed")

    def describe(self, ctx, home_id, value):
        callouts, conveyed = ctx.window_total(home_id, "callouts"), ctx.window_total(home_id, "conveyed")
        return (f"{value:.0f}% ({conveyed} of {callouts} call-outs)",
                f"{conveyed} of {callouts} call-outs in {ctx.window_label} ended in conveyance to "
                f"hospital ({value:.0f}%)")

    def no_data(self, ctx, home_id):
        callouts = ctx.window_total(home_id, "callouts")
        return (f"Too few call-outs to judge: {callouts} in {ctx.window_label}, and the share is "
                f"worked out from {self.minimum}.")


REPEAT_SQL = """
    SELECT care_home_id, count(*) FROM (
        SELECT care_home_id, person_token FROM jig_ambulanceincident
         WHERE {homes} AND called_at >= %(start)s AND called_at < %(end)s
         GROUP BY care_home_id, person_token HAVING count(*) >= %(calls)s) AS repeat
     GROUP BY care_home_id"""


@dataclass(frozen=True)
class RepeatCallers(Component):
    calls: int = 3

    def prefetch(self, ctx):
        params = {"ids": ctx.home_ids, "calls": self.calls,
                  "start": feed_series.month_start(ctx.window_first),
                  "end": feed_series.month_start(ctx.month)}
        homes = ("care_home_id IS NOT NULL" if ctx.full
                 else "care_home_id IN (SELECT unnest(%(ids)s::bigint[]))")
        ctx.send(self.code, REPEAT_SQL.format(homes=homes), params)

    def values(self, ctx):
        if not ctx.sent(self.code):
            self.prefetch(ctx)
        found = dict(ctx.received(self.code))
        return {pk: found.get(pk, 0) for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        return "value"  # the value says it all

    def describe(self, ctx, home_id, value):
        people = "person" if value == 1 else "people"
        return (f"{value:g} {people} with {self.calls} or more call-outs",
                f"{value:g} {people} at the home had {self.calls} or more ambulance call-outs in "
                f"{ctx.window_label}")


@dataclass(frozen=True)
class SpcSignals(Component):
    def signalled(self, ctx) -> dict[int, list[str]]:
        def compute():
            return {pk: [code for code, counts in ctx.series.get(pk, {}).items()
                         if feed_series.concern_in_last(counts, WINDOW_MONTHS)]
                    for pk in ctx.home_ids}
        return ctx.memo("spc", compute)

    def values(self, ctx):
        return {pk: len(codes) for pk, codes in self.signalled(ctx).items()}

    def explain_key(self, ctx, home_id, value):
        return tuple(self.signalled(ctx)[home_id])

    def describe(self, ctx, home_id, value):
        labels = [feed_series.SERIES[code].label.lower() for code in self.signalled(ctx)[home_id]]
        total = len(feed_series.SERIES)
        display = f"{value:g} of {total} series" + (f": {', '.join(labels)}" if labels else "")
        if labels:
            what = (f"Special cause variation of concern in {ctx.window_label} on {', '.join(labels)} "
                    f"(XmR charts of the 24 months to {ctx.window_last:%B %Y})")
        else:
            what = (f"No special cause variation of concern in {ctx.window_label} on the {total} "
                    "monthly series")
        return display, what


CQC_SCORES = {CqcRatingValue.OUTSTANDING: 0, CqcRatingValue.GOOD: 1,
              CqcRatingValue.REQUIRES_IMPROVEMENT: 2, CqcRatingValue.INADEQUATE: 3}


@dataclass(frozen=True)
class CqcRating(Component):
    def values(self, ctx):
        return {pk: CQC_SCORES.get(ctx.homes[pk].cqc_rating) if pk in ctx.homes else None
                for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        facts = ctx.homes.get(home_id)
        return "not rated" if value is None else (facts.cqc_rating, facts.cqc_published_on)

    def describe(self, ctx, home_id, value):
        facts = ctx.homes[home_id]
        label = CqcRatingValue(facts.cqc_rating).label
        published = f", published {facts.cqc_published_on:%-d %B %Y}" if facts.cqc_published_on else ""
        return f"{label}{published}", f"CQC's latest overall rating is {label} (scored {value:g})"

    def no_data(self, ctx, home_id):
        return "Not yet rated by CQC."


@dataclass(frozen=True)
class ReturnsLateOrMissing(Component):
    def values(self, ctx):
        due = len(ctx.due_window_months)
        return {pk: due - (ctx.returns[pk].on_time if pk in ctx.returns else 0) for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        return "value"  # the value says it all

    def describe(self, ctx, home_id, value):
        due = ctx.due_window_months
        months = f"{len(due)} due" if due else "none due yet"
        return (f"{value:g} of {len(due)} returns late or missing",
                f"{value:g} of the monthly returns for {ctx.window_label} ({months}) came in late or "
                "not at all")


@dataclass(frozen=True)
class AgencyShare(Component):
    def values(self, ctx):
        return {pk: (round(ctx.returns[pk].agency_percent, 4)
                     if pk in ctx.returns and ctx.returns[pk].agency_percent is not None else None)
                for pk in ctx.home_ids}

    def explain_key(self, ctx, home_id, value):
        return "value"  # the value says it all

    def describe(self, ctx, home_id, value):
        return (f"{value:.1f}% of hours",
                f"Agency staff worked {value:.1f}% of hours on average in {ctx.window_label}")


@dataclass(frozen=True)
class StaffTurnover(Component):
    def values(self, ctx):
        found = {}
        for pk in ctx.home_ids:
            facts = ctx.returns.get(pk)
            if not facts or not facts.turnover_months or not facts.headcount:
                found[pk] = None
                continue
            annual_leavers = facts.leavers * 12 / facts.turnover_months
            found[pk] = round(100 * annual_leavers / facts.headcount, 4)
        return found

    def explain_key(self, ctx, home_id, value):
        if value is None:
            return "no data"
        facts = ctx.returns[home_id]
        return facts.leavers, facts.turnover_months, facts.headcount

    def describe(self, ctx, home_id, value):
        facts = ctx.returns[home_id]
        return (f"{value:.0f}% a year ({facts.leavers:g} leavers in {facts.turnover_months} months, "
                f"{facts.headcount:g} employed staff)",
                f"Staff leaving at {value:.0f}% of the directly employed headcount a year "
                f"({ctx.window_label}, annualised)")


D = Decimal
for _component in [
    FeedRateRatio("callouts_rate", "Ambulance call-outs", "× area rate",
                  "Ambulance call-outs per occupied bed over the last three months, against the area rate.",
                  D(12), D("1.25"), D("1.5"), series="callouts", noun="call-outs"),
    ConveyedShare("conveyed_share", "Call-outs conveyed", "%",
                  "The share of ambulance call-outs that ended in conveyance to hospital (from 5 call-outs).",
                  D(4), D(60), D(75)),
    FeedRateRatio("emergency_admissions_rate", "Emergency admissions", "× area rate",
                  "Emergency hospital admissions per occupied bed over the last three months, "
                  "against the area rate.",
                  D(12), D("1.25"), D("1.5"), series="emergency_admissions", noun="emergency admissions"),
    FeedRateRatio("ae_attendances_rate", "A&E attendances", "× area rate",
                  "A&E attendances per occupied bed over the last three months, against the area rate.",
                  D(4), D("1.25"), D("1.5"), series="ae_attendances", noun="A&E attendances"),
    FeedRateRatio("bed_days_rate", "Hospital bed days", "× area rate",
                  "Bed days of admissions in the last three months per occupied bed, against the area rate.",
                  D(4), D("1.25"), D("1.5"), series="bed_days", noun="bed days"),
    RepeatCallers("repeat_callers", "Repeat callers", "people",
                  "People (the same pseudonym) with three or more ambulance call-outs in three months.",
                  D(4), D(1), D(3)),
    FeedRateRatio("falls_callouts_rate", "Falls-related call-outs", "× area rate",
                  "Falls-related ambulance call-outs per occupied bed over the last three months, "
                  "against the area rate.",
                  D(8), D("1.25"), D("1.5"), series="falls_callouts", noun="falls-related call-outs"),
    SpcSignals("spc_signals", "SPC signals", "series",
               "How many of the six monthly feed series show special cause variation of concern in "
               "the last three months (XmR charts of 24 months).",
               D(8), D(1), D(2)),
    CqcRating("cqc_rating", "CQC rating", "score",
              "CQC's latest overall rating: 0 Outstanding, 1 Good, 2 Requires improvement, 3 Inadequate.",
              D(8), D(2), D(3)),
    ReturnsLateOrMissing("returns_late", "Late or missing returns", "returns",
                         "Monthly returns for the last three months that were late or are missing.",
                         D(4), D(1), D(2)),
    ReturnRateRatio("returns_falls_rate", "Falls (monthly returns)", "× area rate",
                    "Falls reported in the monthly returns per occupied bed, against the area rate.",
                    D(3), D("1.25"), D("1.5"), key="falls", noun="falls"),
    ReturnRateRatio("returns_pressure_ulcers_rate", "Pressure ulcers", "× area rate",
                    "Pressure ulcers reported in the monthly returns per occupied bed, "
                    "against the area rate.",
                    D(3), D("1.25"), D("1.5"), key="pressure_ulcers", noun="pressure ulcers"),
    ReturnRateRatio("returns_safeguarding_rate", "Safeguarding concerns", "× area rate",
                    "Safeguarding concerns reported in the monthly returns per occupied bed, "
                    "against the area rate.",
                    D(4), D("1.25"), D("1.5"), key="safeguarding_concerns", noun="safeguarding concerns"),
    AgencyShare("agency_share", "Agency staff share", "% of hours",
                "The mean share of hours worked by agency staff, from the monthly returns.",
                D(1), D(10), D(20)),
    StaffTurnover("staff_turnover", "Staff turnover", "% a year",
                  "Leavers over the last three months, annualised, as a share of directly employed staff.",
                  D(1), D(30), D(45)),
]:
    register(_component)

# The components from visits and the JIG register after these (the registry's order is the
# shipped model's order).
from . import quality_components  # noqa: E402,F401

"""The JIG's dashboard: every home of the group's area with what members look at before and
during a meeting.

For each home: its current RAG and score (the rating for the month, or the latest before it),
its movement since the month of the group's last meeting, its rates per bed against the area
and its SPC signals (from the rating's components), CQC's rating, late or missing returns,
open JIG actions and live soft intelligence. ``dashboard_rows`` makes the same number of
queries (six at most) whatever the number of homes.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from quality.choices import Rating
from quality.models import Visit
from quality.reports import add_months

from .choices import JIG_ACTION_OUTSTANDING, RAG_ORDER, Movement, Rag
from .flagging import RatingFacts
from .meeting_selectors import (
    HELD_STATUSES,
    group_homes,
    is_member,
    meeting_content_allowed,
    previous_meeting,
    seats,
)
from .models import HomeFlag, JigAction, JigGroup, Meeting, RiskRating, SoftIntelligence
from .risk.components import REGISTRY
from .series import SERIES

# Soft intelligence counts on the dashboard: live items reported since the first day of the
# month this many months before the dashboard's month.
SOFT_INTELLIGENCE_MONTHS = 3
RATE_CODES = tuple(code for code, c in REGISTRY.items() if c.unit == "× area rate")
LATE_RETURNS_CODE = "returns_late"


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard may be narrowed to (empty: everything)."""

    council: int | None = None  # a council's organisation ID
    registration_type: str = ""  # carehomes.choices.RegistrationType
    rag: str = ""  # jig.choices.Rag
    movement: str = ""  # jig.choices.Movement
    flagged_only: bool = False  # only homes flagged for the meeting (needs a signed meeting)


@dataclass
class DashboardRow:
    """One home's line. ``flag_reasons`` is None when flags are not shown (no meeting, or the
    reader has not signed it), else the home's reasons (empty when not flagged)."""

    home: object
    rating_month: dt.date | None
    rag: str
    score: Decimal | None
    previous_rag: str
    previous_score: Decimal | None
    movement: str
    rates: list[dict] = field(default_factory=list)
    spc_signals: int = 0
    spc_series: list[str] = field(default_factory=list)
    cqc_rating: str = ""
    visit_rating: str = ""  # the latest published quality monitoring visit's overall rating
    visit_published_on: dt.date | None = None
    late_returns: int | None = None
    open_actions: int = 0
    soft_intelligence: int = 0
    flag_reasons: list[str] | None = None

    @property
    def score_change(self) -> Decimal | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score

    @property
    def visit_label(self) -> str:
        return Rating(self.visit_rating).label if self.visit_rating else ""

    @property
    def is_flagged(self) -> bool:
        return bool(self.flag_reasons)

    @property
    def risk_url(self) -> str:
        """The drill-down: the home's risk page."""
        return reverse("jig:risk-home", kwargs={"pk": self.home.pk})


@dataclass
class Dashboard:
    group: JigGroup
    meeting: Meeting | None
    month: dt.date
    previous_month: dt.date
    rows: list[DashboardRow]
    flags_shown: bool

    @property
    def rag_counts(self) -> dict[str, int]:
        return {rag: sum(1 for row in self.rows if row.rag == rag) for rag in Rag.values}


def _latest(month: dt.date, field_name: str) -> Subquery:
    """The home's latest rating at or before ``month``: one of its fields."""
    return Subquery(RiskRating.objects.filter(care_home=OuterRef("pk"), month__lte=month)
                    .order_by("-month").values(field_name)[:1])


def _rank(field_name: str) -> Case:
    return Case(*[When(**{field_name: rag}, then=Value(rank)) for rag, rank in RAG_ORDER.items()],
                default=None, output_field=IntegerField())


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("care_home").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _latest_visit(field_name: str) -> Subquery:
    return Subquery(Visit.objects.filter(care_home=OuterRef("pk"), published_on__isnull=False)
                    .exclude(published_rating="").order_by("-published_on", "-pk").values(field_name)[:1])


def _annotated_homes(group: JigGroup, month: dt.date, previous_month: dt.date):
    actions = JigAction.objects.filter(care_home=OuterRef("pk"), meeting__group=group,
                                       status__in=JIG_ACTION_OUTSTANDING)
    intelligence = SoftIntelligence.objects.filter(
        care_home=OuterRef("pk"), group=group, archived_at__isnull=True,
        reported_on__gte=add_months(month, -SOFT_INTELLIGENCE_MONTHS))
    return (group_homes(group).select_related("local_authority", "provider")
            .annotate(rating_id=_latest(month, "pk"), rating_month=_latest(month, "month"),
                      current_rag=_latest(month, "rag"), current_score=_latest(month, "score"),
                      previous_rag=_latest(previous_month, "rag"),
                      previous_score=_latest(previous_month, "score"),
                      open_action_count=_count(actions), soft_intelligence_count=_count(intelligence),
                      visit_rating=_latest_visit("published_rating"),
                      visit_published_on=_latest_visit("published_on"))
            .annotate(current_rank=_rank("current_rag"), previous_rank=_rank("previous_rag"))
            .annotate(movement=Case(
                When(current_rag__isnull=True, then=Value("")),
                When(previous_rag__isnull=True, then=Value(Movement.NEW)),
                When(current_rank__gt=F("previous_rank"), then=Value(Movement.WORSE)),
                When(current_rank__lt=F("previous_rank"), then=Value(Movement.BETTER)),
                default=Value(Movement.SAME)))
            .order_by(F("current_score").desc(nulls_last=True), "name", "pk"))


def _filtered(homes, filters: DashboardFilters, flagged: dict | None):
    if filters.council:
        homes = homes.filter(local_authority_id=filters.council)
    if filters.registration_type:
        homes = homes.filter(registration_type=filters.registration_type)
    if filters.rag:
        homes = homes.filter(current_rag=filters.rag)
    if filters.movement:
        homes = homes.filter(movement=filters.movement)
    if filters.flagged_only:
        homes = homes.filter(pk__in=list(flagged or {}))
    return homes


def _row(home, components: list[dict] | None, flag: HomeFlag | None, flags_shown: bool) -> DashboardRow:
    by_code = {c["code"]: c for c in components or [] if "code" in c}
    facts = RatingFacts(home.rating_month, home.current_rag or "", home.current_score or Decimal(0), by_code)
    series = facts.spc_series or frozenset()
    late = by_code.get(LATE_RETURNS_CODE, {}).get("value")
    return DashboardRow(
        home=home, rating_month=home.rating_month, rag=home.current_rag or "", score=home.current_score,
        previous_rag=home.previous_rag or "", previous_score=home.previous_score, movement=home.movement,
        rates=[{key: by_code[code].get(key) for key in ("code", "label", "value", "display", "band")}
               for code in RATE_CODES if code in by_code],
        spc_signals=int(facts.spc_count),
        spc_series=sorted(SERIES[c].label if c in SERIES else c for c in series),
        cqc_rating=home.cqc_overall_rating, visit_rating=home.visit_rating or "",
        visit_published_on=home.visit_published_on, late_returns=int(late) if late is not None else None,
        open_actions=home.open_action_count, soft_intelligence=home.soft_intelligence_count,
        flag_reasons=(flag.all_reasons if flag else []) if flags_shown else None)


def dashboard_for_group(group: JigGroup, *, meeting: Meeting | None = None, month: dt.date | None = None,
                        filters: DashboardFilters | None = None, show_flags: bool = False) -> Dashboard:
    """The dashboard of a group's homes, for a month or a meeting (no access check: callers
    decide, as ``dashboard_rows`` does for a user). ``show_flags`` adds the meeting's flags."""
    filters = filters or DashboardFilters()
    if meeting is not None:
        month = meeting.month
        held = previous_meeting(meeting)
    else:
        month = (month or timezone.localdate()).replace(day=1)
        held = (Meeting.objects.filter(group=group, month__lt=month, status__in=HELD_STATUSES)
                .order_by("-month").first())
    previous_month = held.month if held else add_months(month, -1)
    flags_shown = show_flags and meeting is not None
    flagged = ({f.care_home_id: f for f in meeting.flags.filter(removed_at__isnull=True)}
               if flags_shown else None)
    homes = list(_filtered(_annotated_homes(group, month, previous_month), filters, flagged))
    components = dict(RiskRating.objects.filter(pk__in=[h.rating_id for h in homes if h.rating_id])
                      .values_list("pk", "components"))
    rows = [_row(home, components.get(home.rating_id), (flagged or {}).get(home.pk), flags_shown)
            for home in homes]
    return Dashboard(group, meeting, month, previous_month, rows, flags_shown)


def dashboard_rows(user, *, group: JigGroup | None = None, meeting: Meeting | None = None,
                   month: dt.date | None = None, filters: DashboardFilters | None = None) -> Dashboard:
    """The dashboard for a member of the group (403 for anybody else).

    Give a ``meeting`` (its month, and its flags if the user signed its statement), or a
    ``group`` and optionally a ``month`` (this month by default); with neither, the user's
    group when they sit on exactly one.
    """
    if meeting is not None:
        group = meeting.group
    if group is None:
        groups = list({seat.group_id: seat.group for seat in seats(user)}.values())
        if len(groups) != 1:
            raise ValidationError("Choose the group whose dashboard to show.")
        group = groups[0]
    if not is_member(user, group):
        raise PermissionDenied("Only members of the group can see its dashboard.")
    if filters and filters.flagged_only and meeting is None:
        raise ValidationError({"flagged_only": "Homes are flagged for a meeting: choose the meeting."})
    show_flags = meeting is not None and meeting_content_allowed(user, meeting)
    return dashboard_for_group(group, meeting=meeting, month=month, filters=filters, show_flags=show_flags)

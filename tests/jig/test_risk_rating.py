"""A rating's score from known components, worked out by hand.

Rating month April 2025: the window is January to March 2025; the SPC series are the 24
months April 2023 to March 2025. Three active homes (the whole area):

    occupied beds   A: 20 (its returns)   B: 40 (no returns: registered beds)   C: 40 (returns)

Feeds in the window          A      B      C     area       area rate per occupied bed (÷ 100)
  call-outs                 12      8      4       24       0.24
  conveyed                   9      2      4
  falls-related              6      2      0        8       0.08
  emergency admissions       2      4      0        6       0.06
  A&E attendances            2      0      2        4       0.04
  bed days                  10     40      2       52       0.52

  call-outs ratio      A 0.6/0.24 = 2.5 red     B 0.2/0.24 = 0.8333       C 0.1/0.24 = 0.4167
  conveyed share       A 9/12 = 75% red         B 2/8 = 25%               C 4 call-outs: too few
  emergency adm.       A 0.1/0.06 = 1.6667 red  B 0.1/0.06 = 1.6667 red   C 0
  A&E                  A 0.1/0.04 = 2.5 red     B 0                       C 0.05/0.04 = 1.25 amber
  bed days             A 0.5/0.52 = 0.9615      B 1/0.52 = 1.9231 red     C 0.05/0.52 = 0.0962
  falls call-outs      A 0.3/0.08 = 3.75 red    B 0.05/0.08 = 0.625       C 0
  repeat callers       A 1 (amber)              B 2 (amber)               C 0

SPC: no home has events before the window, so each series with events in it jumps above its
upper process limit (e.g. A's call-outs 0 ×21, 4, 4, 4: mean 0.5, MR̄ 4/23, UCL 0.96):
A 6 series, B 5 (no A&E), C 4 (no falls, no emergency admissions): all red.

Returns (per occupied bed-month; A 60 bed-months, C 120, area 180):
  falls      A 12/60 = 0.2 → 0.2/(21/180) = 1.7143 red     C 9/120 → 0.6429
  ulcers     A 3/60 → 0.05/(3/180) = 3 red                  C 0
  safeguard. A 0                                             C 3/120 → 0.025/(3/180) = 1.5 red
  agency     A 12% amber   C 5%        turnover A 3 leavers × 4 / 20 staff = 60% red   C 0%
  late       A 1 (March late) amber    B 3 (none) red       C 0
CQC: A requires improvement (2, amber), B inadequate (3, red), C unrated (no data).
"""

import datetime as dt
from decimal import Decimal

import pytest

from carehomes.choices import CqcRatingValue
from jig import summary
from jig.feeds.codes import HospitalKind, Outcome
from jig.models import RiskRating
from jig.risk.context import RiskContext
from jig.risk.engine import ratings_compute
from jig.risk.services import risk_model_current
from quality.choices import ReturnStatus
from tests.jig.factories import (
    AmbulanceIncidentFactory,
    FeedBatchFactory,
    HospitalActivityFactory,
    HospitalBatchFactory,
)
from tests.quality.factories import MonthlyReturnFactory, good_values

UTC = dt.UTC
MONTH = dt.date(2025, 4, 1)
JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


def at(month: dt.date, day: int = 15) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, 12, tzinfo=UTC)


def callouts(batch, home, month, count, *, conveyed=0, falls=0, tokens=()):
    tokens = list(tokens) + [None] * (count - len(tokens))
    for n in range(count):
        extra = {"person_token": tokens[n]} if tokens[n] else {}
        AmbulanceIncidentFactory(
            batch=batch, care_home=home, called_at=at(month, 1 + n),
            outcome=Outcome.SEE_AND_CONVEY if n < conveyed else Outcome.SEE_AND_TREAT,
            is_fall=n < falls, **extra)


def admissions(batch, home, month, count, bed_days):
    for _ in range(count):
        HospitalActivityFactory(batch=batch, care_home=home, arrived_at=at(month), admission=True,
                                bed_days=bed_days)


def attendances(batch, home, month, count):
    for _ in range(count):
        HospitalActivityFactory(batch=batch, care_home=home, arrived_at=at(month))


def submitted(home, month, *, late=False, **values):
    due = MonthlyReturnFactory.build(month=month).due_on
    sent = dt.datetime(due.year, due.month, due.day + (1 if late else -2), 10, tzinfo=UTC)
    MonthlyReturnFactory(care_home=home, month=month, status=ReturnStatus.SUBMITTED,
                         first_submitted_on=sent, submitted_on=sent, values=good_values(**values))


@pytest.fixture
def scenario(area):
    a, b, c = area.home, area.second_home, area.other_home
    a.cqc_overall_rating = CqcRatingValue.REQUIRES_IMPROVEMENT
    b.cqc_overall_rating = CqcRatingValue.INADEQUATE
    c.cqc_overall_rating = ""
    for home in (a, b, c):
        home.save()
    amb, hosp = FeedBatchFactory(), HospitalBatchFactory()
    for month in (JAN, FEB, MAR):
        callouts(amb, a, month, 4, conveyed=3, falls=2, tokens=["p1"])
    callouts(amb, b, JAN, 3, conveyed=1, falls=1, tokens=["p2", "p2", "p3"])
    callouts(amb, b, FEB, 3, conveyed=1, falls=1, tokens=["p2", "p2", "p3"])
    callouts(amb, b, MAR, 2, tokens=["p3", "p4"])
    callouts(amb, c, MAR, 4, conveyed=4)
    # Outside the window: 00:30 BST on 1 April 2025 is April's; an unmatched call is nobody's.
    AmbulanceIncidentFactory(batch=amb, care_home=a, called_at=dt.datetime(2025, 3, 31, 23, 30, tzinfo=UTC))
    AmbulanceIncidentFactory(batch=amb, care_home=None, called_at=at(FEB))
    admissions(hosp, a, JAN, 1, 5)
    admissions(hosp, a, FEB, 1, 5)
    attendances(hosp, a, JAN, 1)
    attendances(hosp, a, FEB, 1)
    admissions(hosp, b, JAN, 2, 10)
    admissions(hosp, b, FEB, 2, 10)
    attendances(hosp, c, FEB, 2)
    HospitalActivityFactory(batch=hosp, care_home=c, arrived_at=at(FEB), kind=HospitalKind.ADMISSION,
                            admission_method="11", is_emergency=False, bed_days=2)
    staff_a = {"staff_rn_employed": 4, "staff_care_employed": 14, "staff_noncare_employed": 2}
    for month in (JAN, FEB, MAR):
        submitted(a, month, late=month == MAR, beds=40, occupied=20, falls=4, pressure_ulcers=1,
                  safeguarding_concerns=0, agency_hours_percent=12.0, staff_leavers=1, **staff_a)
        submitted(c, month, beds=40, occupied=40, falls=3, pressure_ulcers=0, safeguarding_concerns=1,
                  agency_hours_percent=5.0, staff_leavers=0)
    return a, b, c


EXPECTED = {
    # code: (A value, band, contribution), (B ...), (C ...); version 2's weights
    "callouts_rate": [(2.5, "red", 12), (0.8333, "green", 0), (0.4167, "green", 0)],
    "conveyed_share": [(75, "red", 4), (25, "green", 0), (None, "none", 0)],
    "emergency_admissions_rate": [(1.6667, "red", 12), (1.6667, "red", 12), (0, "green", 0)],
    "ae_attendances_rate": [(2.5, "red", 4), (0, "green", 0), (1.25, "amber", 2)],
    "bed_days_rate": [(0.9615, "green", 0), (1.9231, "red", 4), (0.0962, "green", 0)],
    "repeat_callers": [(1, "amber", 2), (2, "amber", 2), (0, "green", 0)],
    "falls_callouts_rate": [(3.75, "red", 8), (0.625, "green", 0), (0, "green", 0)],
    "spc_signals": [(6, "red", 8), (5, "red", 8), (4, "red", 8)],
    "cqc_rating": [(2, "amber", 4), (3, "red", 8), (None, "none", 0)],
    "returns_late": [(1, "amber", 2), (3, "red", 4), (0, "green", 0)],
    "returns_falls_rate": [(1.7143, "red", 3), (None, "none", 0), (0.6429, "green", 0)],
    "returns_pressure_ulcers_rate": [(3, "red", 3), (None, "none", 0), (0, "green", 0)],
    "returns_safeguarding_rate": [(0, "green", 0), (None, "none", 0), (1.5, "red", 4)],
    "agency_share": [(12, "amber", 0.5), (None, "none", 0), (5, "green", 0)],
    "staff_turnover": [(60, "red", 1), (None, "none", 0), (0, "green", 0)],
    # No visits or soft intelligence here: tests/jig/test_risk_quality_components.py has them.
    "visit_rating": [(None, "none", 0), (None, "none", 0), (None, "none", 0)],
    "visit_actions_overdue": [(0, "green", 0), (0, "green", 0), (0, "green", 0)],
    "soft_intelligence": [(0, "green", 0), (0, "green", 0), (0, "green", 0)],
}


@pytest.mark.django_db
def test_every_component_score_and_rag_match_the_hand_worked_figures(scenario, django_assert_max_num_queries):
    a, b, c = scenario
    model = risk_model_current()
    ctx = RiskContext(month=MONTH, home_ids=[a.pk, b.pk, c.pk], full=True, today=dt.date(2026, 1, 1))
    # Model rows, homes, returns, 2 series, repeat callers, visits, overdue actions and plans,
    # soft intelligence: the same for 3 homes as for 15,000.
    with django_assert_max_num_queries(12):
        ratings = {r.home_id: r for r in ratings_compute(model=model, ctx=ctx)}
    for n, home in enumerate((a, b, c)):
        got = {comp["code"]: (comp["value"], comp["band"], comp["contribution"])
               for comp in ratings[home.pk].components}
        assert got == {code: rows[n] for code, rows in EXPECTED.items()}, home.name
    assert (ratings[a.pk].score, ratings[a.pk].rag) == (Decimal("63.50"), "red")
    assert (ratings[b.pk].score, ratings[b.pk].rag) == (Decimal("38.00"), "amber")
    assert (ratings[c.pk].score, ratings[c.pk].rag) == (Decimal("14.00"), "green")


@pytest.mark.django_db
def test_a_homes_recompute_gives_the_same_figures_as_a_full_one(scenario):
    a, b, c = scenario
    ctx = RiskContext(month=MONTH, home_ids=[b.pk], today=dt.date(2026, 1, 1))
    [rating] = ratings_compute(model=risk_model_current(), ctx=ctx)
    full = RiskContext(month=MONTH, home_ids=[a.pk, b.pk, c.pk], full=True, today=dt.date(2026, 1, 1))
    [from_full] = [r for r in ratings_compute(model=risk_model_current(), ctx=full) if r.home_id == b.pk]
    assert (rating.score, rating.rag) == (Decimal("38.00"), "amber")
    assert rating.components == from_full.components  # values, bands and every sentence alike


@pytest.mark.django_db
def test_each_component_says_what_it_shows_and_why(scenario):
    a, b, c = scenario
    ctx = RiskContext(month=MONTH, home_ids=[a.pk, b.pk, c.pk], full=True, today=dt.date(2026, 1, 1))
    ratings = {r.home_id: {x["code"]: x for x in r.components}
               for r in ratings_compute(model=risk_model_current(), ctx=ctx)}
    callouts_a = ratings[a.pk]["callouts_rate"]
    assert callouts_a["display"] == "2.50 × the area rate (0.60 vs 0.24 call-outs per occupied bed)"
    assert callouts_a["why"] == ("12 call-outs in January 2025 to March 2025 for 20 occupied beds is "
                                 "2.50 times the area rate: at or above the red threshold of 1.5.")
    assert callouts_a["label"] == "Ambulance call-outs" and callouts_a["weight"] == 12
    assert ratings[c.pk]["conveyed_share"]["why"].startswith("Too few call-outs to judge: 4 in")
    assert ratings[c.pk]["cqc_rating"]["display"] == "No data"
    assert "call-outs, call-outs conveyed to hospital" in ratings[c.pk]["spc_signals"]["display"]
    assert ratings[a.pk]["staff_turnover"]["display"].startswith("60% a year (3 leavers in 3 months")
    for components in ratings.values():
        for component in components.values():
            assert component["why"].endswith(".") and component["display"]


@pytest.mark.django_db
def test_the_feeds_monthly_summary_gives_the_same_ratings_as_the_records(scenario):
    a, b, c = scenario
    summary.refresh()  # what the recompute does first
    for full, homes in ((True, [a.pk, b.pk, c.pk]), (False, [b.pk])):
        by_source = [{r.home_id: (r.score, r.rag, r.components) for r in ratings_compute(
                          model=risk_model_current(),
                          ctx=RiskContext(month=MONTH, home_ids=homes, full=full, summary=from_summary,
                                          today=dt.date(2026, 1, 1)))}
                     for from_summary in (False, True)]
        assert by_source[0] == by_source[1]


@pytest.mark.django_db
def test_a_month_not_yet_due_is_not_counted_as_missing(scenario):
    a, b, c = scenario
    # On 10 April 2025 March's return (due 14 April) is not late yet: B has two missing, not three.
    ctx = RiskContext(month=MONTH, home_ids=[b.pk], today=dt.date(2025, 4, 10))
    [rating] = ratings_compute(model=risk_model_current(), ctx=ctx)
    late = next(x for x in rating.components if x["code"] == "returns_late")
    assert (late["value"], late["band"]) == (2, "red")
    assert RiskRating.objects.count() == 0  # computing stores nothing

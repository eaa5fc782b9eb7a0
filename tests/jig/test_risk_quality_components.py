"""The risk components from visits and the JIG, worked out by hand.

Rating month May 2026, computed on 20 May 2026 (the rating's day). The window is February
to April 2026. Three homes (the whole area):

Visit rating (latest published within three years of 20 May 2026, so after 20 May 2023):
  A  Good (January 2025), then Poor (2 March 2026)      → 3, red (from 3): 10
  B  Poor (1 April 2023: too old), then Requires improvement (1 February 2024) → 2, amber: 5
  C  Poor in a shared draft, not published             → no data

Overdue visit actions (on 20 May 2026):
  A  submitted plan: open, due 1 May; in progress, due 19 May (both overdue); reopened, due
     20 May (due today: not yet); completed and verified, due in April (done) → 2, amber: 2.5
  B  plan awaiting submission, due 15 February 2024    → 1, amber: 2.5
  C  none                                              → 0, green

Soft intelligence (reported 1 February to 20 May 2026, not archived; low 1, medium 2, high 3):
  A  high (10 March) + medium (15 May)                 → 5, red (from 4): 5
  B  low (1 February); a medium of 31 January (before the window) and an archived high
     do not count                                      → 1, green
  C  medium (30 April)                                 → 2, amber (from 2): 2.5
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jig.choices import Sensitivity
from jig.models import SoftIntelligence
from jig.risk.context import RiskContext
from jig.risk.engine import ratings_compute
from jig.risk.services import risk_model_current
from quality.choices import ActionPlanStatus, PlanActionStatus, Rating, VisitStatus
from quality.models import ActionPlan, PlanAction
from quality.visits.framework import standards_for
from tests.jig.meetings.factories import SoftIntelligenceFactory
from tests.quality.visits.factories import VisitFactory

MONTH = dt.date(2026, 5, 1)
TODAY = dt.date(2026, 5, 20)
CODES = ("visit_rating", "visit_actions_overdue", "soft_intelligence")


def published(home, on: dt.date, rating: str):
    visited = on - dt.timedelta(days=40)
    return VisitFactory(care_home=home, status=VisitStatus.PUBLISHED, planned_on=visited, started_on=visited,
                        shared_on=on - dt.timedelta(days=20), comments_close_on=on - dt.timedelta(days=6),
                        published_on=on, published_rating=rating, indicative_rating=rating)


def action(plan, status: str, target_on: dt.date):
    standard = standards_for(plan.visit.framework_version, plan.visit.care_home.registration_type)[0]
    done = {}
    if status in (PlanActionStatus.COMPLETED, PlanActionStatus.VERIFIED):
        done = {"completed_on": timezone.now(), "completion_evidence": "Seen by the officer."}
    if status == PlanActionStatus.VERIFIED:
        done["verified_on"] = timezone.now()
    return PlanAction.objects.create(plan=plan, standard=standard, description="Put it right.",
                                     owner="The manager", target_on=target_on, status=status, **done)


@pytest.fixture
def scenario(area):
    a, b, c = area.home, area.second_home, area.other_home
    published(a, dt.date(2025, 1, 10), Rating.GOOD)
    poor = published(a, dt.date(2026, 3, 2), Rating.POOR)
    published(b, dt.date(2023, 4, 1), Rating.POOR)
    requires = published(b, dt.date(2024, 2, 1), Rating.REQUIRES_IMPROVEMENT)
    VisitFactory(care_home=c, status=VisitStatus.SHARED, started_on=dt.date(2026, 4, 1),
                 shared_on=dt.date(2026, 4, 20), comments_close_on=dt.date(2026, 5, 4),
                 indicative_rating=Rating.POOR)

    plan = ActionPlan.objects.create(visit=poor, status=ActionPlanStatus.SUBMITTED,
                                     due_on=dt.date(2026, 3, 16), submitted_on=timezone.now(),
                                     required_because="Rated Poor.")
    action(plan, PlanActionStatus.OPEN, dt.date(2026, 5, 1))
    action(plan, PlanActionStatus.IN_PROGRESS, dt.date(2026, 5, 19))
    action(plan, PlanActionStatus.REOPENED, TODAY)
    action(plan, PlanActionStatus.COMPLETED, dt.date(2026, 4, 1))
    action(plan, PlanActionStatus.VERIFIED, dt.date(2026, 4, 1))
    ActionPlan.objects.create(visit=requires, status=ActionPlanStatus.AWAITING, due_on=dt.date(2024, 2, 15),
                              required_because="Rated Requires improvement.")

    SoftIntelligenceFactory(care_home=a, reported_on=dt.date(2026, 3, 10), sensitivity=Sensitivity.HIGH)
    SoftIntelligenceFactory(care_home=a, reported_on=dt.date(2026, 5, 15), sensitivity=Sensitivity.MEDIUM)
    SoftIntelligenceFactory(care_home=b, reported_on=dt.date(2026, 2, 1), sensitivity=Sensitivity.LOW)
    SoftIntelligenceFactory(care_home=b, reported_on=dt.date(2026, 1, 31), sensitivity=Sensitivity.MEDIUM)
    SoftIntelligenceFactory(care_home=b, reported_on=dt.date(2026, 4, 1), sensitivity=Sensitivity.HIGH,
                            archived_at=timezone.now(), archived_reason="Recorded in error.")
    SoftIntelligenceFactory(care_home=c, reported_on=dt.date(2026, 4, 30), sensitivity=Sensitivity.MEDIUM)
    return a, b, c


def rated(homes, *, month=MONTH, full=True, ids=None):
    ctx = RiskContext(month=month, home_ids=ids or [h.pk for h in homes], full=full, today=TODAY)
    return {r.home_id: {c["code"]: c for c in r.components}
            for r in ratings_compute(model=risk_model_current(), ctx=ctx)}


EXPECTED = {
    "visit_rating": [(3, "red", 10), (2, "amber", 5), (None, "none", 0)],
    "visit_actions_overdue": [(2, "amber", 2.5), (1, "amber", 2.5), (0, "green", 0)],
    "soft_intelligence": [(5, "red", 5), (1, "green", 0), (2, "amber", 2.5)],
}


@pytest.mark.django_db
def test_each_home_scores_its_visit_rating_overdue_actions_and_soft_intelligence(scenario):
    ratings = rated(scenario)
    for n, home in enumerate(scenario):
        got = {code: (ratings[home.pk][code]["value"], ratings[home.pk][code]["band"],
                      ratings[home.pk][code]["contribution"]) for code in CODES}
        assert got == {code: rows[n] for code, rows in EXPECTED.items()}, home.name


@pytest.mark.django_db
def test_a_homes_recompute_reads_the_same_as_a_full_one(scenario):
    a, b, c = scenario
    full = rated(scenario)
    for home in scenario:
        alone = rated([home], full=False)
        assert {code: alone[home.pk][code] for code in CODES} == {code: full[home.pk][code] for code in CODES}


@pytest.mark.django_db
def test_each_says_what_it_shows_and_why(scenario):
    a, b, c = scenario
    ratings = rated(scenario)
    visit = ratings[a.pk]["visit_rating"]
    assert visit["display"] == "Poor, published 2 March 2026"
    assert visit["why"] == ("The latest quality monitoring visit, published 2 March 2026, rated the home "
                            "Poor (scored 3): at or above the red threshold of 3.")
    assert ratings[c.pk]["visit_rating"]["why"] == (
        "No quality monitoring visit published in the 3 years to this rating.")
    assert ratings[a.pk]["visit_actions_overdue"]["display"] == "2 actions past the target date"
    assert ratings[b.pk]["visit_actions_overdue"]["why"] == (
        "From quality monitoring visits: 1 action plan not submitted by the due date: at or above the "
        "amber threshold of 1, below red at 3.")
    assert ratings[c.pk]["visit_actions_overdue"]["display"] == "None overdue"
    soft = ratings[a.pk]["soft_intelligence"]
    assert soft["display"] == "2 concerns, weighing 5"
    assert soft["why"] == ("JIG members have logged 2 concerns about the home since 1 February 2026, "
                           "weighing 5 by sensitivity (low 1, medium 2, high 3): at or above the red "
                           "threshold of 4.")


@pytest.mark.django_db
def test_soft_intelligence_is_counted_never_described(scenario):
    """Anyone who reads ratings sees them; only JIG members may read the intelligence itself."""
    a, b, c = scenario
    soft = rated(scenario)[a.pk]["soft_intelligence"]
    said = (soft["display"] + " " + soft["why"]).lower()
    for item in SoftIntelligence.objects.filter(care_home=a):
        assert item.text.lower() not in said
        assert item.get_category_display().lower() not in said
        assert item.source_organisation.name.lower() not in said


@pytest.mark.django_db
def test_a_past_month_is_rated_as_things_stood_at_its_end(scenario):
    """February 2024, rated now: its day is 29 February 2024."""
    a, b, c = scenario
    ratings = rated(scenario, month=dt.date(2024, 2, 1))
    assert ratings[a.pk]["visit_rating"]["value"] is None  # A's visits came later
    assert ratings[b.pk]["visit_rating"]["value"] == 2  # published 1 February 2024
    assert ratings[b.pk]["visit_actions_overdue"]["value"] == 1  # its plan was due on 15 February
    assert ratings[a.pk]["visit_actions_overdue"]["value"] == 0
    assert all(ratings[h.pk]["soft_intelligence"]["value"] == 0 for h in scenario)


@pytest.mark.django_db
def test_the_shipped_model_weighs_them(scenario):
    weights = {c.code: c.weight for c in risk_model_current().components.all()}
    assert (weights["visit_rating"], weights["visit_actions_overdue"], weights["soft_intelligence"]) == (
        Decimal(10), Decimal(5), Decimal(5))
    a, b, c = scenario
    assert sum(c["contribution"] for c in rated(scenario)[a.pk].values() if c["code"] in CODES) == 17.5

"""The demo year of visits: built through the services, a realistic spread of ratings, every stage
and every action state, deterministic and idempotent."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from commissioning.models import TrackedModel
from quality.choices import ActionPlanStatus, PlanActionStatus, Rating, VisitEventKind, VisitStatus
from quality.models import ActionPlan, Answer, PlanAction, SeniorReview, Visit, VisitEvent
from quality.visits.demo import _cast, _homes_for
from quality.visits.demo_clock import LONDON, demo_clock
from quality.visits.demo_scripts import SCRIPTS
from quality.visits.reporting import comment_window_is_open

pytestmark = pytest.mark.django_db


def seed_visits() -> str:
    out = io.StringIO()
    call_command("seed_demo_visits", stdout=out)
    return out.getvalue()


def test_the_command_asks_for_the_demo_area_first():
    with pytest.raises(CommandError, match="Run manage.py seed_demo first"):
        seed_visits()


def test_the_demo_clock_moves_every_timestamp_and_puts_it_back():
    moment = dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC)  # 00:30 on 30 March in the UK (BST)
    with demo_clock(moment):
        assert timezone.now() == moment
        assert timezone.localdate() == dt.date(2026, 3, 30)
        assert TrackedModel._meta.get_field("created_on").get_default() == moment
        assert isinstance(timezone.now(), dt.datetime)
    assert timezone.now() - dt.datetime.now(LONDON) < dt.timedelta(seconds=5)


def test_the_demo_builds_a_year_of_visits_at_every_stage_once():
    call_command("seed_demo", stdout=io.StringIO())
    cast = _cast()
    homes = _homes_for(SCRIPTS, cast, 2016)
    assert homes == _homes_for(SCRIPTS, cast, 2016)  # the same homes every time

    out = seed_visits()

    today = timezone.localdate()
    visits = Visit.objects.all()
    published = visits.filter(status=VisitStatus.PUBLISHED)
    ratings = Counter(published.values_list("published_rating", flat=True))
    assert 28 <= published.count() <= 32, ratings
    assert 1 <= ratings[Rating.EXCELLENT] <= 2 and ratings[Rating.POOR] <= 1
    assert 0.55 <= ratings[Rating.GOOD] / published.count() <= 0.75
    assert ratings[Rating.REQUIRES_IMPROVEMENT] >= 4
    assert f"Published ratings: {ratings[Rating.GOOD]} good" in out
    # A year of them, and every stage today.
    first = min(published.values_list("started_on", flat=True))
    assert today - dt.timedelta(days=366) <= first <= today - dt.timedelta(days=300)
    assert set(visits.values_list("status", flat=True)) == set(VisitStatus.values)
    for shared in visits.filter(status=VisitStatus.SHARED):
        assert comment_window_is_open(shared)
    assert visits.filter(status=VisitStatus.PLANNED, kind="unannounced", planned_on__gt=today).exists()
    # Every step through the services: each leaves its event.
    kinds = set(VisitEvent.objects.values_list("kind", flat=True))
    assert {VisitEventKind.ANSWER_SAVED, VisitEventKind.COMMENT_RESPONDED, VisitEventKind.WINDOW_REOPENED,
            VisitEventKind.REVIEW_COMPLETED, VisitEventKind.ESCALATED, VisitEventKind.PLAN_CLOSED,
            VisitEventKind.ACTION_OVERDUE, VisitEventKind.PLAN_OVERDUE} <= kinds
    assert Answer.objects.filter(visit__in=published).count() >= 30 * 30
    reviews = SeniorReview.objects.all()
    senior = "senior.officer@demo.portal.nhs.uk"
    assert reviews.filter(completed_on__isnull=False, reviewer__email=senior).exists()
    assert reviews.filter(completed_on__isnull=True, visit__status=VisitStatus.SENIOR_REVIEW).exists()
    # Action plans and actions in every state, one of each overdue.
    plans = ActionPlan.objects.all()
    assert set(plans.values_list("status", flat=True)) == set(ActionPlanStatus.values)
    assert plans.filter(status=ActionPlanStatus.AWAITING, overdue_since__isnull=False).count() == 1
    assert plans.filter(status=ActionPlanStatus.AWAITING, due_on__gte=today).exists()
    actions = PlanAction.objects.all()
    assert set(actions.values_list("status", flat=True)) == set(PlanActionStatus.values)
    assert actions.filter(overdue_since__isnull=False).count() == 1
    assert plans.count() == ratings[Rating.REQUIRES_IMPROVEMENT] + ratings[Rating.POOR]
    # The demo manager has a draft to comment on and a plan to write.
    mine = visits.filter(care_home__in=cast.demo_manager_homes)
    assert mine.filter(status=VisitStatus.SHARED).exists()
    assert plans.filter(visit__in=mine, status=ActionPlanStatus.AWAITING).exists()
    assert f"The demo manager's homes: {cast.demo_manager_homes[0].name}" in out

    counts = (Visit.objects.count(), VisitEvent.objects.count(), PlanAction.objects.count())
    again = seed_visits()
    assert "nothing changed" in again
    assert (Visit.objects.count(), VisitEvent.objects.count(), PlanAction.objects.count()) == counts

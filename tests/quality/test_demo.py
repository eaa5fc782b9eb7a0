"""The demo returns: 24 months, valid, plausible, idempotent, with a few homes getting worse."""

import datetime as dt
import io
import re
import statistics

import pytest
from django.core.management import CommandError, call_command

from carehomes.choices import HomeStatus
from carehomes.models import CareHome
from commissioning import access
from commissioning.models import User
from quality.choices import ReturnStatus
from quality.models import MonthlyReturn, ReturnVersion
from quality.services import history_for
from quality.validation import check_return

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)  # after October's due date (14 November)
LAST_MONTH = dt.date(2026, 10, 1)
FIRST_MONTH = dt.date(2024, 11, 1)


def seed_returns(today=TODAY) -> str:
    out = io.StringIO()
    call_command("seed_demo_returns", today=today, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    call_command("seed_demo", stdout=io.StringIO())
    return seed_returns()


def active_homes():
    return CareHome.objects.filter(local_authority__is_served=True, status=HomeStatus.ACTIVE)


def falls_per_bed(returns) -> float:
    return statistics.mean(r.values["falls"] / r.values["beds_occupied"] for r in returns)


def test_the_command_asks_for_the_demo_area_first():
    with pytest.raises(CommandError, match="Run manage.py seed_demo first"):
        seed_returns()


def test_the_command_builds_24_months_ending_last_month(demo):
    months = sorted(set(MonthlyReturn.objects.values_list("month", flat=True)))
    assert len(months) == 24 and months[0] == FIRST_MONTH and months[-1] == LAST_MONTH
    homes = active_homes().count()
    # Every active home returned every earlier month.
    for month in months[:-1]:
        assert MonthlyReturn.objects.filter(care_home__in=active_homes(), month=month,
                                            status__in=[ReturnStatus.SUBMITTED,
                                                        ReturnStatus.AMENDED]).count() == homes
    latest = MonthlyReturn.objects.filter(care_home__in=active_homes(), month=LAST_MONTH)
    not_started = homes - latest.count()
    drafts = latest.filter(status=ReturnStatus.DRAFT).count()
    assert 0 < not_started < homes // 5 and 0 < drafts < homes // 5
    assert MonthlyReturn.objects.filter(first_submitted_on__date__gt=dt.date(2026, 10, 14)).exists()
    assert ReturnVersion.objects.filter(number=2, status=ReturnStatus.AMENDED).exists()
    assert f"{MonthlyReturn.objects.count()} created" in demo
    assert f"Late for October 2026 ({not_started + drafts})" in demo


def test_running_the_command_again_changes_nothing(demo):
    before = list(MonthlyReturn.objects.order_by("pk").values_list(
        "pk", "status", "values", "submitted_on", "modified_on"))
    versions = ReturnVersion.objects.count()

    again = seed_returns()

    assert list(MonthlyReturn.objects.order_by("pk").values_list(
        "pk", "status", "values", "submitted_on", "modified_on")) == before
    assert ReturnVersion.objects.count() == versions
    assert "0 created with 0 versions" in again


def test_a_sample_of_the_returns_passes_the_rules(demo):
    submitted = list(MonthlyReturn.objects.exclude(status=ReturnStatus.DRAFT)
                     .select_related("care_home", "indicator_set").order_by("pk"))
    for monthly_return in submitted[::40]:
        indicators = monthly_return.indicator_set.indicators.all()
        check = check_return(indicators, monthly_return.values,
                             history=history_for(monthly_return.care_home, monthly_return.month))
        assert check.errors == {}, monthly_return
        # Every warning carries the reason a manager would have given.
        assert set(check.warnings) <= set(monthly_return.confirmations)
        assert monthly_return.versions.get(number=monthly_return.version_count).values == (
            monthly_return.values)
    for draft in MonthlyReturn.objects.filter(status=ReturnStatus.DRAFT):
        assert check_return(draft.indicator_set.indicators.all(), draft.values,
                            complete=False).errors == {}


def test_the_values_are_plausible(demo):
    steady = MonthlyReturn.objects.filter(month__lt=dt.date(2025, 11, 1)).exclude(
        status=ReturnStatus.DRAFT)
    occupancy = [r.values["beds_occupied"] / r.values["beds_registered"] for r in steady]
    assert 0.85 <= statistics.mean(occupancy) <= 0.97
    assert 0.2 <= falls_per_bed(steady) <= 0.4
    for r in steady[:200]:
        funded = sum(r.values[k] for k in ("occupied_council", "occupied_nhs_chc", "occupied_joint",
                                           "occupied_self_funded", "occupied_other"))
        assert funded == r.values["beds_occupied"]


def test_the_deteriorating_homes_have_many_more_falls_per_bed_lately(demo):
    ids = re.findall(r"\((1-\d+)\)", demo.split("Getting worse over the last months:")[1])
    assert len(ids) == 5
    for home in CareHome.objects.filter(cqc_location_id__in=ids):
        returns = list(MonthlyReturn.objects.filter(care_home=home).exclude(
            status=ReturnStatus.DRAFT).order_by("month"))
        assert len(returns) == 24  # they have returned the latest month too
        first_year, last_three = returns[:12], returns[-3:]
        assert falls_per_bed(last_three) > 1.8 * falls_per_bed(first_year), home
        assert (statistics.mean(r.values["agency_hours_percent"] for r in last_three)
                > statistics.mean(r.values["agency_hours_percent"] for r in first_year) + 10)
        assert (statistics.mean(r.values["beds_occupied"] for r in last_three)
                < statistics.mean(r.values["beds_occupied"] for r in first_year))
    others = MonthlyReturn.objects.exclude(care_home__cqc_location_id__in=ids).exclude(
        status=ReturnStatus.DRAFT)
    recent = others.filter(month__gte=dt.date(2026, 8, 1))
    assert falls_per_bed(recent) < 1.3 * falls_per_bed(others.filter(month__lt=dt.date(2025, 11, 1)))


def test_the_demo_manager_has_a_return_to_do_this_month(demo):
    manager = User.objects.get(email="manager@demo.portal.nhs.uk")
    homes = access.restrict(CareHome.objects.all(), manager, access.Action.SUBMIT_RETURN)
    submitted = MonthlyReturn.objects.filter(month=LAST_MONTH, care_home__in=homes).exclude(
        status=ReturnStatus.DRAFT)
    to_do = homes.exclude(pk__in=submitted.values("care_home"))
    assert to_do.exists()
    assert f"The demo manager has a return to do: {to_do.first().name}, October 2026." in demo

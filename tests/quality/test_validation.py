"""The monthly return's rules, as every way in (form, upload, API) applies them."""

from decimal import Decimal

import pytest

from quality.models import Indicator
from quality.services import indicator_set_current
from quality.validation import check_return
from tests.quality.factories import good_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators():
    return list(indicator_set_current().indicators.all())


def test_a_complete_plausible_return_passes(indicators):
    check = check_return(indicators, good_values())
    assert check.errors == {} and check.warnings == {}
    assert check.cleaned["beds_occupied"] == 36
    assert check.cleaned["agency_hours_percent"] == Decimal("7.5")


@pytest.mark.parametrize(("overrides", "key", "message"), [
    ({"beds_occupied": 41}, "beds_occupied",
     "Occupied beds must be no more than registered beds (40)"),
    ({"falls": 2, "falls_with_injury": 3}, "falls_with_injury",
     "Falls with injury must be no more than falls (2)"),
    ({"deaths_preferred_place": 4}, "deaths_preferred_place",
     "Deaths in the person's preferred place must be no more than all deaths (3)"),
    ({"agency_hours_percent": "120"}, "agency_hours_percent",
     "Agency and bank hours as a share of all care hours must be a percentage from 0 to 100"),
    ({"falls": "2.5"}, "falls", "Falls must be a whole number, like 3"),
    ({"falls": "-1"}, "falls", "Falls must be 0 or more"),
    ({"falls": "lots"}, "falls", "Falls must be a number"),
    ({"falls": ""}, "falls", "Enter falls"),
    ({"utis": None}, "utis", "Enter urinary tract infections (UTIs)"),
    ({"occupied_council": 0}, "occupied_council",
     "Occupied beds by funding add up to 18, but occupied beds is 36: they must be the same"),
    ({"beds_vacant_available": 10}, "beds_vacant_available",
     "Occupied and vacant beds add up to 47, which is more than the 40 registered beds"),
])
def test_hard_errors_name_the_field_and_why(indicators, overrides, key, message):
    check = check_return(indicators, good_values(**overrides))
    assert check.errors[key] == message


def test_unknown_keys_are_errors_not_silently_dropped(indicators):
    check = check_return(indicators, good_values(fallz=3))
    assert "not a question" in check.errors["fallz"]


def test_percentages_accept_a_percent_sign_and_counts_thousands_separators(indicators):
    check = check_return(indicators, good_values(sickness_percent="4.5%", beds_registered="1,040",
                                                 beds_vacant_available=1003))
    assert check.cleaned["sickness_percent"] == Decimal("4.5")
    assert check.cleaned["beds_registered"] == 1040


def test_a_draft_checks_only_what_is_given(indicators):
    check = check_return(indicators, {"falls": "3", "beds_occupied": "99"}, complete=False)
    assert check.ok  # occupied > registered is not checked until submission
    assert check_return(indicators, {"falls": "x"}, complete=False).errors == {
        "falls": "Falls must be a number"}


def test_a_spike_against_the_six_month_median_is_a_warning(indicators):
    history = [good_values(falls=f) for f in (4, 5, 6, 5, 4, 6)]
    check = check_return(indicators, good_values(falls=19), history=history)
    assert check.ok
    assert "more than 3 times the home's median of 5" in check.warnings["falls"]
    assert check.unconfirmed({"falls": "  "}) == check.warnings
    assert check.unconfirmed({"falls": "Norovirus outbreak: several residents fell"}) == {}
    assert check_return(indicators, good_values(falls=15), history=history).warnings == {}


def test_a_spike_needs_three_months_of_history(indicators):
    check = check_return(indicators, good_values(falls=30), history=[good_values(falls=1)] * 2)
    assert "falls" not in check.warnings


def test_occupancy_falling_by_more_than_a_quarter_is_a_warning(indicators):
    history = [good_values(occupied=36)]
    values = good_values(occupied=26, occupied_self_funded=26 - 13 - 6, beds_vacant_available=13)
    check = check_return(indicators, values, history=history)
    assert check.ok, check.errors
    assert "fell from 36 to 26" in check.warnings["beds_occupied"]
    kept = good_values(occupied=28, occupied_self_funded=28 - 14 - 6, beds_vacant_available=11)
    assert "beds_occupied" not in check_return(indicators, kept, history=history).warnings


def test_rules_follow_the_indicators_of_the_version(indicators):
    """A version without the falls questions has no falls rules."""
    fewer = [i for i in indicators if i.key not in ("falls", "falls_with_injury")]
    values = {k: v for k, v in good_values().items() if k not in ("falls", "falls_with_injury")}
    assert check_return(fewer, values).ok
    bounded = Indicator(key="falls", label="Falls", kind="count", minimum=0, maximum=10)
    assert check_return([bounded], {"falls": 11}).errors["falls"] == "Falls must be 10 or less"


def test_free_text_is_kept_without_control_characters(indicators):
    check = check_return(indicators, good_values(issues_for_commissioners="GP round\x00 missed"))
    assert check.cleaned["issues_for_commissioners"] == "GP round missed"


def test_small_counts_are_not_called_spikes(indicators):
    history = [good_values(falls=1)] * 6
    assert "falls" not in check_return(indicators, good_values(falls=4), history=history).warnings
    assert "falls" in check_return(indicators, good_values(falls=5), history=history).warnings

"""The automatic flagging rules, each on ratings crafted for it (no database unless loading)."""

import datetime as dt
from decimal import Decimal

import pytest

from carehomes.choices import CqcRatingValue
from jig import flagging
from jig.flagging import HomeFacts, LatestRatingRule, RatingFacts

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def spc(*labels: str) -> dict:
    display = f"{len(labels)} of 6 series" + (f": {', '.join(labels)}" if labels else "")
    return {"code": "spc_signals", "value": len(labels), "display": display, "band": "none"}


def rating(month, rag, score, *components) -> RatingFacts:
    return RatingFacts(month, rag, Decimal(score), {c["code"]: c for c in components})


def reasons(current, previous, loaded=None, rules=flagging.RULES) -> dict[str, str]:
    found = flagging.reasons_for(HomeFacts(1, current, previous), loaded or {}, rules)
    return {r["code"]: r["reason"] for r in found}


def test_turning_red_from_amber_is_flagged_with_both_scores():
    found = reasons(rating(APRIL, "red", "55"), rating(MARCH, "amber", "40"))
    assert set(found) == {"turned_red"}
    assert found["turned_red"] == "Turned red: score 55 in April 2026, up from amber (40) in March 2026."


def test_staying_red_is_not_turning_red():
    assert "turned_red" not in reasons(rating(APRIL, "red", "70"), rating(MARCH, "red", "60"))


def test_red_with_no_earlier_rating_is_flagged():
    found = reasons(rating(APRIL, "red", "52.5"), None)
    assert "no rating at the last meeting's month" in found["turned_red"]


@pytest.mark.parametrize(("before", "after", "expected"), [
    ("green", "red", {"turned_red", "moved_two_bands"}),
    ("red", "green", {"moved_two_bands"}),
    ("green", "amber", set()),
    ("amber", "green", set()),
    ("amber", "amber", set()),
])
def test_moving_two_bands_either_way_is_flagged(before, after, expected):
    assert set(reasons(rating(APRIL, after, "30"), rating(MARCH, before, "30"))) == expected


def test_a_sudden_improvement_says_to_check_the_data():
    found = reasons(rating(APRIL, "green", "10"), rating(MARCH, "red", "60"))
    assert found["moved_two_bands"].startswith(
        "Moved 2 bands better, from red (60) in March 2026 to green (10)")
    assert "check the data behind it" in found["moved_two_bands"]


def test_a_new_special_cause_signal_is_flagged_by_series():
    found = reasons(rating(APRIL, "amber", "30", spc("ambulance call-outs", "a&e attendances")),
                    rating(MARCH, "amber", "30", spc("ambulance call-outs")))
    assert found == {"new_spc_signal": "New special cause variation of concern on a&e attendances "
                                       "(not signalled in March 2026)."}


def test_the_same_signals_as_last_time_are_not_new():
    signals = spc("falls-related call-outs")
    assert reasons(rating(APRIL, "amber", "30", signals), rating(MARCH, "amber", "30", signals)) == {}


def test_fewer_signals_than_before_are_not_new():
    assert reasons(rating(APRIL, "green", "5", spc("emergency admissions")),
                   rating(MARCH, "green", "5", spc("emergency admissions", "ambulance call-outs"))) == {}


def test_a_signal_with_no_earlier_rating_is_new():
    assert "new_spc_signal" in reasons(rating(APRIL, "green", "5", spc("emergency admissions")), None)


def test_series_codes_stored_on_the_component_are_used_when_present():
    now = {"code": "spc_signals", "value": 2, "series": ["callouts", "bed_days"]}
    then = {"code": "spc_signals", "value": 1, "series": ["callouts"]}
    found = reasons(rating(APRIL, "green", "5", now), rating(MARCH, "green", "5", then))
    assert "hospital bed days (by admission month)" in found["new_spc_signal"]


def test_unreadable_signals_fall_back_to_the_count():
    now = {"code": "spc_signals", "value": 2, "display": "2 series"}
    then = {"code": "spc_signals", "value": 1, "display": "1 series"}
    found = reasons(rating(APRIL, "green", "5", now), rating(MARCH, "green", "5", then))
    assert found["new_spc_signal"] == ("More monthly series show special cause variation of concern: 2 in "
                                       "April 2026, 1 before.")


def test_cqc_inadequate_is_flagged_with_its_date():
    loaded = {"cqc_inadequate": {1: ("inadequate", "Inadequate", dt.date(2026, 2, 3))}}
    found = reasons(rating(APRIL, "green", "5"), rating(MARCH, "green", "5"), loaded)
    assert found == {
        "cqc_inadequate": "CQC's latest overall rating is Inadequate, published 3 February 2026."}


def test_cqc_requires_improvement_is_not_flagged_and_no_rating_is_needed():
    loaded = {"cqc_inadequate": {1: ("requires_improvement", "Requires improvement", None)}}
    assert reasons(None, None, loaded) == {}
    loaded = {"cqc_inadequate": {1: ("inadequate", "Inadequate", None)}}
    assert reasons(None, None, loaded) == {"cqc_inadequate": "CQC's latest overall rating is Inadequate."}


def test_another_published_rating_is_one_more_rule():
    def made_up_ratings(home_ids):
        return {pk: ("inadequate", "Inadequate", dt.date(2026, 3, 9)) for pk in home_ids}

    healthwatch = LatestRatingRule("healthwatch", "Healthwatch's latest enter and view rating",
                                   frozenset({"inadequate"}), load_ratings=made_up_ratings)
    flagged = flagging.homes_to_flag([7, 8], {}, {}, rules=[*flagging.RULES[:3], healthwatch])
    assert flagged[7] == [{"code": "healthwatch",
                           "reason": "Healthwatch's latest enter and view rating is Inadequate, published "
                                     "9 March 2026."}]


@pytest.mark.django_db
def test_a_home_whose_latest_published_visit_rated_it_poor_is_flagged(area):
    from quality.choices import Rating, VisitStatus
    from tests.quality.visits.factories import VisitFactory

    def published(home, on, rating):
        VisitFactory(care_home=home, status=VisitStatus.PUBLISHED, planned_on=on, started_on=on,
                     shared_on=on, comments_close_on=on + dt.timedelta(days=14),
                     published_on=on + dt.timedelta(days=20), published_rating=rating)

    published(area.home, dt.date(2025, 6, 1), Rating.GOOD)
    published(area.home, dt.date(2026, 2, 1), Rating.POOR)  # the latest
    published(area.second_home, dt.date(2025, 6, 1), Rating.POOR)
    published(area.second_home, dt.date(2026, 2, 1), Rating.REQUIRES_IMPROVEMENT)  # since improved
    flagged = flagging.homes_to_flag([area.home.pk, area.second_home.pk, area.other_home.pk], {}, {})
    assert flagged == {area.home.pk: [{
        "code": "visit_poor",
        "reason": ("The latest published quality monitoring visit rating is Poor, "
                   "published 21 February 2026.")}]}


@pytest.mark.django_db
def test_cqc_ratings_are_loaded_from_the_registry_for_every_home_at_once(django_assert_num_queries):
    from tests.carehomes.factories import CareHomeFactory

    bad = CareHomeFactory(cqc_overall_rating=CqcRatingValue.INADEQUATE,
                          cqc_rating_published_on=dt.date(2026, 1, 5))
    good = CareHomeFactory(cqc_overall_rating=CqcRatingValue.GOOD)
    unrated = CareHomeFactory(cqc_overall_rating="")
    with django_assert_num_queries(2):  # the registry's ratings, and the visits'
        flagged = flagging.homes_to_flag([bad.pk, good.pk, unrated.pk], {}, {})
    assert list(flagged) == [bad.pk]
    assert flagged[bad.pk][0]["code"] == "cqc_inadequate"


def test_every_rule_that_holds_is_given_in_order():
    loaded = {"cqc_inadequate": {1: ("inadequate", "Inadequate", None)}}
    found = flagging.reasons_for(HomeFacts(1, rating(APRIL, "red", "80", spc("ambulance call-outs")),
                                           rating(MARCH, "green", "10", spc())), loaded)
    assert [r["code"] for r in found] == ["turned_red", "moved_two_bands", "new_spc_signal", "cqc_inadequate"]

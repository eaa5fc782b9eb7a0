"""Monthly feed series per home, counted in UK months, and the fast SPC check on them."""

import datetime as dt
import random

import pytest

from jig import spc
from jig.feeds.codes import HospitalKind, Outcome
from jig.series import SERIES, concern_in_last, monthly_counts
from tests.jig.factories import (
    AmbulanceIncidentFactory,
    FeedBatchFactory,
    HospitalActivityFactory,
    HospitalBatchFactory,
)

UTC = dt.UTC


@pytest.mark.django_db
def test_an_incident_late_on_31_march_utc_counts_in_april_uk_time(area, django_assert_num_queries):
    batch = FeedBatchFactory()
    home = area.home
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April: April's.
    AmbulanceIncidentFactory(batch=batch, care_home=home,
                             called_at=dt.datetime(2025, 3, 31, 23, 30, tzinfo=UTC))
    # 23:30 UTC on 31 January is 23:30 GMT: still January.
    AmbulanceIncidentFactory(batch=batch, care_home=home,
                             called_at=dt.datetime(2025, 1, 31, 23, 30, tzinfo=UTC),
                             outcome=Outcome.SEE_AND_CONVEY, is_fall=True)
    # 23:30 UTC on 28 February 2025 is still February (GMT), so it counts.
    AmbulanceIncidentFactory(batch=batch, care_home=home,
                             called_at=dt.datetime(2025, 2, 28, 23, 30, tzinfo=UTC))
    # Unmatched records are left out.
    AmbulanceIncidentFactory(batch=batch, care_home=None, called_at=dt.datetime(2025, 2, 10, tzinfo=UTC))
    with django_assert_num_queries(2):
        counts = monthly_counts(dt.date(2025, 1, 1), dt.date(2025, 4, 1), [home.pk, area.other_home.pk])
    assert counts[home.pk]["callouts"] == [1, 1, 0, 1]
    assert counts[home.pk]["conveyed"] == [1, 0, 0, 0]
    assert counts[home.pk]["falls_callouts"] == [1, 0, 0, 0]
    assert counts[area.other_home.pk] == {code: [0, 0, 0, 0] for code in SERIES}


@pytest.mark.django_db
def test_hospital_series_count_emergency_admissions_attendances_and_bed_days(area):
    batch = HospitalBatchFactory()
    home = area.home
    march = dt.datetime(2025, 3, 10, 12, tzinfo=UTC)
    HospitalActivityFactory(batch=batch, care_home=home, arrived_at=march, admission=True, bed_days=4)
    HospitalActivityFactory(batch=batch, care_home=home, arrived_at=march, kind=HospitalKind.ADMISSION,
                            admission_method="11", is_emergency=False, bed_days=2)
    HospitalActivityFactory(batch=batch, care_home=home, arrived_at=march)
    HospitalActivityFactory(batch=batch, care_home=home, arrived_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
    counts = monthly_counts(dt.date(2025, 1, 1), dt.date(2025, 3, 1))
    assert set(counts) == {home.pk}  # without home IDs: only homes with events
    assert counts[home.pk]["emergency_admissions"] == [0, 0, 1]
    assert counts[home.pk]["ae_attendances"] == [1, 0, 1]
    assert counts[home.pk]["bed_days"] == [0, 0, 6]  # every admission's bed days, elective too
    assert counts[home.pk]["callouts"] == [0, 0, 0]


@pytest.mark.django_db
def test_no_homes_asked_for_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert monthly_counts(dt.date(2025, 1, 1), dt.date(2025, 3, 1), []) == {}


MONTHS = [dt.date(2023 + n // 12, n % 12 + 1, 1) for n in range(24)]


def _xmr_concern(values) -> bool:
    return spc.xmr(zip(MONTHS[:len(values)], values, strict=False),
                   direction=spc.Direction.LOWER_IS_BETTER).has_concern_in_last(3)


@pytest.mark.parametrize(("values", "expected"), [
    ([0] * 21 + [4, 4, 4], True),  # above the upper limit (mean 0.5, MR̄ 4/23, UCL 0.96)
    ([0] * 24, False),  # nothing at all: no signal
    ([3] * 24, False),  # constant: every point on the centre line
    ([2, 4] * 12, False),  # alternating: common cause
    ([5, 1] * 9 + [1, 2, 3, 4, 5, 6], True),  # a rising trend of six in the window
    ([5, 1] * 9 + [6, 5, 4, 3, 2, 1], False),  # a falling trend is improvement, not concern
])
def test_concern_in_last_agrees_with_xmr_on_crafted_series(values, expected):
    assert concern_in_last(values, 3) is expected
    assert _xmr_concern(values) is expected


def test_concern_in_last_agrees_with_xmr_on_many_random_series():
    rng = random.Random(20250401)
    cases = [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(24)] for _ in range(1500)]
    cases += [[max(0, round(rng.gauss(5 + 2 * (n > 15), 2))) for n in range(24)] for _ in range(1500)]
    cases += [sorted(rng.choices(range(6), k=24)) for _ in range(300)]
    assert [concern_in_last(v, 3) for v in cases] == [_xmr_concern(v) for v in cases]


def test_concern_in_last_falls_back_to_xmr_for_short_series_and_gaps():
    short = [0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6]  # a run chart: a trend of six rising points
    assert concern_in_last(short, 3) is True
    gappy = [1, None] * 12
    assert concern_in_last(gappy, 3) is _xmr_concern(gappy)


@pytest.mark.parametrize("periods", [1, 2, 3, 4, 5, 6, 8])
def test_concern_in_last_agrees_with_xmr_for_any_number_of_last_points(periods):
    """The quick answers (rule 1 at once; no rule possible) are held to the rules for every
    window, for whole numbers and fractions, long and short series."""
    rng = random.Random(f"periods {periods}")
    cases = [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(rng.choice([13, 18, 24, 30]))]
             for _ in range(800)]
    cases += [[max(0, round(rng.gauss(5 + 3 * (n > 16), 2))) for n in range(24)] for _ in range(800)]
    cases += [[rng.random() * 10 for _ in range(24)] for _ in range(300)]
    cases += [sorted(rng.choices(range(8), k=24))[::rng.choice([1, -1])] for _ in range(200)]
    for values in cases:
        months = [dt.date(2000 + i // 12, i % 12 + 1, 1) for i in range(len(values))]
        expected = spc.xmr(zip(months, values, strict=True),
                           direction=spc.Direction.LOWER_IS_BETTER).has_concern_in_last(periods)
        assert concern_in_last(values, periods) is expected, values

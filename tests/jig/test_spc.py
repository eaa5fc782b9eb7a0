"""XmR charts as "Making Data Count" draws them, checked against arithmetic done by hand."""

import datetime as dt

import pytest

from jig import spc
from jig.spc import Assurance, Band, ChartKind, Direction, Rule, Side, Variation, VariationIcon

MONTHS = [dt.date(2024 + n // 12, n % 12 + 1, 1) for n in range(48)]

# The steady series used throughout: 23, 20, 17, 20 repeated, 15 values.
#   sum = 4 × 23 + 7 × 20 + 4 × 17 = 92 + 140 + 68 = 300, so the mean is 300 / 15 = 20
#   every moving range is |±3| = 3, 14 of them: MR̄ = 42 / 14 = 3
#   2.66 × 3 = 7.98: process limits 20 ± 7.98 = 12.02 and 27.98
#   two-sigma lines: 2/3 × 7.98 = 5.32, so 14.68 and 25.32
STEADY = [23, 20, 17, 20, 23, 20, 17, 20, 23, 20, 17, 20, 23, 20, 17]


def series(values):
    return list(zip(MONTHS, values, strict=False))


def flagged(result, rule):
    return set(result.triggered_by(rule))


def all_flagged(result):
    return {i for i, p in enumerate(result.points) if p.rules}


# Limits

def test_limits_on_a_steady_series_match_the_hand_arithmetic():
    result = spc.xmr(series(STEADY))
    assert result.kind == ChartKind.XMR
    assert result.mean == pytest.approx(20)
    assert result.mean_moving_range == pytest.approx(3)
    assert result.limits == Band(pytest.approx(12.02), pytest.approx(27.98))
    assert result.sigma_lines == Band(pytest.approx(14.68), pytest.approx(25.32))
    assert [p.moving_range for p in result.points] == [None] + [3] * 14
    assert all_flagged(result) == set()
    assert result.icon == VariationIcon.COMMON_CAUSE
    assert result.icon_colour == "#7b7d7d"


def test_a_measure_that_cannot_be_negative_has_its_lower_lines_floored_at_zero():
    # 1, 5 alternating, 14 values: mean 42 / 14 = 3; 13 moving ranges of 4, MR̄ = 4
    # 2.66 × 4 = 10.64: limits 3 − 10.64 = −7.64 and 13.64; two sigma ± 7.0933: −4.0933 and 10.0933
    values = [1, 5] * 7
    free = spc.xmr(series(values))
    assert free.limits == Band(pytest.approx(-7.64), pytest.approx(13.64))
    assert free.sigma_lines.lower == pytest.approx(-4.09333, abs=1e-4)
    floored = spc.xmr(series(values), cannot_be_negative=True)
    assert floored.limits == Band(0, pytest.approx(13.64))
    assert floored.sigma_lines == Band(0, pytest.approx(10.09333, abs=1e-4))


# Rule 1: a point outside the limits

def test_a_point_beyond_the_upper_limit_is_special_cause():
    # STEADY with index 7 (a 20) raised to 35: sum 315, mean 21
    # moving ranges: the 17→20 and 20→23 around index 7 (3 + 3) become 17→35 and 35→23 (18 + 12)
    #   total 42 − 6 + 30 = 66, MR̄ = 66 / 14 = 4.714; 2.66 × 66 / 14 = 12.54
    #   upper limit 21 + 12.54 = 33.54 < 35; upper two sigma 21 + 8.36 = 29.36 (only 35 beyond)
    values = STEADY[:7] + [35] + STEADY[8:]
    result = spc.xmr(series(values))
    assert result.mean == pytest.approx(21)
    assert result.limits.upper == pytest.approx(33.54)
    assert flagged(result, Rule.OUTSIDE_LIMITS) == {7}
    assert result.points[7].signals == (spc.Signal(Rule.OUTSIDE_LIMITS, Side.HIGH),)
    assert all_flagged(result) == {7}


@pytest.mark.parametrize(("value", "outside"), [
    (27.98, False),  # exactly on the upper limit 20 + 2.66 × 3: on the line is not beyond it
    (27.99, True),
    (12.02, False),  # exactly on the lower limit
    (12.01, True),
])
def test_a_point_exactly_on_a_limit_is_not_outside_it(value, outside):
    # The baseline keeps the limits at STEADY's 12.02 and 27.98 whatever the 16th value is.
    result = spc.xmr(series([*STEADY, value]), baseline=15)
    assert (flagged(result, Rule.OUTSIDE_LIMITS) == {15}) is outside
    assert not flagged(result, Rule.OUTSIDE_LIMITS) - {15}


# Rule 2: a shift

def test_six_points_above_the_mean_are_a_shift():
    # 23 20 17 20 23 20 17 20 | 21 22 21 22 21 22 | 17
    #   sum 160 + 129 + 17 = 306, mean 20.4: indexes 8–13 are six in a row above it
    #   moving ranges 7 × 3 + 6 × 1 + 5 = 32, MR̄ = 2.2857; two sigma 20.4 ± 4.053 (23 is within)
    values = [23, 20, 17, 20, 23, 20, 17, 20, 21, 22, 21, 22, 21, 22, 17]
    result = spc.xmr(series(values))
    assert result.mean == pytest.approx(20.4)
    assert flagged(result, Rule.SHIFT) == {8, 9, 10, 11, 12, 13}
    assert {s.side for i in range(8, 14) for s in result.points[i].signals} == {Side.HIGH}
    assert all_flagged(result) == {8, 9, 10, 11, 12, 13}


def test_five_points_above_the_mean_are_not_a_shift():
    # As above with index 13 lowered to 19: sum 303, mean 20.2; only indexes 8–12 are above
    #   moving ranges 7 × 3 + 5 × 1 + 2 + 2 = 30, MR̄ = 30 / 14; 2.66 × 30 / 14 = 5.7
    #   two sigma 20.2 ± 3.8 = 16.4 and 24.0, so no point is beyond either
    values = [23, 20, 17, 20, 23, 20, 17, 20, 21, 22, 21, 22, 21, 19, 17]
    result = spc.xmr(series(values))
    assert result.mean == pytest.approx(20.2)
    assert result.limits.upper == pytest.approx(20.2 + 5.7)
    assert all_flagged(result) == set()


@pytest.mark.parametrize(("values", "high", "low"), [
    ([21] * 6, {0, 1, 2, 3, 4, 5}, set()),
    ([19] * 7, set(), {0, 1, 2, 3, 4, 5, 6}),
    ([21, 21, 21, 20, 21, 21, 21], set(), set()),  # a point on the mean breaks the run
    ([21, 21, 21, 19, 21, 21, 21], set(), set()),
    ([21, 21, 21, None, 21, 21, 21], {0, 1, 2, 4, 5, 6}, set()),  # a gap neither breaks nor counts
    ([21, 21, None, None, 21, 21, 21], set(), set()),
])
def test_shift_rule(values, high, low):
    assert spc.shift_points(values, centre=20) == spc.Triggered(frozenset(high), frozenset(low))


# Rule 3: a trend

def test_six_points_rising_are_a_trend():
    # 20 23 20 23 20 | 17 18 19 20 21 22 | 20 23 20 17
    #   sum 106 + 117 + 80 = 303, mean 20.2: the longest run on one side is indexes 4–8 (five below)
    #   moving ranges 5 × 3 + 5 × 1 + 2 + 3 × 3 = 31, MR̄ = 2.214; two sigma 20.2 ± 3.927
    values = [20, 23, 20, 23, 20, 17, 18, 19, 20, 21, 22, 20, 23, 20, 17]
    result = spc.xmr(series(values))
    assert result.mean == pytest.approx(20.2)
    assert result.mean_moving_range == pytest.approx(31 / 14)
    assert flagged(result, Rule.TREND) == {5, 6, 7, 8, 9, 10}
    assert all_flagged(result) == {5, 6, 7, 8, 9, 10}
    assert result.points[5].signals == (spc.Signal(Rule.TREND, Side.HIGH),)


def test_five_points_rising_then_an_equal_value_are_not_a_trend():
    # As above with index 10 = 21, equal to index 9: 17 18 19 20 21 21 is five rises then a tie
    #   sum 302, mean 20.133; moving ranges 31 − 1 − 1 = 29, MR̄ = 2.071; two sigma ± 3.673
    values = [20, 23, 20, 23, 20, 17, 18, 19, 20, 21, 21, 20, 23, 20, 17]
    result = spc.xmr(series(values))
    assert result.mean == pytest.approx(302 / 15)
    assert all_flagged(result) == set()


@pytest.mark.parametrize(("values", "high", "low"), [
    ([1, 2, 3, 4, 5, 6], {0, 1, 2, 3, 4, 5}, set()),
    ([6, 5, 4, 3, 2, 1, 0], set(), {0, 1, 2, 3, 4, 5, 6}),
    ([1, 2, 3, 4, 5], set(), set()),  # five points: four rises
    ([1, 2, 3, 3, 4, 5, 6], set(), set()),  # an equal value breaks the trend
    ([1, 2, 3, None, 4, 5, 6], {0, 1, 2, 4, 5, 6}, set()),  # a gap neither breaks nor counts
    ([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1], {0, 1, 2, 3, 4, 5}, {5, 6, 7, 8, 9, 10}),  # the peak is in both
])
def test_trend_rule(values, high, low):
    assert spc.trend_points(values) == spc.Triggered(frozenset(high), frozenset(low))


# Rule 4: two of three beyond the two-sigma line

@pytest.mark.parametrize(("extra", "flagged_points"), [
    ([26, 20, 26], {15, 17}),  # two of three above 25.32
    ([26, 26], {15, 16}),
    ([14, 20, 14], {15, 17}),  # two of three below 14.68
    ([26, 20, 20, 26], set()),  # one in each window of three
    ([26, 14, 20], set()),  # one beyond each line: not the same side
    ([25.32, 20, 26], set()),  # on the line is not beyond it
])
def test_two_of_three_beyond_the_two_sigma_line(extra, flagged_points):
    # Baseline limits from STEADY: two-sigma lines 14.68 and 25.32, process limits 12.02 and 27.98.
    result = spc.xmr(series(STEADY + extra), baseline=15)
    assert flagged(result, Rule.TWO_OF_THREE) == flagged_points
    assert all_flagged(result) == flagged_points


# Run charts, gaps and baselines

def test_twelve_points_make_a_run_chart_with_no_limits():
    # 12 values; median of 1 1 1 1 1 1 9 9 9 9 9 50 is (1 + 9) / 2 = 5
    # 50 would be far outside any limits, but a run chart has none; the six 9s-and-50 are a shift.
    values = [1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 50]
    result = spc.xmr(series(values), direction=Direction.HIGHER_IS_BETTER, target=3)
    assert result.kind == ChartKind.RUN
    assert "Run chart" in result.note and "at least 13" in result.note
    assert result.limits is None and result.sigma_lines is None and result.mean_moving_range is None
    assert result.centre == result.median == 5
    assert flagged(result, Rule.SHIFT) == {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert flagged(result, Rule.OUTSIDE_LIMITS) == set()
    assert flagged(result, Rule.TWO_OF_THREE) == set()
    assert result.assurance is None


def test_thirteen_points_make_an_xmr_chart_but_a_gap_does_not_count_as_one():
    assert spc.xmr(series(STEADY[:13])).kind == ChartKind.XMR
    assert spc.xmr(series([*STEADY[:12], None])).kind == ChartKind.RUN


def test_missing_values_have_no_moving_range_and_none_is_taken_across_the_gap():
    # 23 20 17 20 23 20 17 20 _ 29 20 17 20 23 20 17: 15 values, sum 306, mean 20.4
    #   moving ranges: seven of 3 before the gap (21), none across it (20 → 29 would be 9),
    #   then 9, 3, 3, 3, 3, 3 (24): 13 ranges, MR̄ = 45 / 13 = 3.4615 (54 / 14 if bridged)
    #   upper limit 20.4 + 2.66 × 45 / 13 = 29.6077, so 29 is inside
    values = [23, 20, 17, 20, 23, 20, 17, 20, None, 29, 20, 17, 20, 23, 20, 17]
    result = spc.xmr(series(values))
    assert result.kind == ChartKind.XMR
    assert result.observed_count == 15
    assert result.mean == pytest.approx(20.4)
    assert result.points[8].value is None and result.points[8].moving_range is None
    assert result.points[9].moving_range is None
    assert result.points[10].moving_range == 9
    assert result.mean_moving_range == pytest.approx(45 / 13)
    assert result.limits.upper == pytest.approx(20.4 + 2.66 * 45 / 13)
    assert not result.points[8].signals


def test_baseline_limits_come_from_the_baseline_only_and_rules_apply_to_every_point():
    # STEADY then 28.5: with a baseline of 15 the limits stay 12.02 and 27.98, so 28.5 is outside.
    # Without it: sum 328.5, mean 20.53; moving ranges 42 + 11.5 = 53.5, MR̄ 3.82;
    #   upper limit 20.53 + 2.66 × 3.82 = 30.70, so 28.5 would be inside.
    values = [*STEADY, 28.5]
    with_baseline = spc.xmr(series(values), baseline=15)
    assert with_baseline.limits == Band(pytest.approx(12.02), pytest.approx(27.98))
    assert flagged(with_baseline, Rule.OUTSIDE_LIMITS) == {15}
    assert [p.in_baseline for p in with_baseline.points] == [True] * 15 + [False]
    assert "first 15 points" in with_baseline.note
    without = spc.xmr(series(values))
    assert without.mean == pytest.approx(328.5 / 16)
    assert without.limits.upper == pytest.approx(328.5 / 16 + 2.66 * 53.5 / 15)
    assert flagged(without, Rule.OUTSIDE_LIMITS) == set()


def test_a_baseline_too_short_for_limits_gives_a_run_chart():
    assert spc.xmr(series(STEADY), baseline=12).kind == ChartKind.RUN
    with pytest.raises(ValueError, match="baseline"):
        spc.xmr(series(STEADY), baseline=0)


def test_periods_out_of_order_are_refused():
    with pytest.raises(ValueError, match="ascending"):
        spc.xmr([(MONTHS[1], 1), (MONTHS[0], 2)])


def test_an_empty_series_is_a_run_chart_with_common_cause():
    result = spc.xmr([])
    assert result.kind == ChartKind.RUN and result.mean is None and result.latest is None
    assert result.icon == VariationIcon.COMMON_CAUSE


# Icons

@pytest.mark.parametrize(("latest", "direction", "icon", "colour"), [
    (28.5, Direction.HIGHER_IS_BETTER, VariationIcon.IMPROVEMENT_HIGH, "#289de0"),
    (28.5, Direction.LOWER_IS_BETTER, VariationIcon.CONCERN_HIGH, "#fab428"),
    (28.5, Direction.NEITHER, VariationIcon.NEITHER_HIGH, "#361475"),
    (11.5, Direction.HIGHER_IS_BETTER, VariationIcon.CONCERN_LOW, "#fab428"),
    (11.5, Direction.LOWER_IS_BETTER, VariationIcon.IMPROVEMENT_LOW, "#289de0"),
    (11.5, Direction.NEITHER, VariationIcon.NEITHER_LOW, "#361475"),
    (20, Direction.HIGHER_IS_BETTER, VariationIcon.COMMON_CAUSE, "#7b7d7d"),
])
def test_the_icon_follows_the_latest_point_and_the_direction(latest, direction, icon, colour):
    # Baseline limits 12.02 and 27.98: 28.5 is above, 11.5 below, 20 on the mean.
    result = spc.xmr(series([*STEADY, 20, latest]), baseline=15, direction=direction)
    assert result.icon == icon
    assert result.icon_colour == colour
    assert result.icon.label.startswith(("Common cause", "Special cause"))


def test_an_earlier_signal_does_not_change_the_icon_of_a_common_cause_latest_point():
    result = spc.xmr(series([*STEADY, 28.5, 20]), baseline=15, direction=Direction.LOWER_IS_BETTER)
    assert result.points[15].variation == Variation.CONCERN
    assert result.icon == VariationIcon.COMMON_CAUSE
    assert result.has_concern_in_last(2) and not result.has_concern_in_last(1)


@pytest.mark.parametrize(("direction", "icon"), [
    (Direction.HIGHER_IS_BETTER, VariationIcon.CONCERN_LOW),
    (Direction.LOWER_IS_BETTER, VariationIcon.CONCERN_HIGH),
    (Direction.NEITHER, VariationIcon.NEITHER_HIGH),
])
def test_when_a_point_signals_both_ways_concern_wins(direction, icon):
    # After STEADY (baseline mean 20, two sigma 25.32): 25 24.5 24 23.5 23 22.5 are six above the
    # mean (a high shift) and six falling (a low trend), all within the two-sigma line.
    result = spc.xmr(series([*STEADY, 25, 24.5, 24, 23.5, 23, 22.5]), baseline=15, direction=direction)
    assert result.points[-1].rules == (2, 3)
    assert result.icon == icon


# Assurance

@pytest.mark.parametrize(("target", "direction", "assurance"), [
    (10, Direction.HIGHER_IS_BETTER, Assurance.PASS),  # below the lower limit 12.02
    (30, Direction.HIGHER_IS_BETTER, Assurance.FAIL),  # above the upper limit 27.98
    (20, Direction.HIGHER_IS_BETTER, Assurance.HIT_OR_MISS),
    (30, Direction.LOWER_IS_BETTER, Assurance.PASS),
    (10, Direction.LOWER_IS_BETTER, Assurance.FAIL),
    (15, Direction.LOWER_IS_BETTER, Assurance.HIT_OR_MISS),
    (27.98, Direction.LOWER_IS_BETTER, Assurance.HIT_OR_MISS),  # on the limit is not beyond it
    (30, Direction.NEITHER, None),  # no direction, no assurance
])
def test_assurance_against_a_target(target, direction, assurance):
    result = spc.xmr(series(STEADY), direction=direction, target=target)
    assert result.assurance == assurance


def test_no_target_means_no_assurance():
    assert spc.xmr(series(STEADY), direction=Direction.HIGHER_IS_BETTER).assurance is None


def test_decimals_from_the_database_are_accepted():
    from decimal import Decimal

    result = spc.xmr(series([Decimal(v) for v in STEADY]), target=Decimal("10"),
                     direction=Direction.HIGHER_IS_BETTER)
    assert result.mean == pytest.approx(20) and result.assurance == Assurance.PASS

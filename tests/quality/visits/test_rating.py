"""The rating rule on hand-scored assessments: every expected rating below is worked by hand."""

import copy
from decimal import Decimal
from fractions import Fraction

import pytest

from quality.choices import Rating
from quality.visits.rating import (
    DEFAULT_RATING_RULE,
    RatingRule,
    RatingRuleError,
    ScoredQuestion,
    StandardInput,
    assess,
    rating_rule_errors,
    to_decimal,
)

E, G, RI, P = Rating.EXCELLENT, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.POOR


def standard(code, scores, weights=None, *, weight=1, key=False, module="core"):
    weights = weights or [1] * len(scores)
    return StandardInput(code=code, weight=Decimal(str(weight)), is_key=key, module=module,
                         questions=[ScoredQuestion(Decimal(str(w)), s)
                                    for w, s in zip(weights, scores, strict=True)])


def rule(**changes) -> RatingRule:
    config = copy.deepcopy(DEFAULT_RATING_RULE)
    for path, value in changes.items():
        section, _, key = path.partition("__")
        if key:
            config[section][key] = value
        else:
            config[section] = value
    return RatingRule.from_config(config)


def five_standards(s3_scores=(3, 2), s4_scores=(2, 1)):
    return [
        standard("1", [4, 3, 3]),  # 10/3 = 3.33 → Good
        standard("2", [4, 4]),  # 4 → Excellent
        standard("3", list(s3_scores), [2, 1], weight=2, key=True),  # (6 + 2)/3 = 2.67 → Good
        standard("4", list(s4_scores)),  # 1.5 → Requires improvement (the lowest mean for it)
        standard("5", [4, None]),  # not assessed is left out: 4 → Excellent
    ]


def test_each_standard_is_the_banded_weighted_mean_of_its_scored_questions():
    result = assess(rule(), five_standards())
    assert {code: r.rating for code, r in result.standards.items()} == {
        "1": G, "2": E, "3": G, "4": RI, "5": E}
    assert result.standards["1"].mean == Fraction(10, 3)
    assert result.standards["3"].mean == Fraction(8, 3)
    assert result.standards["5"].scored == 1 and result.standards["5"].questions == 2
    assert to_decimal(result.standards["1"].mean) == Decimal("3.33")


def test_the_overall_rating_is_the_weighted_mean_of_the_standards_ratings():
    # Points 3, 4, 3 (weight 2), 2, 4: (3 + 4 + 6 + 2 + 4) / 6 = 19/6 = 3.17 → Good.
    result = assess(rule(), five_standards())
    assert result.overall.mean == Fraction(19, 6)
    assert result.overall.rating == G and result.overall.caps_applied == []
    assert result.overall.standards_rated == 5


def test_a_poor_key_standard_caps_the_overall_rating_at_requires_improvement():
    # Standard 3 (key) scores 1, 1 → Poor. Points (3 + 4 + 2×1 + 2 + 4)/6 = 2.5 → Good, capped.
    result = assess(rule(), five_standards(s3_scores=(1, 1)))
    assert result.standards["3"].rating == P
    assert result.overall.mean == Fraction(5, 2) and result.overall.banded == G
    assert result.overall.rating == RI
    assert result.overall.caps_applied == [
        "Rated Requires improvement at most: standard 3 is rated Poor (key standard)."]


def test_a_poor_standard_that_is_not_key_does_not_cap():
    # Standard 4 scores 1, 1 → Poor. (3 + 4 + 6 + 1 + 4)/6 = 3.0 → Good.
    result = assess(rule(), five_standards(s4_scores=(1, 1)))
    assert result.standards["4"].rating == P
    assert result.overall.rating == G and result.overall.caps_applied == []


def test_a_cap_never_raises_a_rating():
    standards = [standard("1", [1, 1], key=True), standard("2", [1, 2])]
    result = assess(rule(), standards)
    # Standard 2: (1 + 2)/2 = 1.5 → Requires improvement; overall (1 + 2)/2 = 1.5 → RI, cap RI: stays.
    assert result.standards["2"].rating == RI
    assert result.overall.rating == RI and result.overall.caps_applied == []
    result = assess(rule(), [standard("1", [1, 1], key=True), standard("2", [1])])
    assert result.overall.rating == P and result.overall.caps_applied == []


def test_band_edges_are_inclusive_and_exact():
    r = rule()
    assert assess(r, [standard("1", [3, 2])]).standards["1"].rating == G  # 2.5 exactly
    assert assess(r, [standard("1", [3, 2, 2])]).standards["1"].rating == RI  # 2.33
    assert assess(r, [standard("1", [4, 3])]).standards["1"].rating == E  # 3.5 exactly
    # Decimal weights are exact: 0.7 × 3 + 0.3 × 1 = 2.4 → RI; 0.5 × 3 + 0.5 × 2 = 2.5 → Good.
    assert assess(r, [standard("1", [3, 1], ["0.7", "0.3"])]).standards["1"].rating == RI
    assert assess(r, [standard("1", [3, 2], ["0.5", "0.5"])]).standards["1"].rating == G


def test_overall_from_scores_differs_from_overall_from_ratings():
    standards = [standard("1", [4, 4, 4, 3]), standard("2", [3, 2])]  # 3.75 → Excellent, 2.5 → Good
    assert assess(rule(), standards).overall.rating == E  # (4 + 3)/2 = 3.5
    by_scores = assess(rule(overall__uses="scores"), standards)
    assert by_scores.overall.mean == Fraction(25, 8) and by_scores.overall.rating == G  # (3.75 + 2.5)/2


def test_bands_minimum_and_caps_are_configurable_per_version():
    standards = five_standards()
    stricter = rule(overall__bands={"excellent": 3.8, "good": 3.2, "requires_improvement": 2.0})
    assert assess(stricter, standards).overall.rating == RI  # 3.17 is below 3.2
    two_needed = rule(standard__min_scored_questions=2)
    assert assess(two_needed, standards).standards["5"].rating is None  # only one question scored
    any_poor = rule(overall__caps=[{"standards": "any", "rated": "requires_improvement", "cap": "good"}])
    result = assess(any_poor, [standard("1", [4, 4]), standard("2", [4, 4]), standard("3", [2, 2])])
    assert result.overall.banded == G and result.overall.rating == G  # (4+4+2)/3 = 3.33 → Good anyway
    result = assess(any_poor, [standard("1", [4, 4]), standard("2", [4, 4]), standard("3", [4]),
                               standard("4", [4]), standard("5", [2, 2])])
    assert result.overall.banded == E and result.overall.rating == G  # 18/5 = 3.6, capped


def test_a_standard_with_nothing_scored_is_not_rated_and_not_counted():
    result = assess(rule(), [standard("1", [None, None]), standard("2", [2, 2])])
    assert result.standards["1"].rating is None
    assert result.overall.rating == RI and result.overall.standards_rated == 1
    assert assess(rule(), [standard("1", [None])]).overall.rating is None


def test_the_medicines_module_is_rated_on_its_own_and_not_in_the_overall():
    standards = [standard("1", [4, 4]), standard("3", [3, 3], key=True),
                 standard("M1", [1, 1], key=True, module="medicines"),
                 standard("M2", [2, 1], module="medicines")]
    result = assess(rule(), standards)
    assert result.overall.rating == E and result.overall.caps_applied == []  # (4 + 3)/2 = 3.5
    medicines = result.modules["medicines"]
    assert medicines.mean == Fraction(3, 2) and medicines.banded == RI  # (1 + 2)/2
    assert medicines.rating == RI  # the Poor key standard caps at RI: no change
    counted = assess(rule(overall_modules=["core", "medicines"]), standards)
    assert counted.overall.rating == RI and "medicines" not in counted.modules  # (4+3+1+2)/4 = 2.5, capped


def test_an_amended_standard_counts_with_its_amended_rating():
    result = assess(rule(), five_standards(s3_scores=(1, 1)), amended={"3": G})
    assert result.standards["3"].rating == G and result.standards["3"].amended
    assert result.overall.rating == G  # 19/6 again, and no Poor key standard to cap


def test_a_score_outside_one_to_four_is_refused():
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        assess(rule(), [standard("1", [5])])


@pytest.mark.parametrize(("config", "message"), [
    ({**DEFAULT_RATING_RULE, "colour": "red"}, "rule: unknown setting 'colour'"),
    ({**DEFAULT_RATING_RULE, "standard": {"bands": {"excellent": 2.5, "good": 3.0,
                                                    "requires_improvement": 1.5}}},
     "standard.bands: excellent (2.5) must be above good (3.0)"),
    ({**DEFAULT_RATING_RULE, "standard": {"bands": {"excellent": 3.5, "good": 2.5}}},
     "standard.bands.requires_improvement: give a number from 1 to 4"),
    ({**DEFAULT_RATING_RULE, "overall": {**DEFAULT_RATING_RULE["overall"], "caps": [
        {"standards": "key", "rated": "awful", "cap": "requires_improvement"}]}},
     "overall.caps[0].rated: 'awful' is not a rating"),
    ({**DEFAULT_RATING_RULE, "overall": {**DEFAULT_RATING_RULE["overall"], "uses": "median"}},
     'overall.uses: use "ratings" or "scores"'),
    ({**DEFAULT_RATING_RULE, "overall_modules": ["dentistry"]}, "overall_modules: give a list of modules"),
    ({**DEFAULT_RATING_RULE, "standard": {**DEFAULT_RATING_RULE["standard"], "min_scored_questions": 0}},
     "standard.min_scored_questions: give a whole number of at least 1"),
    ([], "must be a JSON object"),
])
def test_a_rule_with_mistakes_is_refused_with_a_clear_reason(config, message):
    errors = rating_rule_errors(config)
    assert any(message in e for e in errors), errors
    with pytest.raises(RatingRuleError) as refused:
        RatingRule.from_config(config)
    assert message in str(refused.value)


def test_the_default_rule_is_valid_and_explains_itself():
    assert rating_rule_errors(DEFAULT_RATING_RULE) == []
    lines = rule().describe()
    assert "Good from 2.5" in lines[1]
    assert "The rating is at most Requires improvement when a key standard is rated Poor." in lines

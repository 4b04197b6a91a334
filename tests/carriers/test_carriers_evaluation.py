"""The evaluation rules (carriers/evaluation.py), without the database."""

from decimal import Decimal as D

import pytest

from kechuang.carriers.enums import Consequence, Grade
from kechuang.carriers.evaluation import Weighting, consequence, grade, ranks, score

W = [Weighting("a", D("60"), D("40")), Weighting("b", D("40"), D("10"))]
THRESHOLDS = {"excellent_min": D("90"), "good_min": D("75"), "pass_min": D("60")}


def test_value_exactly_at_target_earns_the_whole_weight_and_above_is_capped():
    assert score({"a": "40", "b": "25"}, W) == (D("100.00"), {"a": D("60.00"), "b": D("40.00")})


def test_value_below_target_earns_its_share_and_a_missing_value_earns_nothing():
    # a: 60 × 10/40 = 15; b missing → 0
    assert score({"a": "10"}, W) == (D("15.00"), {"a": D("15.00"), "b": D("0.00")})
    assert score({"a": "", "b": None}, W) == (D("0.00"), {"a": D("0.00"), "b": D("0.00")})


def test_target_zero_gives_the_whole_weight_to_any_value_but_not_to_a_missing_one():
    w = [Weighting("z", D("100"), D("0"))]
    assert score({"z": "0"}, w)[0] == D("100.00")
    assert score({}, w)[0] == D("0.00")


def test_total_rounds_half_up_to_the_cent_from_unrounded_lines():
    # 100 × 1/8 = 12.5 → 12.50; 10 × 1/3 = 3.333…, 10 × 1/3 twice = 6.666… → 6.67 (half-up on the total)
    assert score({"x": "1"}, [Weighting("x", D("100"), D("8"))])[0] == D("12.50")
    thirds = [Weighting("p", D("10"), D("3")), Weighting("q", D("10"), D("3"))]
    assert score({"p": "1", "q": "1"}, thirds) == (D("6.67"), {"p": D("3.33"), "q": D("3.33")})
    # 0.005 exactly rounds up
    assert score({"x": "1"}, [Weighting("x", D("0.01"), D("2"))])[0] == D("0.01")


def test_negative_values_earn_nothing():
    assert score({"a": "-5"}, W)[0] == D("0.00")


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (D("90.00"), Grade.EXCELLENT),
        (D("89.99"), Grade.GOOD),
        (D("75.00"), Grade.GOOD),
        (D("74.99"), Grade.PASS),
        (D("60.00"), Grade.PASS),
        (D("59.99"), Grade.FAIL),
        (D("0"), Grade.FAIL),
    ],
)
def test_grade_at_and_just_below_each_threshold(total, expected):
    assert grade(total, **THRESHOLDS) == expected


def test_competition_ranking_shares_ranks_and_skips():
    assert ranks({"a": D("80"), "b": D("95"), "c": D("80"), "d": D("70"), "e": D("95")}) == {
        "b": 1,
        "e": 1,
        "a": 3,
        "c": 3,
        "d": 5,
    }
    assert ranks({}) == {}


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (Grade.EXCELLENT, None, Consequence.SUPPORT),
        (Grade.EXCELLENT, Grade.FAIL, Consequence.SUPPORT),
        (Grade.GOOD, Grade.FAIL, Consequence.NONE),
        (Grade.PASS, None, Consequence.NONE),
        (Grade.FAIL, None, Consequence.WARNING),
        (Grade.FAIL, Grade.PASS, Consequence.WARNING),
        (Grade.FAIL, Grade.FAIL, Consequence.REMOVAL),
    ],
)
def test_consequence_rule(current, previous, expected):
    assert consequence(current, previous) == expected

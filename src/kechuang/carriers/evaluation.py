"""The rules of a carrier performance evaluation (绩效评价), as plain functions without the database.

* Each indicator of a scheme earns `weight × min(value / target, 1)`; a missing value earns 0; a target of 0 gives
  the whole weight to any value ≥ 0. Negative values earn 0.
* The score is the sum over the indicators, rounded to 0.01 half-up (the breakdown rounds each line the same way,
  so lines may differ from the total by a cent; the total is computed from the unrounded lines).
* Grade: score ≥ excellent_min 优秀, ≥ good_min 良好, ≥ pass_min 合格, else 不合格.
* Rank: competition ranking ("1224"): equal scores share a rank and the next rank skips.
* Consequence: 优秀 → support; 不合格 → warning, or removal when the carrier's previous published evaluation of the
  same kind was also 不合格; otherwise none.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .enums import Consequence, Grade

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Weighting:
    """One indicator of a scheme: its code in the report's values, its weight (points) and its full-score value."""

    code: str
    weight: Decimal
    target: Decimal


def as_decimal(value) -> Decimal | None:
    """A report value (decimal string, int, Decimal, "" or None) as a Decimal, or None when missing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def indicator_points(value, weighting: Weighting) -> Decimal:
    """Unrounded points one value earns against one indicator."""
    number = as_decimal(value)
    if number is None or number < 0:
        return ZERO
    if weighting.target <= 0:
        return Decimal(weighting.weight)
    return Decimal(weighting.weight) * min(number / Decimal(weighting.target), Decimal(1))


def score(
    values: Mapping[str, object], weightings: Iterable[Weighting]
) -> tuple[Decimal, dict[str, Decimal]]:
    """The total score (0.01, half-up) and each indicator's points (0.01, half-up) by code."""
    total = ZERO
    breakdown: dict[str, Decimal] = {}
    for weighting in weightings:
        points = indicator_points(values.get(weighting.code), weighting)
        total += points
        breakdown[weighting.code] = cents(points)
    return cents(total), breakdown


def grade(total: Decimal, *, excellent_min: Decimal, good_min: Decimal, pass_min: Decimal) -> str:
    """The grade a score earns under a scheme's thresholds (a score exactly at a threshold reaches it)."""
    if total >= excellent_min:
        return Grade.EXCELLENT
    if total >= good_min:
        return Grade.GOOD
    if total >= pass_min:
        return Grade.PASS
    return Grade.FAIL


def ranks(scores: Mapping[Hashable, Decimal]) -> dict[Hashable, int]:
    """Competition ranking of `scores` (highest first): the same score, the same rank; the next rank skips."""
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    result: dict[Hashable, int] = {}
    previous = None
    rank = 0
    for position, (key, value) in enumerate(ordered, 1):
        if value != previous:
            rank = position
            previous = value
        result[key] = rank
    return result


def consequence(current: str, previous: str | None) -> str:
    """What the bureau records for a grade, given the grade of the carrier's previous published evaluation."""
    if current == Grade.EXCELLENT:
        return Consequence.SUPPORT
    if current == Grade.FAIL:
        return Consequence.REMOVAL if previous == Grade.FAIL else Consequence.WARNING
    return Consequence.NONE

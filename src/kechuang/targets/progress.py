"""Progress of a region towards its targets of a year: target, actual, share of the target met.

`progress(region_code, year) -> list[Progress]`, one per target of the region and year in catalogue order (the
dashboard imports it). `actual(indicator, region_code, year)` is the computed or reported actual:

* computed: `computations.COMPUTATIONS[indicator.computation]`; for a share indicator (`Measure.SHARE`) the
  computation gives the numerator and the actual is numerator ÷ actual of `base` × 100 (None when the base is 0);
* reported: the region's `ReportedActual` of the year, None when nothing was reported.

Met: "不低于" actual ≥ target; "不高于" actual ≤ target; "左右" within 5 % of the target. The ratio of the target
met is actual ÷ target (target ÷ actual for "不高于"), four places, None without an actual or with a zero divisor.
A stretch value ("力争") is shown next to the target; meeting the target is what counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from .computations import COMPUTATIONS
from .enums import Comparator, Measure, Source
from .models import Indicator, ReportedActual, Target

_PLACES = Decimal("0.0001")
ABOUT_TOLERANCE = Decimal("0.05")


@dataclass(eq=False)
class Progress:
    indicator: Indicator
    target: Decimal
    stretch: Decimal | None
    actual: Decimal | None
    ratio: Decimal | None
    met: bool | None
    records: QuerySet | None
    comparator: str = Comparator.AT_LEAST
    link: str | None = None  # a list page showing the records with filters, when one exists
    stretch_met: bool | None = None


def _computed(indicator: Indicator, region_code: str, year: int, cache: dict) -> tuple:
    computation = COMPUTATIONS.get(indicator.computation)
    if computation is None:
        return None, None
    key = (indicator.computation, region_code, year)
    if key not in cache:
        cache[key] = computation(region_code, year)
    return cache[key]


def actual(
    indicator: Indicator,
    region_code: str,
    year: int,
    *,
    reported: dict | None = None,
    cache: dict | None = None,
) -> tuple[Decimal | None, QuerySet | None]:
    """The actual of `indicator` for the region and year, and the records behind it (None if reported)."""
    cache = {} if cache is None else cache
    if indicator.source == Source.REPORTED:
        if reported is not None:
            return reported.get(indicator.pk), None
        value = (
            ReportedActual.objects.filter(indicator=indicator, region_id=region_code, year=year)
            .values_list("value", flat=True)
            .first()
        )
        return value, None
    value, records = _computed(indicator, region_code, year, cache)
    if value is None:
        return None, None
    if indicator.measure == Measure.SHARE and indicator.base_id:
        base, _records = actual(indicator.base, region_code, year, reported=reported, cache=cache)
        if not base:
            return None, records
        value = (value * 100 / base).quantize(_PLACES, ROUND_HALF_UP)
    return value, records


def ratio_met(value: Decimal | None, target: Decimal, comparator: str) -> Decimal | None:
    if value is None:
        return None
    if comparator == Comparator.AT_MOST:
        if not value:
            return Decimal(1) if not target else None
        return (target / value).quantize(_PLACES, ROUND_HALF_UP)
    if not target:
        return None
    return (value / target).quantize(_PLACES, ROUND_HALF_UP)


def is_met(value: Decimal | None, target: Decimal, comparator: str) -> bool | None:
    if value is None:
        return None
    if comparator == Comparator.AT_MOST:
        return value <= target
    if comparator == Comparator.ABOUT:
        return abs(value - target) <= abs(target) * ABOUT_TOLERANCE
    return value >= target


def reported_values(region_code: str, year: int) -> dict[int, Decimal]:
    return dict(
        ReportedActual.objects.filter(region_id=region_code, year=year).values_list("indicator_id", "value")
    )


def _link(indicator: Indicator, region_code: str, year: int) -> str | None:
    computation = COMPUTATIONS.get(indicator.computation)
    if indicator.source != Source.COMPUTED or computation is None:
        return None
    if computation.link is not None:
        return computation.link(region_code, year)
    from django.urls import reverse

    return reverse("targets:records", args=[region_code, year, indicator.code])


def progress_of(target: Target, *, reported: dict, cache: dict) -> Progress:
    indicator = target.indicator
    value, records = actual(indicator, target.region_id, target.year, reported=reported, cache=cache)
    return Progress(
        indicator=indicator,
        target=target.value,
        stretch=target.stretch_value,
        actual=value,
        ratio=ratio_met(value, target.value, target.comparator),
        met=is_met(value, target.value, target.comparator),
        records=records,
        comparator=target.comparator,
        link=_link(indicator, target.region_id, target.year),
        stretch_met=None
        if target.stretch_value is None
        else is_met(value, target.stretch_value, target.comparator),
    )


def progress(region_code: str, year: int) -> list[Progress]:
    """One line per target the region has for `year`, in catalogue order."""
    targets = (
        Target.objects.filter(region_id=region_code, year=year)
        .select_related("indicator", "indicator__base")
        .order_by("indicator__position", "indicator_id")
    )
    reported = reported_values(region_code, year)
    cache: dict = {}
    return [progress_of(target, reported=reported, cache=cache) for target in targets]

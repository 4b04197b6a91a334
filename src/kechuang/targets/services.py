"""Services of 目标责任制考核: the indicator catalogue, targets, reported actuals and the assessment.

Scoring (`assessment_compute`), for each region directly under the organizing region and each weighted indicator:
score = weight × min(actual ÷ target, 1) when higher is better, weight × min(target ÷ actual, 1) when lower is
better (an actual of 0 earns the full weight); a missing actual or a missing target scores 0; a target of 0 earns
the full weight once there is an actual. Each indicator's score is rounded to two places and the region's score is
their sum; no bonus for the stretch value. Ranking by score, highest first; equal scores share a rank (1, 1, 3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.regions.models import Region

from . import permissions as perm
from .computations import COMPUTATIONS
from .enums import AssessmentState, Comparator, Measure, Source
from .models import Assessment, AssessmentResult, AssessmentWeight, Indicator, ReportedActual, Target
from .progress import actual, reported_values

_CENT = Decimal("0.01")
INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "measure",
    "source",
    "computation",
    "base",
    "parent",
    "higher_is_better",
    "description",
    "position",
    "active",
)


def _clean_indicator(fields: dict, instance: Indicator | None = None) -> None:
    if fields.get("source") == Source.COMPUTED and fields.get("computation") not in COMPUTATIONS:
        raise DomainError(_("系统计算的指标须选择计算方法。"), field="computation")
    if fields.get("source") == Source.REPORTED:
        fields["computation"] = ""
    if fields.get("measure") == Measure.SHARE and not fields.get("base"):
        raise DomainError(_("占比指标须选择基数指标。"), field="base")
    for name in ("base", "parent"):
        other = fields.get(name)
        if instance is not None and other is not None and other.pk == instance.pk:
            raise DomainError(_("指标不能以自身为基数或上级指标。"), field=name)


@acting
@transaction.atomic
def indicator_create(*, by, **fields) -> Indicator:
    require(perm.can_manage_indicators(by))
    fields = {k: v for k, v in fields.items() if k in INDICATOR_FIELDS}
    _clean_indicator(fields)
    if Indicator.objects.filter(code=fields.get("code")).exists():
        raise DomainError(_("指标代码已存在。"), field="code")
    return Indicator.objects.create(**fields)


@acting
@transaction.atomic
def indicator_update(*, indicator: Indicator, by, expected_version: int | None = None, **fields) -> Indicator:
    require(perm.can_manage_indicators(by))
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    locked.check_version(expected_version)
    fields = {k: v for k, v in fields.items() if k in INDICATOR_FIELDS and k != "code"}
    merged = {name: getattr(locked, name) for name in INDICATOR_FIELDS} | fields
    _clean_indicator(merged, locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.bump_version()
    locked.save()
    return locked


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError as exc:
        raise DomainError(_("“%(v)s”不是有效的数值。") % {"v": value}) from exc


@acting
@transaction.atomic
def target_set(*, year: int, cells: list[dict], by) -> list[Target]:
    """Set the targets of a year in bulk. Each cell: {"region": code, "indicator": Indicator or id, "value",
    optional "stretch_value", "comparator", "note", "expected_version"}; an empty value removes the target."""
    saved = []
    indicators = Indicator.objects.in_bulk(
        [c["indicator"] if isinstance(c["indicator"], int) else c["indicator"].pk for c in cells]
    )
    for cell in cells:
        region_code = cell["region"]
        require(perm.can_set_target(by, region_code))
        indicator = cell["indicator"]
        indicator = indicators[indicator if isinstance(indicator, int) else indicator.pk]
        value = _decimal(cell.get("value"))
        stretch = _decimal(cell.get("stretch_value"))
        existing = (
            Target.objects.select_for_update()
            .filter(indicator=indicator, region_id=region_code, year=year)
            .first()
        )
        if existing is not None:
            existing.check_version(cell.get("expected_version"))
        if value is None:
            if existing is not None:
                existing.delete()
            continue
        if value < 0:
            raise DomainError(_("目标值不能为负数。"))
        if stretch is not None and stretch < value and indicator.higher_is_better:
            raise DomainError(_("“%(name)s”的力争值不能低于目标值。") % {"name": indicator.name})
        comparator = cell.get("comparator") or (
            Comparator.AT_LEAST if indicator.higher_is_better else Comparator.AT_MOST
        )
        note = cell.get("note", "")
        if existing is None:
            saved.append(
                Target.objects.create(
                    indicator=indicator,
                    region_id=region_code,
                    year=year,
                    value=value,
                    stretch_value=stretch,
                    comparator=comparator,
                    note=note,
                )
            )
            continue
        if (existing.value, existing.stretch_value, existing.comparator, existing.note) != (
            value,
            stretch,
            comparator,
            note,
        ):
            existing.value, existing.stretch_value = value, stretch
            existing.comparator, existing.note = comparator, note
            existing.bump_version()
            existing.save()
        saved.append(existing)
    return saved


@acting
@transaction.atomic
def actual_report(
    *,
    indicator: Indicator,
    region_code: str,
    year: int,
    value,
    by,
    source_note: str = "",
    expected_version: int | None = None,
) -> ReportedActual:
    require(perm.can_report_actual(by, region_code))
    if indicator.source != Source.REPORTED:
        raise DomainError(_("“%(name)s”由系统根据业务记录计算，无需填报。") % {"name": indicator.name})
    amount = _decimal(value)
    if amount is None:
        raise DomainError(_("请填写完成值。"), field="value")
    row = (
        ReportedActual.objects.select_for_update()
        .filter(indicator=indicator, region_id=region_code, year=year)
        .first()
    )
    if row is None:
        return ReportedActual.objects.create(
            indicator=indicator,
            region_id=region_code,
            year=year,
            value=amount,
            source_note=source_note,
            reported_by=by,
        )
    row.check_version(expected_version)
    row.value, row.source_note, row.reported_by = amount, source_note, by
    row.bump_version()
    row.save()
    return row


@acting
@transaction.atomic
def assessment_create(*, region_code: str, year: int, name: str, weights: dict, by) -> Assessment:
    """`weights`: {Indicator or id: weight}; they must add up to 100."""
    require(perm.can_manage_assessment(by, region_code))
    weights = {k: _decimal(v) for k, v in weights.items() if _decimal(v)}
    if not weights:
        raise DomainError(_("请至少为一项指标设定权重。"))
    if any(w < 0 or w > 100 for w in weights.values()):
        raise DomainError(_("权重须在0到100之间。"))
    total = sum(weights.values(), Decimal(0))
    if total != 100:
        raise DomainError(_("各项指标权重之和须为100，现为%(total)s。") % {"total": f"{total.normalize():f}"})
    if Assessment.objects.filter(region_id=region_code, year=year).exists():
        raise DomainError(_("该地区%(year)s年度的考核已存在。") % {"year": year})
    assessment = Assessment.objects.create(region_id=region_code, year=year, name=name)
    AssessmentWeight.objects.bulk_create(
        AssessmentWeight(assessment=assessment, indicator_id=k if isinstance(k, int) else k.pk, weight=w)
        for k, w in weights.items()
    )
    return assessment


def score_of(
    weight: Decimal, value: Decimal | None, target: Decimal | None, higher_is_better: bool
) -> Decimal:
    """One indicator's score (see the module's docstring), two places."""
    if value is None or target is None:
        return Decimal("0.00")
    if higher_is_better:
        share = Decimal(1) if not target else min(value / target, Decimal(1))
    else:
        share = Decimal(1) if not value else min(target / value, Decimal(1))
    return (weight * max(share, Decimal(0))).quantize(_CENT, ROUND_HALF_UP)


def rank(scores: dict[str, Decimal]) -> dict[str, int]:
    """Competition ranking: highest first, equal scores share a rank (1, 1, 3)."""
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    ranks: dict[str, int] = {}
    for position, (code, score) in enumerate(ordered, 1):
        if position > 1 and score == ordered[position - 2][1]:
            ranks[code] = ranks[ordered[position - 2][0]]
        else:
            ranks[code] = position
    return ranks


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@acting
@transaction.atomic
def assessment_compute(*, assessment: Assessment, by, expected_version: int | None = None) -> Assessment:
    require(perm.can_manage_assessment(by, assessment.region_id))
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.check_version(expected_version)
    if locked.state != AssessmentState.DRAFT:
        raise DomainError(_("考核已发布，不能重新计算。"))
    weights = list(
        locked.weights.select_related("indicator", "indicator__base").order_by("indicator__position")
    )
    regions = list(Region.objects.filter(parent_id=locked.region_id).order_by("sort_order", "code"))
    targets = {
        (t.region_id, t.indicator_id): t.value
        for t in Target.objects.filter(
            year=locked.year, region__in=regions, indicator__in=[w.indicator for w in weights]
        )
    }
    now = timezone.now()
    scores, details = {}, {}
    for region in regions:
        reported = reported_values(region.code, locked.year)
        cache: dict = {}
        detail, total = [], Decimal("0.00")
        for w in weights:
            value, _records = actual(w.indicator, region.code, locked.year, reported=reported, cache=cache)
            target = targets.get((region.code, w.indicator_id))
            score = score_of(w.weight, value, target, w.indicator.higher_is_better)
            total += score
            detail.append(
                {
                    "indicator": w.indicator.code,
                    "name": w.indicator.name,
                    "weight": str(w.weight),
                    "actual": _text(value),
                    "target": _text(target),
                    "score": str(score),
                }
            )
        scores[region.code], details[region.code] = total, detail
    ranks = rank(scores)
    locked.results.all().delete()
    AssessmentResult.objects.bulk_create(
        AssessmentResult(
            assessment=locked,
            region_id=code,
            score=scores[code],
            rank=ranks[code],
            detail=details[code],
            computed_at=now,
        )
        for code in scores
    )
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def assessment_publish(*, assessment: Assessment, by, expected_version: int | None = None) -> Assessment:
    require(perm.can_manage_assessment(by, assessment.region_id))
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.check_version(expected_version)
    if locked.state != AssessmentState.DRAFT:
        raise DomainError(_("考核已发布。"))
    if not locked.results.exists():
        raise DomainError(_("请先计算考核结果，再发布。"))
    before = locked.state
    locked.state = AssessmentState.PUBLISHED
    locked.published_at = timezone.now()
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=locked.state)
    return locked

"""Queries of 目标责任制考核, scoped to what the user may see."""

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kechuang.core.scoping import user_region_codes
from kechuang.regions.models import Region

from .enums import AssessmentState, Source
from .models import Assessment, Indicator, ReportedActual, Target


def indicators(*, active_only: bool = False) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("base", "parent")
    return qs.filter(active=True) if active_only else qs


def reported_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.filter(active=True, source=Source.REPORTED)


def grid_regions(root_code: str) -> list[Region]:
    """The region and the regions directly under it, the region first."""
    root = Region.objects.get(pk=root_code)
    return [root, *Region.objects.filter(parent_id=root_code).order_by("sort_order", "code")]


def targets_of(year: int, codes: list[str]) -> dict[tuple[str, int], Target]:
    return {(t.region_id, t.indicator_id): t for t in Target.objects.filter(year=year, region_id__in=codes)}


def reported_of(region_code: str, year: int) -> dict[int, ReportedActual]:
    return {r.indicator_id: r for r in ReportedActual.objects.filter(region_id=region_code, year=year)}


def latest_year(region_code: str | None) -> int:
    qs = Target.objects.all() if region_code is None else Target.objects.filter(region_id=region_code)
    return qs.aggregate(y=Max("year"))["y"] or timezone.localdate().year


def _ancestors(user) -> list[str]:
    if not user.region_id:
        return []
    path = Region.objects.values_list("path", flat=True).get(pk=user.region_id)
    return [code for code in path.strip("/").split("/") if code]


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """Assessments organized within the user's region, and published ones of the regions above it."""
    qs = Assessment.objects.select_related("region")
    if not user.is_authenticated or not (user.is_superuser or user.is_region_scoped):
        return qs.none()
    codes = user_region_codes(user)
    if codes is None:
        return qs
    return qs.filter(
        Q(region_id__in=codes) | Q(region_id__in=_ancestors(user), state=AssessmentState.PUBLISHED)
    )

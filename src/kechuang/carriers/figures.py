"""Figures on carriers for the figures page, the dashboard and the annual report: plain dicts and lists, no request.

A carrier counts in a year when it was recognized on or before 31 December of that year and not removed by then;
without a year, the carriers in force today. Regions are the given region and everything under it; the breakdown
by region is by the given region's direct children (the counties of a city, the towns of a county).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from kechuang.core.figures import Figure
from kechuang.organizations.enums import QualificationLevel
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from .enums import INCUBATING_KINDS, CarrierKind, CarrierState, IncubateeState
from .models import Carrier, Incubatee, IncubateeRevenue


def _in_force(region_code: str, year: int | None):
    qs = Carrier.objects.filter(region_id__in=regions_under(region_code))
    if year is None:
        return qs.exclude(state=CarrierState.REMOVED)
    end = date(year, 12, 31)
    return (
        qs.filter(recognized_on__lte=end)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=end))
        .exclude(Q(state=CarrierState.REMOVED) & Q(removed_on__isnull=True))
    )


def carriers_by_kind_level(region_code: str, year: int | None = None) -> dict:
    """Carriers in force by kind and level, and by the region's direct children.

    {"total": n, "levels": [level, …], "by_kind": [{"kind", "label", "levels": {level: n}, "total"}],
     "by_region": [{"code", "name", "total", "by_kind": {kind: n}}]}
    """
    rows = list(
        _in_force(region_code, year)
        .order_by()
        .values("kind", "level", "region__path")
        .annotate(n=Count("id"))
    )
    root = Region.objects.only("path").get(pk=region_code)
    children = list(
        Region.objects.filter(parent_id=region_code)
        .order_by("sort_order", "code")
        .values("code", "name", "path")
    )
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_region: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        by_kind[row["kind"]][row["level"]] += row["n"]
        child = next((c["code"] for c in children if row["region__path"].startswith(c["path"])), None)
        by_region[child or root.pk][row["kind"]] += row["n"]
    levels = list(QualificationLevel.values)
    kinds = [
        {
            "kind": kind,
            "label": str(label),
            "levels": {level: by_kind[kind].get(level, 0) for level in levels},
            "total": sum(by_kind[kind].values()),
        }
        for kind, label in CarrierKind.choices
        if kind in by_kind
    ]
    regions = [
        {
            "code": c["code"],
            "name": c["name"],
            "total": sum(by_region[c["code"]].values()),
            "by_kind": dict(by_region[c["code"]]),
        }
        for c in children
        if c["code"] in by_region
    ]
    if root.pk in by_region:  # carriers registered at the region itself rather than below it
        regions.insert(
            0,
            {
                "code": root.pk,
                "name": Region.objects.values_list("name", flat=True).get(pk=root.pk),
                "total": sum(by_region[root.pk].values()),
                "by_kind": dict(by_region[root.pk]),
            },
        )
    return {
        "total": sum(k["total"] for k in kinds),
        "levels": levels,
        "by_kind": kinds,
        "by_region": regions,
    }


def new_carriers_per_year(region_code: str) -> list[dict]:
    """Carriers recognized per year in the region, whatever became of them: [{"year", "total", "by_kind"}]."""
    rows = (
        Carrier.objects.filter(region_id__in=regions_under(region_code))
        .annotate(year=ExtractYear("recognized_on"))
        .values("year", "kind")
        .annotate(n=Count("id"))
        .order_by("year", "kind")
    )
    years: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        years[row["year"]][row["kind"]] = row["n"]
    return [{"year": y, "total": sum(k.values()), "by_kind": k} for y, k in sorted(years.items())]


def _yuan(amount) -> Decimal:
    # SQLite sums decimals as floats-with-tails; the figures are yuan to the cent.
    return Decimal(amount).quantize(Decimal("0.01"))


def incubation_figures(region_code: str, year: int) -> dict:
    """Companies in the region's incubators, maker spaces and 星创天地 for one year.

    {"carriers": n, "in_incubation": n (on 31 December), "entered": n, "graduated": n, "left": n,
     "registered_capital": Decimal yuan (of those in incubation), "revenue": Decimal yuan (reported for the year),
     "by_kind": [{"kind", "label", "carriers", "in_incubation", "entered", "graduated", "left"}]}
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    carriers = _in_force(region_code, year).filter(kind__in=INCUBATING_KINDS)
    carrier_counts = dict(
        carriers.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    incubatees = Incubatee.objects.filter(carrier__in=carriers)
    stay = Q(entered_on__lte=end) & (Q(exited_on__isnull=True) | Q(exited_on__gt=end))
    exited_in_year = Q(exited_on__gte=start, exited_on__lte=end)
    per_kind = {
        row["carrier__kind"]: row
        for row in incubatees.order_by()
        .values("carrier__kind")
        .annotate(
            in_incubation=Count("id", filter=stay),
            entered=Count("id", filter=Q(entered_on__gte=start, entered_on__lte=end)),
            graduated=Count("id", filter=exited_in_year & Q(state=IncubateeState.GRADUATED)),
            left=Count("id", filter=exited_in_year & Q(state=IncubateeState.LEFT)),
            capital=Sum("registered_capital", filter=stay),
        )
    }
    revenue = IncubateeRevenue.objects.filter(incubatee__in=incubatees, year=year).aggregate(
        s=Sum("revenue")
    )["s"]
    by_kind = []
    for kind, label in CarrierKind.choices:
        if kind not in INCUBATING_KINDS or not (carrier_counts.get(kind) or kind in per_kind):
            continue
        row = per_kind.get(kind, {})
        by_kind.append(
            {
                "kind": kind,
                "label": str(label),
                "carriers": carrier_counts.get(kind, 0),
                "in_incubation": row.get("in_incubation", 0),
                "entered": row.get("entered", 0),
                "graduated": row.get("graduated", 0),
                "left": row.get("left", 0),
            }
        )
    return {
        "year": year,
        "carriers": sum(carrier_counts.values()),
        "in_incubation": sum(k["in_incubation"] for k in by_kind),
        "entered": sum(k["entered"] for k in by_kind),
        "graduated": sum(k["graduated"] for k in by_kind),
        "left": sum(k["left"] for k in by_kind),
        "registered_capital": _yuan(
            sum((r.get("capital") or Decimal(0) for r in per_kind.values()), Decimal(0))
        ),
        "revenue": _yuan(revenue or Decimal(0)),
        "by_kind": by_kind,
    }


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """The carrier figures of the annual report (工作总结), as bureaus publish them (demo-calibration.md): new
    provincial maker spaces, new national 星创天地 and new foreign expert workstations recognized in the year, the
    industrial innovation service complexes of city and county level in force at its end, and the companies in
    incubation on 31 December; each with its records."""
    code = region.code if isinstance(region, Region) else region
    recognized = Carrier.objects.filter(region_id__in=regions_under(code), recognized_on__year=year)
    count, unit = _("个"), _("家")
    maker = recognized.filter(kind=CarrierKind.MAKER_SPACE, level=QualificationLevel.PROVINCIAL)
    star = recognized.filter(kind=CarrierKind.STAR_SPACE, level=QualificationLevel.NATIONAL)
    complexes = _in_force(code, year).filter(
        kind=CarrierKind.COMPLEX, level__in=(QualificationLevel.CITY, QualificationLevel.COUNTY)
    )
    stations = recognized.filter(kind=CarrierKind.FOREIGN_WORKSTATION)
    end = date(year, 12, 31)
    incubated = Incubatee.objects.filter(
        carrier__in=_in_force(code, year).filter(kind__in=INCUBATING_KINDS), entered_on__lte=end
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=end))
    return [
        Figure(_("新增省级众创空间"), maker.count(), maker, count),
        Figure(_("新认定国家级星创天地"), star.count(), star, count),
        Figure(_("产业创新服务综合体"), complexes.count(), complexes, count),
        Figure(_("新增外国专家工作站"), stations.count(), stations, count),
        Figure(_("在孵企业"), incubated.count(), incubated, unit),
    ]


def calibration_figures(region_code: str, year: int) -> dict[str, int]:
    """The report's carrier figures by label (the demo checks its calibration with them)."""
    return {figure.label: figure.value for figure in report_figures(region_code, year)[:4]}

"""Patent counts per region, year and organization: plain functions of the database, no request.

* applications: patents filed in the year (申请日), by kind;
* grants: patents granted in the year (授权公告日), by kind;
* valid inventions at the year's end: invention patents granted on or before 31 December and not lapsed by
  then (有效发明专利); per 10,000 residents (每万人口发明专利拥有量) when the region has a Population row for
  the year, rounded to two decimals.

A region's figures cover the organizations of the region and of every region below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from kechuang.core.figures import Figure
from kechuang.organizations.models import Organization
from kechuang.regions.models import Population, Region
from kechuang.regions.selectors import regions_under

from .enums import PatentKind, PatentStatus
from .models import Patent

KINDS = tuple(PatentKind.values)


@dataclass
class Counts:
    applications: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    grants: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    valid_inventions: int = 0
    population: int | None = None
    per_10k: Decimal | None = None

    @property
    def applications_total(self) -> int:
        return sum(self.applications.values())

    @property
    def grants_total(self) -> int:
        return sum(self.grants.values())

    def add(self, other: Counts) -> None:
        for kind in KINDS:
            self.applications[kind] += other.applications[kind]
            self.grants[kind] += other.grants[kind]
        self.valid_inventions += other.valid_inventions


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _tallies(year: int) -> dict:
    first, last = _year_bounds(year)
    valid = (
        Q(kind=PatentKind.INVENTION, granted_on__lte=last)
        & Q(status__in=(PatentStatus.GRANTED, PatentStatus.LAPSED))
        & (Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=last))
    )
    return {
        "applied": Count("id", filter=Q(filed_on__range=(first, last))),
        "granted": Count("id", filter=Q(granted_on__range=(first, last))),
        "valid": Count("id", filter=valid),
    }


def _fill(counts: Counts, kind: str, row: dict) -> None:
    counts.applications[kind] += row["applied"]
    counts.grants[kind] += row["granted"]
    if kind == PatentKind.INVENTION:
        counts.valid_inventions += row["valid"]


def per_10k(valid: int, population: int | None) -> Decimal | None:
    if not population:
        return None
    return (Decimal(valid) * 10000 / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _with_population(counts: Counts, region_code: str, year: int) -> Counts:
    counts.population = (
        Population.objects.filter(region_id=region_code, year=year)
        .values_list("population", flat=True)
        .first()
    )
    counts.per_10k = per_10k(counts.valid_inventions, counts.population)
    return counts


def patent_counts(region_code: str, year: int) -> Counts:
    """The region's (and its sub-regions') applications and grants of `year` by kind, valid inventions at the
    year's end and their number per 10,000 residents (None without a population)."""
    counts = Counts()
    rows = (
        Patent.objects.filter(organization__region_id__in=regions_under(region_code))
        .values("kind")
        .annotate(**_tallies(year))
    )
    for row in rows:
        _fill(counts, row["kind"], row)
    return _with_population(counts, region_code, year)


def patent_counts_by_region(region_code: str, year: int) -> list[tuple[Region, Counts]]:
    """One line per region directly under `region_code` (its counties, or a county's towns), each with the
    figures of its whole subtree; the region's own organizations (registered at its level) get a line too."""
    parent = Region.objects.get(pk=region_code)
    children = list(Region.objects.filter(parent_id=region_code).order_by("sort_order", "path"))
    lines = {child.code: Counts() for child in children}
    own = Counts()
    prefixes = [(child.path, child.code) for child in children]
    rows = (
        Patent.objects.filter(organization__region_id__in=regions_under(region_code))
        .values("organization__region__path", "kind")
        .annotate(**_tallies(year))
    )
    for row in rows:
        path = row["organization__region__path"]
        code = next((c for p, c in prefixes if path.startswith(p)), None)
        _fill(lines[code] if code else own, row["kind"], row)
    populations = dict(
        Population.objects.filter(region_id__in=[c.code for c in children], year=year).values_list(
            "region_id", "population"
        )
    )
    result = []
    for child in children:
        counts = lines[child.code]
        counts.population = populations.get(child.code)
        counts.per_10k = per_10k(counts.valid_inventions, counts.population)
        result.append((child, counts))
    if own.applications_total or own.grants_total or own.valid_inventions:
        result.append((parent, own))  # organizations registered at the parent's own level
    return result


def patent_counts_by_year(region_code: str, years) -> list[tuple[int, Counts]]:
    return [(year, patent_counts(region_code, year)) for year in years]


@dataclass
class OrganizationLine:
    organization: Organization
    applications: int
    grants: int
    invention_grants: int
    valid_inventions: int


def top_organizations(region_code: str, year: int, n: int = 10) -> list[OrganizationLine]:
    """The organizations of the region with the most grants in `year` (then applications, then valid
    inventions), those with none of the three left out."""
    tallies = _tallies(year)
    first, last = _year_bounds(year)
    tallies["invention_grants"] = Count(
        "id", filter=Q(kind=PatentKind.INVENTION, granted_on__range=(first, last))
    )
    rows = (
        Patent.objects.filter(organization__region_id__in=regions_under(region_code))
        .values("organization_id")
        .annotate(**tallies)
        .filter(Q(applied__gt=0) | Q(granted__gt=0) | Q(valid__gt=0))
        .order_by("-granted", "-applied", "-valid", "organization_id")[:n]
    )
    rows = list(rows)
    organizations = Organization.objects.in_bulk([row["organization_id"] for row in rows])
    return [
        OrganizationLine(
            organization=organizations[row["organization_id"]],
            applications=row["applied"],
            grants=row["granted"],
            invention_grants=row["invention_grants"],
            valid_inventions=row["valid"],
        )
        for row in rows
    ]


def organization_counts_by_year(organization_id: int, years) -> list[tuple[int, Counts]]:
    """One organization's figures per year (its own page of the figures)."""
    result = []
    for year in years:
        counts = Counts()
        rows = (
            Patent.objects.filter(organization_id=organization_id).values("kind").annotate(**_tallies(year))
        )
        for row in rows:
            _fill(counts, row["kind"], row)
        result.append((year, counts))
    return result


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """The patent figures of the annual report (工作总结) and the dashboard, each with its records: applications and
    grants of the year (inventions among them as parts), valid inventions at its end and, with a population, their
    number per 10,000 residents; the patent subsidies paid in the year."""
    from django.db.models import Sum
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    from .enums import ClaimState
    from .models import SubsidyClaim

    code = region.code if isinstance(region, Region) else region
    first, last = _year_bounds(year)
    patents = Patent.objects.filter(organization__region_id__in=regions_under(code))
    applied = patents.filter(filed_on__range=(first, last))
    granted = patents.filter(granted_on__range=(first, last))
    valid = patents.filter(
        Q(kind=PatentKind.INVENTION, granted_on__lte=last)
        & Q(status__in=(PatentStatus.GRANTED, PatentStatus.LAPSED))
        & (Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=last))
    )
    counts = patent_counts(code, year)
    paid = SubsidyClaim.objects.filter(
        state=ClaimState.PAID, paid_on__range=(first, last), policy__region_id__in=regions_under(code)
    )
    piece = pgettext("patent count", "件")
    inventions_applied = applied.filter(kind=PatentKind.INVENTION)
    inventions_granted = granted.filter(kind=PatentKind.INVENTION)
    figures = [
        Figure(
            _("专利申请量"),
            counts.applications_total,
            applied,
            piece,
            (Figure(_("其中发明专利申请"), inventions_applied.count(), inventions_applied, piece),),
        ),
        Figure(
            _("专利授权量"),
            counts.grants_total,
            granted,
            piece,
            (Figure(_("其中发明专利授权"), inventions_granted.count(), inventions_granted, piece),),
        ),
        Figure(_("有效发明专利"), counts.valid_inventions, valid, piece),
    ]
    if counts.per_10k is not None:
        figures.append(Figure(_("每万人口发明专利拥有量"), counts.per_10k, valid, piece))
    amount = paid.aggregate(s=Sum("amount_approved"))["s"] or Decimal("0")
    figures.append(
        Figure(
            _("专利资助金额"),
            (amount / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            paid,
            _("万元"),
        )
    )
    return figures

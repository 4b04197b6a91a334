"""Enterprise figures for the dashboard and the annual report (issue item 6).

Each function takes a region (a `Region` or its code: the region and everything under it, as
`regions.selectors.regions_under` gives it) and a day or a year, computes its numbers in the database,
and returns them together with the records behind them, so that every figure can be traced to its query:

* `Figure(label, value, records, unit, parts)`: `value` is computed when the function is called;
  `records` is the lazy queryset of exactly the rows that were counted or summed (organizations,
  qualifications or annual data) — the dashboard's drill-down evaluates it, nothing else does;
  `parts` breaks a figure down into further `Figure`s, each with its own records.
* `enterprises_by_tier` returns a `TierFigures`: counts per tier, in total and per child region, and
  `records(tier=, child=)` for the enterprises behind any cell.
* `rd_expense` returns an `RdExpense`: totals and growth rates, each a `Figure` over `AnnualData`.

Definitions (the demo calibration in `enterprises/demo.py` relies on them):

* An enterprise is an organization of kind enterprise whose registration was not rejected, counted in the
  region where it is registered (`Organization.region`).
* 新认定 (`new_recognitions`) of a kind in a year: every certificate of the kind whose 发证日期
  (`valid_from`) falls in the year — first recognitions and 重新认定 alike, as the bureau counts them
  ("新认定高新技术企业416家" includes re-recognitions, after expiry or at the end of the three years).
  Certificates, not enterprises; a certificate revoked later still counts for the year it was issued.
  Its parts tell 首次认定 from 重新认定 (the enterprise held a certificate of the kind dated in an earlier
  year).
* 总数 (`total_in_force`) on a day: enterprises holding a certificate of the kind in force that day
  (`Qualification.in_force`: issued, not expired, not revoked on or before the day). Enterprises, not
  certificates: a renewal issued a few weeks before the old certificate runs out counts once.
* 净增 (`net_increase`) in a year: total in force on 31 December minus total in force on 31 December
  of the year before. Its parts are both totals, 新增 (in force at the end, not at the start) and 减少
  (the reverse), so value == 新增 − 减少 and the records behind it are exactly those enterprises.
* Tier (`enterprises_by_tier`): for today the stored `Organization.tier`; for any other day the tier
  `tiers.tier_of` gives for the qualifications in force that day (read in one query).
* R&D (`rd_expense`) over submitted annual data: 高企口径 = the sum of the `hnte_rd_*` amounts actually
  incurred (commissioned R&D at the amount paid, before the 80 % and 20 % rules of 工作指引 三（五）);
  加计扣除口径 = the sum of the `sd_rd_*` amounts actually incurred (费用化 part). The eligible amounts
  after the 80 %, 10 % and 2/3 rules are per enterprise and year (`assessment.super_deduction`): their
  caps do not add up, and SQLite's arithmetic is not exact enough to apply them in the database.
  Growth is given twice: plain totals against the previous year, and the same enterprises (those that
  submitted both years); each label says which.

Money is Decimal yuan; rates are Decimal fractions to four places (0.1234 = 12.34 %) or None when there
is nothing to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import add

from django.db.models import Count, DecimalField, Exists, F, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.figures import Figure
from kechuang.organizations.enums import OrganizationKind, QualificationKind, Tier, VerificationStatus
from kechuang.organizations.models import Organization, Qualification
from kechuang.regions.models import Region

from .enums import AnnualDataStatus
from .models import HNTE_RD_FIELDS, SD_RD_FIELDS, AnnualData
from .tiers import TIER_ORDER, tier_of

_ZERO = Decimal("0")
_CENT = Decimal("0.01")
_RATE = Decimal("0.0001")
_AMOUNT = DecimalField(max_digits=20, decimal_places=2)


# --------------------------------------------------------------------------------------------
# Scope


def _code(region: Region | str) -> str:
    return region.code if isinstance(region, Region) else region


def _codes(region: Region | str) -> list[str]:
    from kechuang.regions.selectors import regions_under

    return regions_under(region)


def enterprises_in(region: Region | str) -> QuerySet[Organization]:
    """The enterprises the figures of `region` count."""
    return Organization.objects.filter(
        kind=OrganizationKind.ENTERPRISE, region_id__in=_codes(region)
    ).exclude(status=VerificationStatus.REJECTED)


def _of_enterprises_in(qs: QuerySet, region: Region | str) -> QuerySet:
    """Rows of `qs` (through their `organization`) belonging to the enterprises of `region`.

    A join rather than `organization__in=enterprises_in(...)`: SQLite would first list every enterprise
    of the region (100,000 at province scale) to keep a few thousand rows.
    """
    return qs.filter(
        organization__kind=OrganizationKind.ENTERPRISE, organization__region_id__in=_codes(region)
    ).exclude(organization__status=VerificationStatus.REJECTED)


def _qualifications_in(region: Region | str, kind: str) -> QuerySet[Qualification]:
    return _of_enterprises_in(Qualification.objects.filter(kind=kind), region)


def _kind_label(kind: str) -> str:
    return str(QualificationKind(kind).label)


def _year_end(year: int) -> date:
    return date(year, 12, 31)


# --------------------------------------------------------------------------------------------
# Qualifications


def new_recognitions(region: Region | str, year: int, kind: str, *, label: str | None = None) -> Figure:
    """Certificates of `kind` issued (发证日期) in `year` to enterprises of `region`, re-recognitions included."""
    issued = _qualifications_in(region, kind).filter(
        valid_from__gte=date(year, 1, 1), valid_from__lte=_year_end(year)
    )
    # 重新认定: the enterprise held a certificate of the kind dated before the year (one uncorrelated list;
    # a correlated EXISTS per certificate made SQLite walk the kind's whole history each time).
    held_before = Qualification.objects.filter(kind=kind, valid_from__lt=date(year, 1, 1)).values(
        "organization_id"
    )
    again = issued.filter(organization_id__in=held_before)
    first = issued.exclude(organization_id__in=held_before)
    total, repeated = issued.count(), again.count()
    return Figure(
        label=label or _("新认定%(kind)s") % {"kind": _kind_label(kind)},
        value=total,
        records=issued,
        unit=_("家"),
        parts=(
            Figure(_("首次认定"), total - repeated, first, _("家")),
            Figure(_("重新认定"), repeated, again, _("家")),
        ),
    )


def _held(day: date, kind: str) -> Exists:
    # EXISTS, not pk IN (…): PostgreSQL plans NOT EXISTS as an anti-join even without fresh statistics,
    # where NOT IN over a just-loaded table became a nested loop of minutes.
    return Exists(Qualification.objects.in_force(day).filter(kind=kind, organization_id=OuterRef("pk")))


def _holders(region: Region | str, day: date, kind: str) -> QuerySet[Organization]:
    return enterprises_in(region).filter(_held(day, kind))


def total_in_force(region: Region | str, day: date, kind: str, *, label: str | None = None) -> Figure:
    """Enterprises of `region` holding a qualification of `kind` in force on `day`."""
    holders = _holders(region, day, kind)
    return Figure(
        label=label or _("%(kind)s总数") % {"kind": _kind_label(kind)},
        value=holders.count(),
        records=holders,
        unit=_("家"),
    )


def net_increase(region: Region | str, year: int, kind: str, *, label: str | None = None) -> Figure:
    """Total in force at the end of `year` minus total at the end of the year before; records: the gained."""
    end = total_in_force(region, _year_end(year), kind, label=_("年末总数"))
    start = total_in_force(region, _year_end(year - 1), kind, label=_("上年末总数"))
    held_end, held_start = _held(_year_end(year), kind), _held(_year_end(year - 1), kind)
    gained_qs = enterprises_in(region).filter(held_end).exclude(held_start)
    lost_qs = enterprises_in(region).filter(held_start).exclude(held_end)
    gained = Figure(_("新增"), gained_qs.count(), gained_qs, _("家"))
    lost = Figure(_("减少"), lost_qs.count(), lost_qs, _("家"))
    return Figure(
        label=label or _("%(kind)s净增") % {"kind": _kind_label(kind)},
        value=end.value - start.value,
        records=gained_qs,
        unit=_("家"),
        parts=(end, start, gained, lost),
    )


# --------------------------------------------------------------------------------------------
# Tiers


@dataclass(eq=False)
class TierRow:
    """One child region's enterprises per tier (`code` is the region itself for those registered there)."""

    code: str
    name: str
    counts: dict[str, int]
    total: int


@dataclass(eq=False)
class TierFigures:
    """Enterprises of a region per tier on a day, in total and per child region."""

    region: str
    day: date
    stored: bool  # True: read from Organization.tier (today); False: computed from qualifications
    counts: dict[str, int]
    total: int
    rows: list[TierRow]
    _codes_of_child: dict[str, list[str]] = field(repr=False)
    _ids: dict[tuple[str, str], list[int]] = field(repr=False)

    def records(self, tier: str | None = None, child: str | None = None) -> QuerySet[Organization]:
        """The enterprises counted in one cell (any argument left out: all of them)."""
        qs = enterprises_in(self.region)
        if child is not None:
            qs = qs.filter(region_id__in=self._codes_of_child.get(child, []))
        if tier is None:
            return qs
        if self.stored:
            return qs.filter(tier=tier)
        # A past day's tiers exist only here: the enterprises are named by primary key.
        children = {child} if child is not None else set(self._codes_of_child)
        if tier == Tier.NONE:
            tiered = [pk for (c, _t), ids in self._ids.items() if c in children for pk in ids]
            return qs.exclude(pk__in=tiered)
        return qs.filter(pk__in=[pk for c in children for pk in self._ids.get((c, tier), [])])

    def figure(self, tier: str, child: str | None = None) -> Figure:
        count = (
            self.counts[tier] if child is None else next(r.counts[tier] for r in self.rows if r.code == child)
        )
        return Figure(str(Tier(tier).label), count, self.records(tier, child), _("家"))


def _children(region: str) -> tuple[dict[str, str], dict[str, str]]:
    """For every region under `region`: the direct child it lies in (itself for `region`); and child names."""
    path = Region.objects.values_list("path", flat=True).get(pk=region)
    depth = path.count("/")
    child_of: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, sub_path, name in Region.objects.filter(path__startswith=path).values_list(
        "code", "path", "name"
    ):
        parts = sub_path.split("/")
        child = parts[depth] if len(parts) > depth + 1 else region
        child_of[code] = child
        if code == child:
            names[code] = name
    names[region] = _("%(name)s本级") % {"name": names[region]}
    return child_of, names


def enterprises_by_tier(region: Region | str, day: date | None = None) -> TierFigures:
    """Enterprises per tier on `day` (default today), in total and per direct child region of `region`."""
    code = _code(region)
    today = timezone.localdate()
    day = day or today
    stored = day == today
    child_of, names = _children(code)
    base = enterprises_in(code)
    per_child = {child: dict.fromkeys(TIER_ORDER, 0) for child in names}
    ids: dict[tuple[str, str], list[int]] = {}
    if stored:
        for row in base.values("region_id", "tier").annotate(n=Count("id")).order_by():
            per_child[child_of[row["region_id"]]][row["tier"]] += row["n"]
    else:
        # One read of the qualifications in force that day; tier_of decides, as for the stored tier.
        held: dict[int, set[tuple[str, str]]] = {}
        where: dict[int, str] = {}
        in_force = _of_enterprises_in(Qualification.objects.in_force(day), code)
        for org_id, region_id, kind, level in in_force.values_list(
            "organization_id", "organization__region_id", "kind", "level"
        ):
            held.setdefault(org_id, set()).add((kind, level))
            where[org_id] = region_id
        for org_id, pairs in held.items():
            tier = tier_of(pairs)
            if tier != Tier.NONE:
                child = child_of[where[org_id]]
                ids.setdefault((child, tier), []).append(org_id)
                per_child[child][tier] += 1
        for row in base.values("region_id").annotate(n=Count("id")).order_by():
            per_child[child_of[row["region_id"]]][Tier.NONE] += row["n"]
        for counts in per_child.values():
            counts[Tier.NONE] -= sum(n for t, n in counts.items() if t != Tier.NONE)

    codes_of_child: dict[str, list[str]] = {}
    for sub, child in child_of.items():
        codes_of_child.setdefault(child, []).append(sub)
    # Children in code order; the region's own row (enterprises registered at its level) last, if any.
    rows = [
        TierRow(
            child,
            names[child],
            {str(t): n for t, n in per_child[child].items()},
            sum(per_child[child].values()),
        )
        for child in sorted(names, key=lambda c: (c == code, c))
        if child != code or sum(per_child[child].values())
    ]
    counts = {str(t): sum(r.counts[str(t)] for r in rows) for t in TIER_ORDER}
    return TierFigures(
        region=code,
        day=day,
        stored=stored,
        counts=counts,
        total=sum(counts.values()),
        rows=rows,
        _codes_of_child=codes_of_child,
        _ids=ids,
    )


# --------------------------------------------------------------------------------------------
# R&D expense


def _sum_of(fields: tuple[str, ...]):
    return Sum(reduce(add, (F(name) for name in fields)), output_field=_AMOUNT)


def _amount(value) -> Decimal:
    return (value or _ZERO).quantize(_CENT, ROUND_HALF_UP)


def _growth(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return ((now - before) / before).quantize(_RATE, ROUND_HALF_UP)


@dataclass(eq=False)
class RdExpense:
    """One year's R&D expense of a region's enterprises, from their submitted annual data."""

    year: int
    hnte_total: Figure  # 高企口径, actual amounts
    sd_total: Figure  # 加计扣除口径, actual amounts (费用化)
    reporters: Figure  # enterprises that submitted the year
    previous_total: Figure  # 高企口径 of the year before, all its reporters
    growth: Figure  # plain totals: hnte_total against previous_total
    same_growth: Figure  # the enterprises that submitted both years only


def submitted_annual_data(region: Region | str, year: int) -> QuerySet[AnnualData]:
    return _of_enterprises_in(AnnualData.objects.filter(year=year, status=AnnualDataStatus.SUBMITTED), region)


def rd_expense(region: Region | str, year: int) -> RdExpense:
    """R&D totals per 口径, number of reporting enterprises, and growth against the previous year."""
    rows = submitted_annual_data(region, year)
    before = submitted_annual_data(region, year - 1)
    totals = rows.aggregate(hnte=_sum_of(HNTE_RD_FIELDS), sd=_sum_of(SD_RD_FIELDS), n=Count("id"))
    previous = _amount(before.aggregate(hnte=_sum_of(HNTE_RD_FIELDS))["hnte"])
    both_now = rows.filter(Exists(before.filter(organization_id=OuterRef("organization_id")).values("pk")))
    both_before = before.filter(Exists(rows.filter(organization_id=OuterRef("organization_id")).values("pk")))
    same_now = _amount(both_now.aggregate(v=_sum_of(HNTE_RD_FIELDS))["v"])
    same_before = _amount(both_before.aggregate(v=_sum_of(HNTE_RD_FIELDS))["v"])
    yuan = _("元")
    hnte_total = Figure(_("研发费用（高企口径）"), _amount(totals["hnte"]), rows, yuan)
    previous_total = Figure(_("上年研发费用（高企口径）"), previous, before, yuan)
    return RdExpense(
        year=year,
        hnte_total=hnte_total,
        sd_total=Figure(_("研发费用（加计扣除口径）"), _amount(totals["sd"]), rows, yuan),
        reporters=Figure(_("填报企业数"), totals["n"], rows, _("家")),
        previous_total=previous_total,
        growth=Figure(
            _("研发费用增长率（全部填报企业合计比较）"),
            _growth(hnte_total.value, previous),
            rows | before,
            parts=(hnte_total, previous_total),
        ),
        same_growth=Figure(
            _("研发费用增长率（两年均填报的同一批企业比较）"),
            _growth(same_now, same_before),
            both_now | both_before,
            parts=(
                Figure(_("本年研发费用（同一批企业）"), same_now, both_now, yuan),
                Figure(_("上年研发费用（同一批企业）"), same_before, both_before, yuan),
            ),
        ),
    )


# --------------------------------------------------------------------------------------------
# The annual report's enterprise rows


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """The enterprise figures of the annual report (工作总结), worded as the bureau publishes them."""
    hnte = QualificationKind.HNTE
    return [
        new_recognitions(region, year, hnte, label=_("新认定高新技术企业")),
        net_increase(region, year, hnte, label=_("高新技术企业净增")),
        total_in_force(region, _year_end(year), hnte, label=_("高新技术企业总数")),
        new_recognitions(region, year, QualificationKind.TSME, label=_("新增省科技型中小企业")),
        new_recognitions(region, year, QualificationKind.ENTERPRISE_INSTITUTE, label=_("新增省级企业研究院")),
        new_recognitions(
            region, year, QualificationKind.HNTE_RD_CENTER, label=_("新增省级高新技术企业研究开发中心")
        ),
    ]

"""Voucher figures for the dashboard and the annual report (issue 6 items 5 and 7): what the bureau publishes as
"发放创新券4686万元，使用1866万元", and the same money per year, region, category and provider.

Every function takes a region (a `Region` or its code: the region and everything under it, so a county's
program counts in its city) and a year, and reads the ledger (`LedgerEntry`) with a few grouped queries,
whatever the number of records. Rows are plain dicts of Decimal yuan (and counts), ready for a table.

Definitions (the demo calibration in `vouchers/demo.py` relies on them):

* 发放 (`issued`): ISSUE entries — quotas granted — of the programs of the region, recorded (entry time,
  Asia/Shanghai) in the year. Gross: a quota that later expires unused was still issued. 到期收回
  (`expired`): EXPIRE entries recorded in the year (the unused part of quotas returned to the budget); the
  net figure is `issued - expired`.
* 使用 / 兑付 (`redeemed`): REDEEM entries (the enterprise confirmed the service, the voucher paid its share),
  in the year of the booking's confirmation (`Booking.confirmed_at`). A redemption counts for two regions
  (通用通兑): the issuing region (the program's, `Booking.issuing_region`: "issued by", the region that pays)
  and the region where the service was provided (`Booking.service_region`, the offering's: "used in").
  `redeemed` is always the issuer's view; `used_in` the service region's.
* 跨地区使用 (cross-region): a redemption whose service region is neither the issuing region nor under it (a
  city's voucher used in one of its counties is the city's own; a county's voucher used in the next county, or
  a city's in a partner city, is cross-region).
* 结算 / 拨付 (`settled` / `paid`): SETTLE / PAY entries recorded in the year, for the issuing region only: the
  issuer settles and pays, also for its vouchers used elsewhere.
* Roll-up: rows per region are the direct children of the region asked for (a town counts in its county, a
  county in its city); what is recorded at the region's own level is its own row ("绍兴市本级"); a region
  outside it (a partner city's county) is shown at the same level, with its city's name.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from kechuang.core.figures import Figure
from kechuang.regions.models import Region

from .enums import EntryKind, ServiceCategory
from .models import ZERO, LedgerEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
WAN = Decimal("10000")  # 1 万元 in yuan
AMOUNTS = ("issued", "expired", "redeemed", "settled", "paid")
_KIND_FIELD = {
    EntryKind.ISSUE: "issued",
    EntryKind.EXPIRE: "expired",
    EntryKind.SETTLE: "settled",
    EntryKind.PAY: "paid",
}


def _code(region: Region | str) -> str:
    return region.code if isinstance(region, Region) else region


def _year(year: int) -> tuple[datetime, datetime]:
    """The year as [start, end) in Asia/Shanghai."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def wan(amount: Decimal | None) -> Decimal:
    """Yuan as whole 万元 (half up), as the report writes it: 46,860,000.00 → 4686."""
    return ((amount or ZERO) / WAN).quantize(Decimal("1"), ROUND_HALF_UP)


class Regions:
    """Every region in one query: which are under which, and the row each one rolls up to under `root`."""

    def __init__(self, root: Region | str):
        self.root = _code(root)
        self.rows = {
            code: (name, level, parent, path)
            for code, name, level, parent, path in Region.objects.values_list(
                "code", "name", "level", "parent_id", "path"
            )
        }
        self.depth = len(self._segments(self.root))  # the children of root sit at this index of a path

    def _segments(self, code: str) -> list[str]:
        return self.rows[code][3].rstrip("/").split("/")

    def under(self, code: str, ancestor: str) -> bool:
        """`code` is `ancestor` or lies under it."""
        return self.rows[code][3].startswith(self.rows[ancestor][3])

    def inside(self, code: str) -> bool:
        return self.under(code, self.root)

    def codes(self) -> list[str]:
        """The root and every region under it (what a region filter takes)."""
        return [code for code in self.rows if self.inside(code)]

    def group(self, code: str) -> str:
        """The row `code` counts in: the root's child above it, the root itself (本级), or, outside the root,
        its ancestor at the level of the root's children."""
        segments = self._segments(code)
        return segments[min(self.depth, len(segments) - 1)]

    def label(self, code: str) -> str:
        name, _level, parent, _path = self.rows[code]
        if code == self.root:
            return _("%(name)s本级") % {"name": name}
        if self.inside(code) or parent is None or self.rows[parent][1] == "province":
            return name
        return self.rows[parent][0] + name

    def order(self, code: str) -> tuple:
        """Rows in this order: the root's children by code, the root's own level, then regions outside."""
        return (not self.inside(code), code == self.root, code)

    def cross(self, issuing: str, service: str) -> bool:
        """A redemption is cross-region when it was used outside the issuing region."""
        return not self.under(service, issuing)


def _entries(kinds, start: datetime, end: datetime) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(kind__in=kinds, created_at__gte=start, created_at__lt=end)


def _redemptions(year: int) -> QuerySet[LedgerEntry]:
    start, end = _year(year)
    return LedgerEntry.objects.filter(
        kind=EntryKind.REDEEM, booking__confirmed_at__gte=start, booking__confirmed_at__lt=end
    )


def _touching(qs: QuerySet, codes: list[str]) -> QuerySet:
    """Redemptions issued by or used in the region."""
    return qs.filter(Q(booking__issuing_region_id__in=codes) | Q(booking__service_region_id__in=codes))


def _pairs(region: Region | str, year: int, extra: tuple[str, ...] = (), regions: Regions | None = None):
    """The year's redemptions issued by or used in the region, summed per (issuing, service, *extra)."""
    regions = regions or Regions(region)
    rows = (
        _touching(_redemptions(year), regions.codes())
        .order_by()
        .values("booking__issuing_region_id", "booking__service_region_id", *extra)
        .annotate(amount=Sum("amount"), n=Count("booking_id", distinct=True))
    )
    return regions, list(rows)


def _blank(**fields) -> dict:
    return {**fields, **dict.fromkeys(AMOUNTS, ZERO), "cross_region": ZERO, "bookings": 0}


# --------------------------------------------------------------------------------------------
# Totals


def summary(region: Region | str, year: int) -> dict:
    """The region's figures of the year: issued, expired, net issued, redeemed (as issuer), settled, paid;
    used_in (redeemed with providers in the region, whoever issued); and the flows across the region's border:
    `used_elsewhere` (its vouchers used outside it) and `used_from_elsewhere` (vouchers issued outside it —
    a partner's, or for a county its city's — used in it). Three queries."""
    regions = Regions(region)
    codes = regions.codes()
    start, end = _year(year)
    out = {"region": regions.root, "year": year, **dict.fromkeys(AMOUNTS, ZERO)}
    for kind, total in (
        _entries(tuple(_KIND_FIELD), start, end)
        .filter(program__region_id__in=codes)
        .order_by()
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    ):
        out[_KIND_FIELD[kind]] = total
    out.update(
        net_issued=out["issued"] - out["expired"],
        used_in=ZERO,
        used_elsewhere=ZERO,
        used_from_elsewhere=ZERO,
        bookings=0,
        bookings_used_in=0,
    )
    _regions, rows = _pairs(region, year, regions=regions)
    for row in rows:
        issuing, service = row["booking__issuing_region_id"], row["booking__service_region_id"]
        if regions.inside(issuing):
            out["redeemed"] += row["amount"]
            out["bookings"] += row["n"]
            if not regions.inside(service):
                out["used_elsewhere"] += row["amount"]
        if regions.inside(service):
            out["used_in"] += row["amount"]
            out["bookings_used_in"] += row["n"]
            if not regions.inside(issuing):
                out["used_from_elsewhere"] += row["amount"]
    return out


def by_year(region: Region | str, first: int, last: int) -> list[dict]:
    """Issued, expired, redeemed, settled and paid of the region per year from `first` to `last`. Two
    queries."""
    regions = Regions(region)
    codes = regions.codes()
    start, end = _year(first)[0], _year(last)[1]
    years = {y: {"year": y, **dict.fromkeys(AMOUNTS, ZERO), "bookings": 0} for y in range(first, last + 1)}
    for y, kind, total in (
        _entries(tuple(_KIND_FIELD), start, end)
        .filter(program__region_id__in=codes)
        .annotate(y=ExtractYear("created_at", tzinfo=SHANGHAI))
        .order_by()
        .values("y", "kind")
        .annotate(total=Sum("amount"))
        .values_list("y", "kind", "total")
    ):
        years[y][_KIND_FIELD[kind]] += total
    for y, total, n in (
        LedgerEntry.objects.filter(
            kind=EntryKind.REDEEM,
            booking__confirmed_at__gte=start,
            booking__confirmed_at__lt=end,
            booking__issuing_region_id__in=codes,
        )
        .annotate(y=ExtractYear("booking__confirmed_at", tzinfo=SHANGHAI))
        .order_by()
        .values("y")
        .annotate(total=Sum("amount"), n=Count("booking_id", distinct=True))
        .values_list("y", "total", "n")
    ):
        years[y]["redeemed"] += total
        years[y]["bookings"] += n
    return [years[y] for y in sorted(years)]


# --------------------------------------------------------------------------------------------
# Per region


def by_issuing_region(region: Region | str, year: int) -> list[dict]:
    """Per region the vouchers were issued by (the region's children and its own level): issued, expired,
    redeemed (wherever used), of which cross-region, settled and paid (the issuer pays). Three queries."""
    regions = Regions(region)
    codes = regions.codes()
    start, end = _year(year)
    rows: dict[str, dict] = {}

    def row(code: str) -> dict:
        key = regions.group(code)
        if key not in rows:
            rows[key] = _blank(code=key, name=regions.label(key))
        return rows[key]

    for program_region, kind, total in (
        _entries(tuple(_KIND_FIELD), start, end)
        .filter(program__region_id__in=codes)
        .order_by()
        .values("program__region_id", "kind")
        .annotate(total=Sum("amount"))
        .values_list("program__region_id", "kind", "total")
    ):
        row(program_region)[_KIND_FIELD[kind]] += total
    _regions, pairs = _pairs(region, year, regions=regions)
    for pair in pairs:
        issuing, service = pair["booking__issuing_region_id"], pair["booking__service_region_id"]
        if not regions.inside(issuing):
            continue
        target = row(issuing)
        target["redeemed"] += pair["amount"]
        target["bookings"] += pair["n"]
        if regions.cross(issuing, service):
            target["cross_region"] += pair["amount"]
    return sorted(rows.values(), key=lambda r: regions.order(r["code"]))


def by_service_region(region: Region | str, year: int) -> list[dict]:
    """Per region the vouchers were used in (the region's children, whoever issued them): redeemed, bookings,
    and the part that was cross-region (vouchers of another region, under 通用通兑). Two queries."""
    regions, pairs = _pairs(region, year)
    rows: dict[str, dict] = {}
    for pair in pairs:
        issuing, service = pair["booking__issuing_region_id"], pair["booking__service_region_id"]
        if not regions.inside(service):
            continue
        key = regions.group(service)
        target = rows.setdefault(
            key,
            {"code": key, "name": regions.label(key), "redeemed": ZERO, "cross_region": ZERO, "bookings": 0},
        )
        target["redeemed"] += pair["amount"]
        target["bookings"] += pair["n"]
        if regions.cross(issuing, service):
            target["cross_region"] += pair["amount"]
    return sorted(rows.values(), key=lambda r: regions.order(r["code"]))


def cross_region_matrix(region: Region | str, year: int) -> list[dict]:
    """Cross-region redemptions touching the region, per (issued by, used in) pair of rows, largest first:
    redeemed and bookings in the year (by confirmation), and what the issuer settled and paid for them in the
    year. Three queries."""
    regions, pairs = _pairs(region, year)
    cells: dict[tuple[str, str], dict] = {}

    def cell(issuing: str, service: str) -> dict:
        key = (regions.group(issuing), regions.group(service))
        if key not in cells:
            cells[key] = {
                "issued_by": key[0],
                "issued_by_name": regions.label(key[0]),
                "used_in": key[1],
                "used_in_name": regions.label(key[1]),
                "redeemed": ZERO,
                "bookings": 0,
                "settled": ZERO,
                "paid": ZERO,
            }
        return cells[key]

    for pair in pairs:
        issuing, service = pair["booking__issuing_region_id"], pair["booking__service_region_id"]
        if regions.cross(issuing, service):
            target = cell(issuing, service)
            target["redeemed"] += pair["amount"]
            target["bookings"] += pair["n"]
    start, end = _year(year)
    for issuing, service, kind, total in (
        _touching(_entries((EntryKind.SETTLE, EntryKind.PAY), start, end), regions.codes())
        .order_by()
        .values("booking__issuing_region_id", "booking__service_region_id", "kind")
        .annotate(total=Sum("amount"))
        .values_list("booking__issuing_region_id", "booking__service_region_id", "kind", "total")
    ):
        if regions.cross(issuing, service):
            cell(issuing, service)[_KIND_FIELD[kind]] += total
    return sorted(cells.values(), key=lambda c: (-c["redeemed"], -c["settled"], c["issued_by"], c["used_in"]))


# --------------------------------------------------------------------------------------------
# Per category and provider


def by_category(region: Region | str, year: int, *, basis: str = "issuer") -> list[dict]:
    """Redeemed and bookings per service category (every category, in the catalogue's order). `basis`:
    "issuer" counts the region's vouchers wherever used, "service" the vouchers used in the region. Two
    queries."""
    regions, pairs = _pairs(region, year, ("booking__category",))
    side = "booking__issuing_region_id" if basis == "issuer" else "booking__service_region_id"
    totals: dict[str, list] = defaultdict(lambda: [ZERO, 0, ZERO])
    for pair in pairs:
        if regions.inside(pair[side]):
            entry = totals[pair["booking__category"]]
            entry[0] += pair["amount"]
            entry[1] += pair["n"]
            if regions.cross(pair["booking__issuing_region_id"], pair["booking__service_region_id"]):
                entry[2] += pair["amount"]
    return [
        {
            "category": value,
            "name": str(label),
            "redeemed": totals[value][0],
            "bookings": totals[value][1],
            "cross_region": totals[value][2],
        }
        for value, label in ServiceCategory.choices
    ]


def by_provider(
    region: Region | str, year: int, *, basis: str = "service", limit: int | None = None
) -> list[dict]:
    """Per provider, largest first: redeemed and bookings of the year (by confirmation), and what was settled
    and paid to it in the year. `basis`: "service" (default) the services provided in the region, "issuer"
    the providers anywhere that took the region's vouchers. Two queries."""
    regions = Regions(region)
    codes = regions.codes()
    field = "booking__service_region_id" if basis == "service" else "booking__issuing_region_id"
    start, end = _year(year)
    rows: dict[int, dict] = {}

    def row(provider_id: int, name: str, region_id: str) -> dict:
        if provider_id not in rows:
            rows[provider_id] = {
                "provider_id": provider_id,
                "name": name,
                "region": region_id,
                "redeemed": ZERO,
                "bookings": 0,
                "cross_region": ZERO,
                "settled": ZERO,
                "paid": ZERO,
            }
        return rows[provider_id]

    provider = ("booking__provider_id", "booking__provider__name", "booking__provider__region_id")
    for pair in (
        _redemptions(year)
        .filter(**{f"{field}__in": codes})
        .order_by()
        .values(*provider, "booking__issuing_region_id", "booking__service_region_id")
        .annotate(amount=Sum("amount"), n=Count("booking_id", distinct=True))
    ):
        target = row(*(pair[name] for name in provider))
        target["redeemed"] += pair["amount"]
        target["bookings"] += pair["n"]
        if regions.cross(pair["booking__issuing_region_id"], pair["booking__service_region_id"]):
            target["cross_region"] += pair["amount"]
    for *ids, kind, total in (
        _entries((EntryKind.SETTLE, EntryKind.PAY), start, end)
        .filter(**{f"{field}__in": codes})
        .order_by()
        .values(*provider, "kind")
        .annotate(total=Sum("amount"))
        .values_list(*provider, "kind", "total")
    ):
        row(*ids)[_KIND_FIELD[kind]] += total
    ranked = sorted(rows.values(), key=lambda r: (-r["redeemed"], -r["settled"], r["provider_id"]))
    return ranked[:limit] if limit is not None else ranked


# --------------------------------------------------------------------------------------------
# The annual report's voucher rows


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """创新券发放 and 创新券使用 of the annual report (工作总结) in 万元 as the bureau words them
    ("发放创新券4686万元，使用1866万元"), each with its records (the ledger entries) and its parts in exact yuan."""
    regions = Regions(region)
    codes = regions.codes()
    start, end = _year(year)
    figures = summary(region, year)
    yuan, wan_unit = _("元"), _("万元")
    issued_qs = _entries((EntryKind.ISSUE,), start, end).filter(program__region_id__in=codes)
    expired_qs = _entries((EntryKind.EXPIRE,), start, end).filter(program__region_id__in=codes)
    redeemed_qs = _redemptions(year).filter(booking__issuing_region_id__in=codes)
    used_in_qs = _redemptions(year).filter(booking__service_region_id__in=codes)
    elsewhere_qs = redeemed_qs.exclude(booking__service_region_id__in=codes)
    from_elsewhere_qs = used_in_qs.exclude(booking__issuing_region_id__in=codes)
    return [
        Figure(
            _("创新券发放"),
            wan(figures["issued"]),
            issued_qs,
            wan_unit,
            (
                Figure(_("发放金额（元）"), figures["issued"], issued_qs, yuan),
                Figure(_("到期收回（元）"), figures["expired"], expired_qs, yuan),
            ),
        ),
        Figure(
            _("创新券使用"),
            wan(figures["redeemed"]),
            redeemed_qs,
            wan_unit,
            (
                Figure(_("兑付金额（元）"), figures["redeemed"], redeemed_qs, yuan),
                Figure(_("在本地区以外使用（元）"), figures["used_elsewhere"], elsewhere_qs, yuan),
                Figure(
                    _("其他地区发放、在本地区使用（元）"),
                    figures["used_from_elsewhere"],
                    from_elsewhere_qs,
                    yuan,
                ),
            ),
        ),
    ]


def calibration_figures(region: Region | str, year: int) -> dict[str, Decimal]:
    """The report's voucher figures by label (the demo checks its calibration with them)."""
    return {figure.label: figure.value for figure in report_figures(region, year)}

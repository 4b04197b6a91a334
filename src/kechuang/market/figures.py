"""Market figures for the dashboard and the annual report (issue 5): what the bureau publishes as
"摸排提炼企业技术需求495项，征集高校院所科技成果1106项，举办科技对接活动33场，达成意向合作项目131项，技术交易额56亿元".

Each function takes a region (a `Region` or its code: the region and everything under it, as
`regions.selectors.regions_under` gives it) and a year, computes its number in the database and returns an
`enterprises.figures.Figure`: the value, the lazy queryset of exactly the records counted or summed
(`records`), a unit, and `parts` (per child region, or the components of a sum), each with its own records.

Definitions (the demo calibration in `market/demo.py` relies on them):

* 摸排提炼企业技术需求 (`demands_collected`): demand listings of enterprises, in the region where they were
  posted (`Listing.region`, the organization's region at the time), recorded (`created_at`, Asia/Shanghai) in
  the year, that reached the bureau: submitted at least once (`submitted_at` set), or drafted by the bureau
  from a liaison visit's need (`source_need` set: that is the 摸排 itself). Not counted: drafts nobody ever
  submitted, and listings withdrawn before they were ever published (state withdrawn, `published_at` empty).
  A listing counts in the year it was recorded, whatever happened to it later (published, returned, expired,
  withdrawn after publication): `created_at` never moves, whereas `submitted_at` is the *last* submission
  and moves with every resubmission. Demands of institutions are not 企业技术需求 and are left out.
* 征集高校院所科技成果 (`achievements_collected`): the same rule for achievement listings of institutions
  (高校院所, organization kind institution). Achievements posted by enterprises are in the market but are not
  高校院所科技成果: they are left out. Parts: per child region.
* 科技对接活动 (`events_held`): matchmaking events of the region (`MatchmakingEvent.region`) that were held —
  state finished — with `held_on` in the year. Cancelled events and events still being prepared do not count
  (the same rule as `events.events_held`).
* 达成意向合作项目 (`intents_reached`): scheduled meetings (a slot was given) at those events whose outcome is
  达成意向 or 签约: a signed meeting reached an intent first. One clear source — the bureau's own events;
  negotiation threads reaching 达成意向 online are reported by the threads funnel, not here. Parts: intent,
  signed. The same count as `events.event_figures(...).total.intents`.
* 技术交易额 (`contract_figures`): the sum of `transaction_amount` (技术交易额 = 合同成交额 − 非技术性费用,
  rules.md §5.3) of the contracts registered (state registered, `registered_on` in the year) whose seller is
  in the region (输出, by `seller_region`, as `contracts.contract_statistics` counts 输出). The value is in
  亿元 with one decimal, for the report's sentence; its parts hold the exact Decimal yuan of both amounts and
  the number of contracts. 技术合同成交额 (the sum of `contract_amount`) and the number of contracts are
  figures of their own: bureau reports quote either amount (rules.md §5.3), so both are kept.

Money is Decimal yuan (the parts) or Decimal 亿元 with one decimal (the headline values).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from kechuang.core.figures import Figure
from kechuang.organizations.enums import OrganizationKind
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from .enums import ContractState, EventState, ListingKind, ListingState, MeetingOutcome
from .models import ContractRegistration, Listing, MatchmakingEvent, Meeting

SHANGHAI = ZoneInfo("Asia/Shanghai")
YI = Decimal("100000000")  # 1 亿元 in yuan
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")
_ZERO = Decimal("0")
INTENT_OUTCOMES = (MeetingOutcome.INTENT, MeetingOutcome.SIGNED)


def _code(region: Region | str) -> str:
    return region.code if isinstance(region, Region) else region


def _year(year: int) -> tuple[datetime, datetime]:
    """The year as [start, end) in Asia/Shanghai."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def yi(amount: Decimal | None) -> Decimal:
    """Yuan as 亿元 with one decimal (half up), as the report writes it."""
    return ((amount or _ZERO) / YI).quantize(_TENTH, ROUND_HALF_UP)


class _Children:
    """The direct children of a region and the codes under each, from one query (the region's own level
    is the region itself)."""

    def __init__(self, region: Region | str):
        self.code = _code(region)
        rows = {
            code: (parent, name)
            for code, parent, name in Region.objects.filter(code__in=regions_under(self.code)).values_list(
                "code", "parent_id", "name"
            )
        }
        self.names = {code: name for code, (parent, name) in rows.items() if parent == self.code}
        self.own_name = rows[self.code][1]
        self.child_of: dict[str, str] = {}
        for code in rows:
            node = code
            while node != self.code and rows[node][0] != self.code:
                node = rows[node][0]
            self.child_of[code] = node
        self.codes: dict[str, list[str]] = {}
        for code, child in self.child_of.items():
            self.codes.setdefault(child, []).append(code)

    def parts(self, qs: QuerySet, field: str, unit: str) -> tuple[Figure, ...]:
        """`qs` counted per direct child region (by `field`, a region code), in code order; the records
        registered at the region's own level come last, when there are any. One grouped query."""
        counts: dict[str, int] = {}
        for region_id, n in qs.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"):
            child = self.child_of.get(region_id, self.code)
            counts[child] = counts.get(child, 0) + n
        parts = [
            Figure(name, counts.get(child, 0), qs.filter(**{f"{field}__in": self.codes[child]}), unit)
            for child, name in sorted(self.names.items())
        ]
        if counts.get(self.code):
            label = _("%(name)s本级") % {"name": self.own_name}
            parts.append(Figure(label, counts[self.code], qs.filter(**{field: self.code}), unit))
        return tuple(parts)


# --------------------------------------------------------------------------------------------
# Listings


def listings_collected(
    region: Region | str, year: int, kind: str, organization_kind: str
) -> QuerySet[Listing]:
    """Listings of `kind` by organizations of `organization_kind`, posted in `region`, recorded in `year`,
    that reached the bureau (submitted, or drafted from a liaison need), less those withdrawn unpublished."""
    start, end = _year(year)
    return (
        Listing.objects.filter(
            kind=kind,
            organization__kind=organization_kind,
            region_id__in=regions_under(_code(region)),
            created_at__gte=start,
            created_at__lt=end,
        )
        .filter(Q(submitted_at__isnull=False) | Q(source_need__isnull=False))
        .exclude(state=ListingState.WITHDRAWN, published_at__isnull=True)
    )


def demands_collected(region: Region | str, year: int, *, children: _Children | None = None) -> Figure:
    """摸排提炼企业技术需求: enterprises' demands recorded in `year` that reached the bureau."""
    qs = listings_collected(region, year, ListingKind.DEMAND, OrganizationKind.ENTERPRISE)
    parts = (children or _Children(region)).parts(qs, "region_id", _("项"))
    return Figure(_("摸排提炼企业技术需求"), sum(p.value for p in parts), qs, _("项"), parts)


def achievements_collected(region: Region | str, year: int, *, children: _Children | None = None) -> Figure:
    """征集高校院所科技成果: institutions' achievements recorded in `year` that reached the bureau."""
    qs = listings_collected(region, year, ListingKind.ACHIEVEMENT, OrganizationKind.INSTITUTION)
    parts = (children or _Children(region)).parts(qs, "region_id", _("项"))
    return Figure(_("征集高校院所科技成果"), sum(p.value for p in parts), qs, _("项"), parts)


# --------------------------------------------------------------------------------------------
# Events


def held_events(region: Region | str, year: int) -> QuerySet[MatchmakingEvent]:
    """Events of `region` finished and held (`held_on`) in `year`."""
    return MatchmakingEvent.objects.filter(
        state=EventState.FINISHED,
        held_on__gte=date(year, 1, 1),
        held_on__lte=date(year, 12, 31),
        region_id__in=regions_under(_code(region)),
    )


def events_held(region: Region | str, year: int, *, children: _Children | None = None) -> Figure:
    """科技对接活动: events of the region held in `year`."""
    qs = held_events(region, year)
    parts = (children or _Children(region)).parts(qs, "region_id", _("场"))
    return Figure(_("科技对接活动"), sum(p.value for p in parts), qs, _("场"), parts)


def intents_reached(region: Region | str, year: int) -> Figure:
    """达成意向合作项目: scheduled meetings with outcome intent or signed at the events held in `year`."""
    qs = Meeting.objects.filter(
        event__in=held_events(region, year), slot__isnull=False, outcome__in=INTENT_OUTCOMES
    )
    counts = qs.aggregate(
        intent=Count("pk", filter=Q(outcome=MeetingOutcome.INTENT)),
        signed=Count("pk", filter=Q(outcome=MeetingOutcome.SIGNED)),
    )
    unit = _("项")
    return Figure(
        _("达成意向合作项目"),
        counts["intent"] + counts["signed"],
        qs,
        unit,
        (
            Figure(_("达成意向"), counts["intent"], qs.filter(outcome=MeetingOutcome.INTENT), unit),
            Figure(_("现场签约"), counts["signed"], qs.filter(outcome=MeetingOutcome.SIGNED), unit),
        ),
    )


# --------------------------------------------------------------------------------------------
# Contracts


def registered_contracts(region: Region | str, year: int) -> QuerySet[ContractRegistration]:
    """Contracts registered in `year` whose seller is in `region` (输出)."""
    return ContractRegistration.objects.filter(
        state=ContractState.REGISTERED,
        registered_on__gte=date(year, 1, 1),
        registered_on__lte=date(year, 12, 31),
        seller_region_id__in=regions_under(_code(region)),
    )


def _yuan(value) -> Decimal:
    return (value if value is not None else _ZERO).quantize(_CENT, ROUND_HALF_UP)


def contract_figures(region: Region | str, year: int) -> tuple[Figure, Figure, Figure]:
    """技术交易额 and 技术合同成交额 (亿元, one decimal; exact yuan in their parts) and the number of
    contracts, over the contracts registered in `year` with the seller in `region`. One query."""
    qs = registered_contracts(region, year)
    totals = qs.aggregate(t=Sum("transaction_amount"), c=Sum("contract_amount"), n=Count("pk"))
    transaction, contract, n = _yuan(totals["t"]), _yuan(totals["c"]), totals["n"]
    yuan, yi_unit, items = _("元"), _("亿元"), _("项")
    exact_transaction = Figure(_("技术交易额（元）"), transaction, qs, yuan)
    exact_contract = Figure(_("合同成交额（元）"), contract, qs, yuan)
    count = Figure(_("技术合同登记数"), n, qs, items)
    return (
        Figure(_("技术交易额"), yi(transaction), qs, yi_unit, (exact_transaction, exact_contract, count)),
        Figure(_("技术合同成交额"), yi(contract), qs, yi_unit, (exact_contract,)),
        count,
    )


def transaction_amount(region: Region | str, year: int) -> Figure:
    """技术交易额 (输出) in 亿元 with one decimal; parts: exact yuan, 合同成交额, number of contracts."""
    return contract_figures(region, year)[0]


# --------------------------------------------------------------------------------------------
# The annual report's market rows


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """The market figures of the annual report (工作总结), in its order and worded as the bureau publishes them."""
    children = _Children(region)
    return [
        demands_collected(region, year, children=children),
        achievements_collected(region, year, children=children),
        events_held(region, year, children=children),
        intents_reached(region, year),
        *contract_figures(region, year),
    ]

"""Patterns bureaus ask to look at (风险提示). Each finding becomes one Flag for an officer of the issuing region;
nothing is blocked: the booking or redemption goes on, and the officer clears or confirms the flag.

* Related parties: the enterprise and the provider have the same legal representative, the same address, a
  shareholder in common (the registry's 主要股东), or one is a shareholder of the other.
* Voucher dependence: vouchers paid more than `DEPENDENCE_SHARE` of a provider's declared revenue of the
  year (its annual data), or, without annual data, the provider took more than `CONCENTRATION_SHARE` of all
  the program's redemptions (from `CONCENTRATION_MINIMUM` yuan of redemptions on, so one early booking does
  not count).
* Just under a threshold: an enterprise booked `UNDER_THRESHOLD_COUNT` or more services in a program at a fee
  within `UNDER_THRESHOLD_MARGIN` below a tier's start (e.g. three bookings of 9,600–9,999.99 yuan where the
  ratio changes at 10,000).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.text import clauses, enumeration

from .amounts import parse_tiers
from .enums import BookingState, FlagKind
from .models import Booking, Flag

DEPENDENCE_SHARE = Decimal("0.5")
CONCENTRATION_SHARE = Decimal("0.3")
CONCENTRATION_MINIMUM = Decimal("100000")
UNDER_THRESHOLD_MARGIN = Decimal("0.05")
UNDER_THRESHOLD_COUNT = 3

REDEEMED_STATES = (BookingState.CONFIRMED, BookingState.CLAIMED, BookingState.SETTLED, BookingState.PAID)
LIVE_STATES = (
    BookingState.REQUESTED,
    BookingState.ACCEPTED,
    BookingState.COMPLETED,
    BookingState.DISPUTED,
    *REDEEMED_STATES,
)


def _normal(text: str) -> str:
    """For comparing names and addresses: no spaces or punctuation, full-width digits as ASCII."""
    text = (text or "").translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"})
    return re.sub(r"[\s\-—–_,，.。()（）#＃]", "", text).lower()


def _shareholders(organization) -> dict[str, str]:
    """Normalized name → name as written, one per line of the registry's 主要股东."""
    names = ((organization.shareholders or "").replace("；", "\n").replace(";", "\n")).splitlines()
    return {_normal(name): name.strip() for name in names if _normal(name)}


def shareholder_links(enterprise, provider) -> list[str]:
    """Why the two look related through their owners: a common shareholder, or one owning the other."""
    reasons = []
    theirs = _shareholders(provider)
    ours = _shareholders(enterprise)
    common = [ours[key] for key in ours.keys() & theirs.keys()]
    if common:
        reasons.append(_("有共同股东%(names)s") % {"names": enumeration(sorted(common))})
    if _normal(provider.name) in ours:
        reasons.append(_("服务机构是企业的股东"))
    if _normal(enterprise.name) in theirs:
        reasons.append(_("企业是服务机构的股东"))
    return reasons


def _raise(*, key: str, **fields) -> Flag:
    flag, _created = Flag.objects.get_or_create(key=key, defaults=fields)
    return flag


def check_booking(booking: Booking) -> list[Flag]:
    """The checks a new booking may trigger: related parties, bookings just under a threshold."""
    flags = []
    enterprise, provider = booking.quota.organization, booking.provider
    program = booking.quota.program
    same = []
    if _normal(enterprise.legal_representative) and _normal(enterprise.legal_representative) == _normal(
        provider.legal_representative
    ):
        same.append(_("法定代表人均为%(name)s") % {"name": enterprise.legal_representative})
    if _normal(enterprise.address) and _normal(enterprise.address) == _normal(provider.address):
        same.append(_("地址相同（%(address)s）") % {"address": enterprise.address})
    same.extend(shareholder_links(enterprise, provider))
    if same:
        flags.append(
            _raise(
                key=f"related-{program.pk}-{enterprise.pk}-{provider.pk}",
                kind=FlagKind.RELATED_PARTIES,
                program=program,
                provider=provider,
                enterprise=enterprise,
                booking=booking,
                detail=_("%(e)s与服务机构%(p)s可能存在关联：%(why)s。")
                % {"e": enterprise.name, "p": provider.name, "why": clauses(same)},
                evidence={"reasons": same},
            )
        )
    under = _under_threshold(booking)
    if under:
        flags.append(under)
    return flags


def _under_threshold(booking: Booking) -> Flag | None:
    program = booking.quota.program
    tiers = parse_tiers(program.copay_tiers)
    for tier in tiers[1:]:
        low = tier.start * (1 - UNDER_THRESHOLD_MARGIN)
        near = Booking.objects.filter(
            quota__program=program,
            quota__organization_id=booking.quota.organization_id,
            state__in=LIVE_STATES,
            fee__gte=low,
            fee__lt=tier.start,
        )
        count = near.count()
        if count >= UNDER_THRESHOLD_COUNT:
            return _raise(
                key=f"threshold-{program.pk}-{booking.quota.organization_id}-{tier.start}",
                kind=FlagKind.UNDER_THRESHOLD,
                program=program,
                provider=booking.provider,
                enterprise=booking.quota.organization,
                booking=booking,
                detail=_(
                    "%(e)s在本计划有%(n)s笔服务费用在%(low)s元至%(top)s元之间，略低于%(top)s元的分档线。"
                )
                % {
                    "e": booking.quota.organization.name,
                    "n": count,
                    "low": low.quantize(Decimal("1")),
                    "top": tier.start,
                },
                evidence={"bookings": list(near.values_list("pk", flat=True)), "threshold": str(tier.start)},
            )
    return None


def check_provider(provider_id: int, *, program_id: int, year: int | None = None) -> Flag | None:
    """After a redemption: is the provider's business unusually dependent on vouchers? `year` is the
    redemption's (default this year): a program may run past its own year's end."""
    from kechuang.enterprises.models import AnnualData

    from .models import VoucherProgram

    program = VoucherProgram.objects.get(pk=program_id)
    year = year or timezone.localdate().year
    redeemed = Booking.objects.filter(provider_id=provider_id, state__in=REDEEMED_STATES)
    year_total = redeemed.filter(confirmed_at__year=year).aggregate(s=Sum("voucher_amount"))["s"] or Decimal(
        0
    )
    revenue = (
        AnnualData.objects.filter(organization_id=provider_id, year=year, main_revenue__isnull=False)
        .values_list("main_revenue", "other_revenue")
        .first()
    )
    if revenue:
        sales = revenue[0] + (revenue[1] or 0)
        if sales > 0 and year_total > sales * DEPENDENCE_SHARE:
            return _raise(
                key=f"share-revenue-{provider_id}-{year}",
                kind=FlagKind.VOUCHER_SHARE,
                program=program,
                provider_id=provider_id,
                detail=_("%(year)s年创新券兑付%(v)s元，占该机构申报营业收入%(sales)s元的%(pct)s%%。")
                % {
                    "year": year,
                    "v": _fen(year_total),
                    "sales": _fen(sales),
                    "pct": (year_total * 100 / sales).quantize(Decimal("0.1")),
                },
                evidence={"voucher_income": str(_fen(year_total)), "revenue": str(_fen(sales))},
            )
        return None
    in_program = redeemed.filter(quota__program=program).aggregate(s=Sum("voucher_amount"))["s"] or Decimal(0)
    total = program.redeemed
    if total >= CONCENTRATION_MINIMUM and in_program > total * CONCENTRATION_SHARE:
        return _raise(
            key=f"share-program-{provider_id}-{program.pk}",
            kind=FlagKind.VOUCHER_SHARE,
            program=program,
            provider_id=provider_id,
            detail=_("该机构获得本计划已兑付金额%(total)s元中的%(v)s元（%(pct)s%%），集中度异常。")
            % {
                "total": _fen(total),
                "v": _fen(in_program),
                "pct": (in_program * 100 / total).quantize(Decimal("0.1")),
            },
            evidence={"provider_redeemed": str(_fen(in_program)), "program_redeemed": str(_fen(total))},
        )
    return None


def _fen(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))

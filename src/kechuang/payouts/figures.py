"""政策兑现 figures of a region and year for the annual report and the dashboard.

The records are the paid claims of the region's payout items (items of the region and of the regions under
it), paid (paid_on) in the year. The amount is the approved amount of each.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from kechuang.core.figures import Figure
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from .enums import ClaimState
from .models import PayoutClaim

ZERO = Decimal("0.00")
WAN = Decimal("10000")


def wan(amount: Decimal | None) -> Decimal:
    """Yuan as 万元 with two decimals (half up): 2,350,000.00 → 235.00."""
    return ((amount or ZERO) / WAN).quantize(Decimal("0.01"), ROUND_HALF_UP)


def paid_claims(region: Region | str, year: int):
    return PayoutClaim.objects.filter(
        state=ClaimState.PAID, paid_on__year=year, item__region_id__in=regions_under(region)
    )


def report_figures(region: Region | str, year: int) -> list[Figure]:
    """政策兑现金额 (万元, parts per item in yuan) and 兑现企业数 (organizations paid in the year)."""
    paid = paid_claims(region, year)
    total = paid.aggregate(v=Sum("amount_approved"))["v"] or ZERO
    per_item = list(
        paid.values("item_id", "item__name").annotate(v=Sum("amount_approved")).order_by("-v", "item_id")
    )
    yuan = _("元")
    parts = tuple(
        Figure(row["item__name"], row["v"] or ZERO, paid.filter(item_id=row["item_id"]), yuan)
        for row in per_item
    )
    organizations = Organization.objects.filter(pk__in=paid.values("organization_id"))
    return [
        Figure(_("政策兑现金额"), wan(total), paid, _("万元"), parts),
        Figure(_("兑现企业数"), organizations.count(), organizations, _("家")),
    ]

"""What each user may see of payouts: items (open and closed ones are public; drafts for their region), an
organization's open items with its records, and claims (its own; a region's)."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from kechuang.core.models import AuditLog
from kechuang.core.scoping import user_region_codes

from . import eligibility
from .enums import ClaimState, ItemState
from .models import PayoutClaim, PayoutItem


def items_visible_to(user) -> QuerySet:
    qs = PayoutItem.objects.select_related("policy", "region")
    if not (user.is_authenticated and (user.is_superuser or user.is_region_scoped)):
        return qs.exclude(state=ItemState.DRAFT)
    codes = user_region_codes(user)
    if codes is None:
        return qs
    return qs.filter(~Q(state=ItemState.DRAFT) | Q(region_id__in=codes))


def item_get_visible(*, user, pk) -> PayoutItem | None:
    return items_visible_to(user).filter(pk=pk).first()


def region_chain(region) -> list[str]:
    """The codes of `region` and every region above it (from its path)."""
    return [code for code in region.path.split("/") if code]


def open_items_for(organization, today: date) -> list[PayoutItem]:
    """Items taking claims today from an organization of this region (an item of its region or above)."""
    return list(
        PayoutItem.objects.filter(
            state=ItemState.OPEN,
            applies_from__lte=today,
            applies_until__gte=today,
            region_id__in=region_chain(organization.region),
        ).select_related("policy", "region")
    )


def mine(organization, today: date) -> list[tuple[PayoutItem, list[eligibility.Record]]]:
    """Every open item with the organization's records (claimable first)."""
    items = open_items_for(organization, today)
    found = eligibility.records_for(items, organization)
    return [(item, sorted(found[item.pk], key=lambda r: not r.claimable)) for item in items]


def claims_visible_to(user) -> QuerySet:
    """Own claims for an organization's user; the claims of items or organizations in a region-scoped user's
    region; nothing for anyone else."""
    qs = PayoutClaim.objects.select_related("item", "organization", "organization__region")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        codes = user_region_codes(user)
        if codes is None:
            return qs
        return qs.filter(Q(item__region_id__in=codes) | Q(organization__region_id__in=codes))
    if user.active_organization_id:
        return qs.filter(organization_id=user.active_organization_id)
    return qs.none()


def claim_get_visible(*, user, pk) -> PayoutClaim | None:
    return (
        claims_visible_to(user)
        .select_related("item__policy", "item__region", "decided_by")
        .filter(pk=pk)
        .first()
    )


def filter_claims(qs: QuerySet, *, item=None, state: str = "", q: str = "") -> QuerySet:
    if item:
        qs = qs.filter(item=item)
    if state in ClaimState.values:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(basis_label__icontains=q))
    return qs


def items_for_filter(user) -> QuerySet:
    """Items a claim list may be filtered by: the user's region's (bureau) or those its organization claimed."""
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return items_visible_to(user)
    return PayoutItem.objects.filter(claims__organization_id=user.active_organization_id).distinct()


def history(claim) -> list[dict]:
    labels = dict(ClaimState.choices)
    lines = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(PayoutClaim),
            object_id=str(claim.pk),
            action=AuditLog.Action.TRANSITION,
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        {
            "at": line.at,
            "actor": str(line.actor) if line.actor_id and line.actor else line.actor_name,
            "from_label": str(labels.get(line.from_state, line.from_state)) if line.from_state else "",
            "to_label": str(labels.get(line.to_state, line.to_state)),
            "reason": line.reason,
        }
        for line in lines
    ]


def conditions(item) -> list[str]:
    """The item's terms in words ("资质类型：高新技术企业", "级别：国家级" …)."""
    from django.utils.translation import gettext as _

    from kechuang.carriers.enums import CarrierKind
    from kechuang.organizations.enums import QualificationKind, QualificationLevel
    from kechuang.patents.enums import PatentKind

    p = item.parameters or {}
    lines = []
    for key, label, choices in (
        ("qualification_kind", _("资质类型"), QualificationKind),
        ("patent_kind", _("专利类型"), PatentKind),
        ("carrier_kind", _("载体类型"), CarrierKind),
        ("level", _("级别"), QualificationLevel),
    ):
        if p.get(key):
            lines.append(f"{label}：{dict(choices.choices).get(p[key], p[key])}")
    if item.trigger == "contract":
        side = _("买方（技术吸纳方）") if eligibility.contract_side(p) == "buyer" else _("卖方（技术输出方）")
        lines.append(f"{_('合同当事方')}：{side}")
    return lines

"""Reads of the patent subsidy pages, scoped to what the user may see.

The bureau, leaders and officers see the policies and claims of their region (and below); an organization's users
see the open and closed policies that cover their organization's region, and only their own claims.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet

from kechuang.core.models import AuditLog
from kechuang.core.scoping import user_region_codes

from .enums import ClaimState, PolicyState
from .models import Patent, SubsidyClaim, SubsidyItem, SubsidyPolicy


def _region_codes(user) -> list[str] | None:
    """The region codes a region-scoped user sees (None: no limit), or [] for everyone else."""
    if user.is_superuser and not user.region_id:
        return None
    if not (user.is_superuser or user.is_region_scoped):
        return []
    return user_region_codes(user)


def _ancestor_codes(organization) -> list[str]:
    """The codes of the organization's region and every region above it (from the region's path)."""
    return [code for code in organization.region.path.split("/") if code]


def policies_visible_to(*, user) -> QuerySet[SubsidyPolicy]:
    """Region users: every policy of their region; an organization's users: open and closed policies covering it."""
    codes = _region_codes(user)
    qs = SubsidyPolicy.objects.select_related("region")
    if codes is None:
        return qs
    visible = Q(region_id__in=codes) if codes else Q(pk__in=[])
    organization = user.organization if user.active_organization_id else None
    if organization is not None:
        visible |= Q(
            state__in=(PolicyState.OPEN, PolicyState.CLOSED), region_id__in=_ancestor_codes(organization)
        )
    return qs.filter(visible)


def policy_get_visible(*, user, pk: int) -> SubsidyPolicy | None:
    return policies_visible_to(user=user).filter(pk=pk).first()


def claims_visible_to(*, user) -> QuerySet[SubsidyClaim]:
    """Region users: claims under their region's policies; an organization's users: their own claims."""
    codes = _region_codes(user)
    qs = SubsidyClaim.objects.select_related("policy", "organization").annotate(n_items=Count("items"))
    if codes is None:
        return qs
    visible = Q(policy__region_id__in=codes) if codes else Q(pk__in=[])
    if user.active_organization_id:
        visible |= Q(organization_id=user.active_organization_id)
    return qs.filter(visible)


def claim_get_visible(*, user, pk: int) -> SubsidyClaim | None:
    return claims_visible_to(user=user).select_related("policy__region", "decided_by").filter(pk=pk).first()


def claim_items(claim: SubsidyClaim) -> list[SubsidyItem]:
    return list(claim.items.select_related("patent").order_by("patent__granted_on", "pk"))


def organization_patents(*, organization, limit: int = 500) -> list[Patent]:
    """The organization's patents for the apply page, granted ones first by grant day (the rules judge each)."""
    return list(
        Patent.objects.filter(organization=organization).order_by(F("granted_on").asc(nulls_last=True), "pk")[
            :limit
        ]
    )


@dataclass(frozen=True)
class HistoryLine:
    at: object
    actor: str
    from_label: str
    to_label: str
    reason: str


def history_of(instance, labels: dict) -> list[HistoryLine]:
    """The recorded state changes of `instance` (who, when, from, to, why), oldest first."""
    lines = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(instance.pk),
            action=AuditLog.Action.TRANSITION,
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        HistoryLine(
            at=line.at,
            actor=str(line.actor) if line.actor_id and line.actor else line.actor_name,
            from_label=str(labels.get(line.from_state, line.from_state)) if line.from_state else "",
            to_label=str(labels.get(line.to_state, line.to_state)),
            reason=line.reason,
        )
        for line in lines
    ]


def claim_history(claim: SubsidyClaim) -> list[HistoryLine]:
    return history_of(claim, dict(ClaimState.choices))

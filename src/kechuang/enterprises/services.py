"""Writes shared by the enterprise module's areas: the tier kept on each organization.

Area services live beside their area: annual data (annual.py), qualifications (qualifications.py),
the reserve pool (reserve.py), liaison (liaison.py).
"""

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone

from kechuang.organizations.enums import OrganizationKind, Tier
from kechuang.organizations.models import Organization, Qualification

from .tiers import tier_of


def _today() -> date:
    return timezone.localdate()


def organization_refresh_tier(*, organization_id: int, day: date | None = None) -> Tier:
    """Recompute one enterprise's tier from its qualifications in force on `day` and store it if changed."""
    day = day or _today()
    held = (
        Qualification.objects.filter(organization_id=organization_id)
        .in_force(day)
        .values_list("kind", "level")
    )
    tier = tier_of(held)
    # A plain update: the tier is derived data, not an edit anyone made, so it is not audited line by line.
    Organization.objects.filter(pk=organization_id).exclude(tier=tier).update(tier=tier)
    return tier


@transaction.atomic
def tiers_refresh_all(*, day: date | None = None) -> int:
    """Recompute every enterprise's tier (daily, for expiries); returns how many changed."""
    day = day or _today()
    held: dict[int, set] = defaultdict(set)
    for org_id, kind, level in Qualification.objects.in_force(day).values_list(
        "organization_id", "kind", "level"
    ):
        held[org_id].add((kind, level))
    wanted: dict[str, list[int]] = defaultdict(list)
    current = Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).values_list("pk", "tier")
    for org_id, tier in current.iterator(chunk_size=5000):
        new = tier_of(held.get(org_id, ()))
        if new != tier:
            wanted[new].append(org_id)
    changed = 0
    for tier, ids in wanted.items():
        for start in range(0, len(ids), 900):
            changed += Organization.objects.filter(pk__in=ids[start : start + 900]).update(tier=tier)
    return changed

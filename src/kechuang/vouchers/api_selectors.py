"""Reads of the voucher API: every list scoped to what the caller may see, with what its rows show joined in.

A bureau (or an officer) sees the records of its region; an organization's user only its own. The scoping is
the same as the predicates in permissions.py, so a list never shows a row whose detail would be refused.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from kechuang.core.models import AuditLog
from kechuang.core.scoping import user_region_codes

from .enums import ProgramState, ProviderState
from .models import (
    Booking,
    Flag,
    LedgerEntry,
    Offering,
    ProviderProfile,
    Quota,
    SettlementBatch,
    VoucherProgram,
)


def _region_codes(user) -> list[str] | None:
    """Codes of the caller's region when it works for a region (None: no limit); [] for everyone else."""
    if not user.is_authenticated or not (user.is_superuser or user.is_region_scoped):
        return []
    return user_region_codes(user)


def _in_region(field: str, codes: list[str] | None) -> Q:
    if codes is None:
        return Q(pk__isnull=False)  # everything (an empty Q would vanish when OR-ed with another)
    return Q(**{f"{field}__in": codes}) if codes else Q(pk__in=[])


def programs_visible_to(*, user) -> QuerySet[VoucherProgram]:
    """Open programs for everyone signed in; every program of the caller's region for its bureau."""
    codes = _region_codes(user)
    qs = VoucherProgram.objects.select_related("region").prefetch_related("partner_regions")
    return qs.filter(Q(state=ProgramState.OPEN) | _in_region("region_id", codes))


def providers_visible_to(*, user) -> QuerySet[ProviderProfile]:
    """Provider profiles of the caller's region (bureau, officers)."""
    return ProviderProfile.objects.select_related("organization", "organization__region").filter(
        _in_region("organization__region_id", _region_codes(user))
    )


def offerings_public() -> QuerySet[Offering]:
    """The catalogue (创新地图): active offerings of verified providers."""
    return Offering.objects.select_related("provider", "region").filter(
        active=True, provider__voucher_provider__state=ProviderState.VERIFIED
    )


def offerings_visible_to(*, user) -> QuerySet[Offering]:
    """The catalogue, and every offering of the caller's own organization (also inactive ones)."""
    organization_id = user.active_organization_id if user.is_authenticated else None
    public = Q(active=True, provider__voucher_provider__state=ProviderState.VERIFIED)
    mine = Q(provider_id=organization_id) if organization_id else Q(pk__in=[])
    return Offering.objects.select_related("provider", "region").filter(public | mine)


def quotas_visible_to(*, user) -> QuerySet[Quota]:
    """The caller's organization's quotas; for a bureau, those of its region's programs."""
    organization_id = user.active_organization_id if user.is_authenticated else None
    mine = Q(organization_id=organization_id) if organization_id else Q(pk__in=[])
    region = _in_region("program__region_id", _region_codes(user))
    return Quota.objects.select_related("program", "organization").filter(mine | region)


def bookings_visible_to(*, user) -> QuerySet[Booking]:
    """Bookings the caller's organization made or received; for a bureau, those issued by or used in its
    region (通用通兑: both regions see them)."""
    organization_id = user.active_organization_id if user.is_authenticated else None
    codes = _region_codes(user)
    condition = _in_region("issuing_region_id", codes) | _in_region("service_region_id", codes)
    if organization_id:
        condition |= Q(quota__organization_id=organization_id) | Q(provider_id=organization_id)
    return Booking.objects.select_related(
        "quota",
        "quota__program",
        "quota__organization",
        "provider",
        "offering",
        "issuing_region",  # Booking.cross_region compares the two regions' paths
        "service_region",
    ).filter(condition)


def batches_visible_to(*, user) -> QuerySet[SettlementBatch]:
    """Settlement batches of the caller's region's programs (the issuing region settles)."""
    return (
        SettlementBatch.objects.select_related("program")
        .filter(_in_region("program__region_id", _region_codes(user)))
        .annotate(booking_count=Count("bookings"))
    )


def flags_visible_to(*, user) -> QuerySet[Flag]:
    """Risk flags of the caller's region's programs."""
    return Flag.objects.select_related("program", "provider", "enterprise").filter(
        _in_region("program__region_id", _region_codes(user))
    )


def ledger_entries(*, program: VoucherProgram) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(program=program).select_related("created_by").order_by("id")


def transitions_of(instance) -> list[AuditLog]:
    """The audited state changes of a record (who, when, from, to, why), oldest first."""
    return list(
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(instance.pk),
            action=AuditLog.Action.TRANSITION,
        )
        .select_related("actor")
        .order_by("at", "id")
    )

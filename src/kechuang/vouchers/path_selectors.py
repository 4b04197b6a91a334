"""Reads of the voucher path pages (programs, quotas, bookings), scoped to what the user may see.

Scoping mirrors the predicates of permissions.py: an organization's users see their own quotas and the
bookings they made or received; the bureau and officers see the quotas of their region's programs and the
bookings issued in or served in their region (通用通兑: both regions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet

from kechuang.core.models import AuditLog
from kechuang.core.scoping import user_region_codes

from . import permissions as perm
from .amounts import RuleError, Split, parse_tiers, split_fee
from .enums import BookingState, ProgramState, ProviderState, QuotaState
from .models import Booking, Offering, ProviderProfile, Quota, VoucherProgram


def _region_codes(user) -> list[str] | None:
    """The region codes a region-scoped user sees (None: no limit), or [] for everyone else."""
    if user.is_superuser and not user.region_id:
        return None
    if not (user.is_superuser or user.is_region_scoped):
        return []
    return user_region_codes(user)


# ---------------------------------------------------------------------------------------------
# Programs


def programs_open() -> QuerySet[VoucherProgram]:
    """Programs taking applications, for anyone logged in."""
    return (
        VoucherProgram.objects.filter(state=ProgramState.OPEN)
        .select_related("region")
        .prefetch_related("partner_regions")
        .order_by("-year", "-starts_on", "pk")
    )


def programs_visible_to(*, user) -> QuerySet[VoucherProgram]:
    """Open and closed programs for everyone; drafts only for the bureau and officers of their region."""
    codes = _region_codes(user)
    visible = Q(state__in=(ProgramState.OPEN, ProgramState.CLOSED))
    if codes is None:
        visible = Q()
    elif codes:
        visible |= Q(region_id__in=codes)
    return VoucherProgram.objects.filter(visible).select_related("region").prefetch_related("partner_regions")


def program_get_visible(*, user, pk: int) -> VoucherProgram | None:
    return programs_visible_to(user=user).filter(pk=pk).first()


# ---------------------------------------------------------------------------------------------
# Quotas


def quotas_visible_to(*, user) -> QuerySet[Quota]:
    """The user's organization's quotas; for the bureau and officers, those of their region's programs."""
    qs = Quota.objects.select_related("program", "program__region", "organization")
    codes = _region_codes(user)
    if codes is None:
        return qs
    visible = Q(pk__in=[])
    if user.active_organization_id:
        visible |= Q(organization_id=user.active_organization_id)
    if codes:
        visible |= Q(program__region_id__in=codes)
    return qs.filter(visible)


def quota_get_visible(*, user, pk: int) -> Quota | None:
    quota = quotas_visible_to(user=user).filter(pk=pk).first()
    return quota if quota is not None and perm.can_view_quota(user, quota) else None


def quotas_of_program(*, program: VoucherProgram, organization_id: int | None) -> list[Quota]:
    """The organization's quotas in one program (the program page's "my quotas")."""
    if organization_id is None:
        return []
    return list(
        Quota.objects.filter(program=program, organization_id=organization_id).order_by("-created_at")
    )


def quotas_usable_for(*, user, offering: Offering, today: date) -> list[Quota]:
    """The user's organization's approved quotas with a balance whose program accepts `offering` (its
    category, and its region as the program's own or a partner's), while the program runs."""
    from .services import accepted_region_ids

    if not user.active_organization_id:
        return []
    quotas = (
        Quota.objects.filter(
            organization_id=user.active_organization_id,
            state=QuotaState.APPROVED,
            program__ends_on__gte=today,
            granted__gt=F("committed") + F("redeemed") + F("expired"),
        )
        .select_related("program")
        .order_by("program__ends_on", "pk")
    )
    accepted: dict[int, set[str]] = {}
    usable = []
    for quota in quotas:
        program = quota.program
        if offering.category not in (program.categories or ()):
            continue
        if program.pk not in accepted:
            accepted[program.pk] = accepted_region_ids(program)
        if offering.region_id in accepted[program.pk]:
            usable.append(quota)
    return usable


def split_preview(*, quota: Quota, fee) -> Split | None:
    """How `fee` would be split under the quota's program, limited by its balance (None: not computable)."""
    try:
        tiers = parse_tiers(quota.program.copay_tiers)
        return split_fee(fee, tiers, quota.program.copay_mode, available=quota.available)
    except (RuleError, TypeError):
        return None


# ---------------------------------------------------------------------------------------------
# Offerings


def offering_bookable(*, pk: int) -> Offering | None:
    """An active offering of a verified provider, with what the booking page shows."""
    offering = (
        Offering.objects.filter(pk=pk, active=True)
        .select_related("provider", "region", "region__parent")
        .first()
    )
    if offering is None:
        return None
    verified = ProviderProfile.objects.filter(
        organization_id=offering.provider_id, state=ProviderState.VERIFIED
    ).exists()
    return offering if verified else None


# ---------------------------------------------------------------------------------------------
# Bookings

BOOKING_RELATED = (
    "offering",
    "provider",
    "quota",
    "quota__organization",
    "quota__program",
    "issuing_region",
    "service_region",
)


def bookings_visible_to(*, user) -> QuerySet[Booking]:
    """Bookings the user's organization made (its quotas) or received (as provider); for the bureau and
    officers, those issued in or served in their region."""
    qs = Booking.objects.select_related(*BOOKING_RELATED)
    codes = _region_codes(user)
    if codes is None:
        return qs
    visible = Q(pk__in=[])
    if user.active_organization_id:
        visible |= Q(quota__organization_id=user.active_organization_id) | Q(
            provider_id=user.active_organization_id
        )
    if codes:
        visible |= Q(issuing_region_id__in=codes) | Q(service_region_id__in=codes)
    return qs.filter(visible)


def booking_get_visible(*, user, pk: int) -> Booking | None:
    booking = bookings_visible_to(user=user).filter(pk=pk).first()
    return booking if booking is not None and perm.can_view_booking(user, booking) else None


def bookings_of_quota(*, quota: Quota) -> QuerySet[Booking]:
    return quota.bookings.select_related("offering", "provider").order_by("-created_at", "-pk")


# ---------------------------------------------------------------------------------------------
# History (the transitions recorded by the services)


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


def booking_history(booking: Booking) -> list[HistoryLine]:
    return history_of(booking, dict(BookingState.choices))


def quota_history(quota: Quota) -> list[HistoryLine]:
    return history_of(quota, dict(QuotaState.choices))

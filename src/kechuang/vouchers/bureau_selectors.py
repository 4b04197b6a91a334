"""Reads of the bureau's voucher pages: programs with their books, pending quota applications, providers to
verify, claims to settle, the ledger and risk flags. Every list is confined to the user's region (and the
regions below it) with `core.scoping.scope_by_region`, so a county bureau never sees the city's programs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from kechuang.core.scoping import scope_by_region, user_region_codes

from .enums import BookingState, FlagState, ProviderState, QuotaState
from .fraud import REDEEMED_STATES
from .ledger import entry_totals, reconcile
from .models import (
    ZERO,
    Booking,
    Flag,
    LedgerEntry,
    ProviderProfile,
    Quota,
    SettlementBatch,
    VoucherProgram,
)

# Bookings that never used money: they count nowhere in the use figures.
DROPPED_STATES = (BookingState.DECLINED, BookingState.CANCELLED)


def programs_visible_to(*, user) -> QuerySet[VoucherProgram]:
    """Programs of the user's region and of the regions below it."""
    return scope_by_region(VoucherProgram.objects.select_related("region"), user)


def program_get_visible(*, user, pk) -> VoucherProgram | None:
    return programs_visible_to(user=user).filter(pk=pk).first()


def quotas_pending(*, user, program_id: int | None = None) -> QuerySet[Quota]:
    """Applications waiting for an officer (programs that do not approve automatically), oldest first."""
    qs = scope_by_region(Quota.objects.filter(state=QuotaState.APPLIED), user, field="program__region")
    if program_id:
        qs = qs.filter(program_id=program_id)
    return qs.select_related("program", "organization", "organization__region", "applied_by").order_by(
        "created_at", "pk"
    )


def quota_get_visible(*, user, pk) -> Quota | None:
    qs = scope_by_region(Quota.objects.all(), user, field="program__region")
    return (
        qs.select_related("program", "organization", "organization__region", "applied_by")
        .filter(pk=pk)
        .first()
    )


def providers_visible_to(*, user, state: str | None = None) -> QuerySet[ProviderProfile]:
    """Provider profiles of organizations in the user's region, with the number of their active offerings."""
    qs = scope_by_region(ProviderProfile.objects.all(), user, field="organization__region")
    if state:
        qs = qs.filter(state=state)
    return (
        qs.select_related("organization", "organization__region")
        .annotate(
            offering_count=Count("organization__offerings", filter=Q(organization__offerings__active=True))
        )
        .order_by("created_at", "pk")
    )


def provider_get_visible(*, user, pk) -> ProviderProfile | None:
    qs = scope_by_region(ProviderProfile.objects.all(), user, field="organization__region")
    return qs.select_related("organization", "organization__region", "decided_by").filter(pk=pk).first()


def flags_visible_to(
    *, user, kind: str = "", state: str = "", program_id: int | None = None
) -> QuerySet[Flag]:
    """Risk flags of the programs of the user's region, open ones first."""
    qs = scope_by_region(Flag.objects.filter(program__isnull=False), user, field="program__region")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if program_id:
        qs = qs.filter(program_id=program_id)
    return qs.select_related("program", "provider", "enterprise").order_by("-created_at", "-pk")


def flag_get_visible(*, user, pk) -> Flag | None:
    qs = scope_by_region(Flag.objects.filter(program__isnull=False), user, field="program__region")
    return (
        qs.select_related("program", "provider", "enterprise", "booking", "reviewed_by").filter(pk=pk).first()
    )


def claims_to_settle(*, program: VoucherProgram) -> QuerySet[Booking]:
    """The program's redemptions the providers claimed and no batch holds yet, oldest claim first."""
    return (
        Booking.objects.filter(quota__program=program, state=BookingState.CLAIMED)
        .select_related("provider", "quota__organization", "offering", "issuing_region", "service_region")
        .order_by("claimed_at", "pk")
    )


def batches_of(*, program: VoucherProgram) -> QuerySet[SettlementBatch]:
    return (
        program.batches.select_related("created_by")
        .annotate(booking_count=Count("bookings"))
        .order_by("-created_at", "-pk")
    )


def batch_get_visible(*, user, pk) -> SettlementBatch | None:
    qs = scope_by_region(SettlementBatch.objects.all(), user, field="program__region")
    return qs.select_related("program", "program__region", "created_by").filter(pk=pk).first()


def batch_bookings(*, batch: SettlementBatch) -> QuerySet[Booking]:
    return batch.bookings.select_related(
        "provider", "quota__organization", "offering", "issuing_region", "service_region"
    ).order_by("pk")


def ledger_entries(*, program: VoucherProgram, kind: str = "") -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.filter(program=program)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("quota__organization", "booking", "batch", "created_by").order_by("-id")


def ledger_totals(*, program: VoucherProgram) -> dict[str, Decimal]:
    """The sum of the program's ledger entries per kind (EntryKind value → yuan)."""
    return entry_totals(program.pk)


# ---------------------------------------------------------------------------------------------------------
# The books of one program


@dataclass
class RegionUse:
    """Use of a program's vouchers in one region: its own (with the regions below it) or a partner's."""

    name: str
    local: bool
    bookings: int = 0  # live bookings (neither declined nor cancelled)
    redeemed_count: int = 0
    redeemed: Decimal = ZERO
    regions: list[str] = field(default_factory=list)  # the service regions counted here


@dataclass
class Books:
    program: VoucherProgram
    problems: list[str]  # ledger.reconcile: empty when every total adds up
    quota_states: list[tuple[str, str, int, Decimal]]  # (state, label, count, granted)
    booking_states: list[tuple[str, str, int, Decimal]]  # (state, label, count, voucher amount)
    use: list[RegionUse]
    pending_quotas: int
    claims: int
    open_flags: int

    @property
    def balanced(self) -> bool:
        return not self.problems


def program_books(program: VoucherProgram) -> Books:
    """The figures of a program's books page: running totals (on the program), their reconciliation with the
    ledger, quotas and bookings by state, and where its vouchers were used (通用通兑)."""
    quota_rows = {
        row["state"]: row
        for row in Quota.objects.filter(program=program)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"), amount=Sum("granted"))
    }
    booking_rows = {
        row["state"]: row
        for row in Booking.objects.filter(quota__program=program)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"), amount=Sum("voucher_amount"))
    }
    flags = Flag.objects.filter(program=program, state=FlagState.OPEN).count()
    return Books(
        program=program,
        problems=reconcile(program),
        quota_states=[
            (state, label, quota_rows[state]["n"], quota_rows[state]["amount"] or ZERO)
            for state, label in QuotaState.choices
            if state in quota_rows
        ],
        booking_states=[
            (state, label, booking_rows[state]["n"], booking_rows[state]["amount"] or ZERO)
            for state, label in BookingState.choices
            if state in booking_rows
        ],
        use=region_use(program),
        pending_quotas=quota_rows.get(QuotaState.APPLIED, {}).get("n", 0),
        claims=booking_rows.get(BookingState.CLAIMED, {}).get("n", 0),
        open_flags=flags,
    )


def region_use(program: VoucherProgram) -> list[RegionUse]:
    """Where the program's vouchers were used: its own region first, then each partner region (通用通兑).

    A service region belongs to the issuing region when it lies within it (a town of the city is local), else
    to the partner region that contains it."""
    own = RegionUse(name=program.region.name, local=True)
    partners = {
        region.path: RegionUse(name=region.name, local=False)
        for region in program.partner_regions.order_by("path")
    }
    elsewhere: dict[str, RegionUse] = {}
    rows = (
        Booking.objects.filter(quota__program=program)
        .exclude(state__in=DROPPED_STATES)
        .order_by()
        .values("service_region__name", "service_region__path")
        .annotate(
            n=Count("pk"),
            redeemed_n=Count("pk", filter=Q(state__in=REDEEMED_STATES)),
            redeemed=Sum("voucher_amount", filter=Q(state__in=REDEEMED_STATES)),
        )
    )
    for row in rows:
        path = row["service_region__path"]
        if path.startswith(program.region.path):
            target = own
        else:
            target = next((use for prefix, use in partners.items() if path.startswith(prefix)), None)
            if target is None:  # a partner removed after the booking: still shown, by its own name
                target = elsewhere.setdefault(path, RegionUse(name=row["service_region__name"], local=False))
        target.bookings += row["n"]
        target.redeemed_count += row["redeemed_n"]
        target.redeemed += row["redeemed"] or ZERO
        target.regions.append(row["service_region__name"])
    return [own, *partners.values(), *elsewhere.values()]


def foreign_use(*, user) -> list[dict]:
    """Vouchers issued by other regions and used with providers of the user's region (通用通兑: counted as used
    here, settled by the issuer), per issuing region. Empty for a user without a region limit."""
    codes = user_region_codes(user)
    if not codes:
        return []
    return list(
        Booking.objects.filter(service_region_id__in=codes)
        .exclude(issuing_region_id__in=codes)
        .exclude(state__in=DROPPED_STATES)
        .order_by()
        .values("issuing_region__name")
        .annotate(
            n=Count("pk"),
            redeemed=Sum("voucher_amount", filter=Q(state__in=REDEEMED_STATES)),
        )
        .order_by("issuing_region__name")
    )


# ---------------------------------------------------------------------------------------------------------
# What waits for the bureau


def bureau_counts(*, user) -> dict[str, int]:
    """What waits in the user's region: applications to review, providers to verify, claims to settle, open
    flags. Four COUNT queries."""
    return {
        "quotas": quotas_pending(user=user).count(),
        "providers": providers_visible_to(user=user, state=ProviderState.PENDING).count(),
        "claims": scope_by_region(
            Booking.objects.filter(state=BookingState.CLAIMED), user, field="quota__program__region"
        ).count(),
        "flags": flags_visible_to(user=user, state=FlagState.OPEN).count(),
    }

"""Which of an organization's records qualify for a payout item, and which of them it may still claim.

A record is found in the data the platform already has, by the item's trigger:

* qualification — a Qualification of `parameters["qualification_kind"]` (and `level`, when given) issued
  (valid_from) within [basis_from, basis_until] and not revoked;
* patent_grant — a Patent of the organization of `parameters["patent_kind"]`, granted, with granted_on in the
  period;
* carrier — a Carrier operated by the organization of `parameters["carrier_kind"]` (and `level`), recognized in
  the period and not removed;
* contract — a registered technology contract (ContractRegistration) where the organization is the seller, or
  the buyer when `parameters["side"] == "buyer"`, registered in the period. With `parameters["rate"]` the
  amount is that share of the contract's technology transaction amount (技术交易额), at most the item's amount
  when that is above 0; otherwise the item's fixed amount.

Each record becomes a `Record(basis_key, label, amount)`: "qualification:123" and so on. A record held by a
submitted, approved or paid claim of the same item is not claimable (the reason names that claim and its
state). The item's cap per organization counts what the organization's holding claims of the item take
(the approved amount once decided, else the amount claimed); a record's amount is cut to what is left, and
nothing left makes it not claimable.

`records_for(items, organization)` reads each source once for all the items (constant queries whatever their
number); `assess(...)` is the pure rule on plain values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .enums import HOLDING_STATES, ClaimState, Trigger

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Candidate:
    """A record of the organization that meets the item's terms (before claims and caps)."""

    basis_key: str
    label: str
    amount: Decimal
    on: date  # the date that placed it in the period


@dataclass(frozen=True)
class Record:
    basis_key: str
    label: str
    amount: Decimal
    on: date
    claimable: bool = True
    reason: str = ""
    claim_id: int | None = None  # the claim holding it, if any


@dataclass(frozen=True)
class Holding:
    """A submitted, approved or paid claim of the item (the minimum assess needs)."""

    claim_id: int
    basis_key: str
    organization_id: int
    state: str
    amount: Decimal  # what it takes from the cap


def holding_amount(claim) -> Decimal:
    if claim.state in (ClaimState.APPROVED, ClaimState.PAID) and claim.amount_approved is not None:
        return claim.amount_approved
    return claim.amount_claimed


def _in(day: date | None, item) -> bool:
    return day is not None and item.basis_from <= day <= item.basis_until


def rate_of(parameters: dict) -> Decimal | None:
    raw = (parameters or {}).get("rate")
    if raw in (None, ""):
        return None
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        return None
    return rate if rate > 0 else None


def contract_amount(item, transaction_amount: Decimal) -> Decimal:
    rate = rate_of(item.parameters)
    if rate is None:
        return item.amount
    amount = (transaction_amount * rate).quantize(CENT, ROUND_HALF_UP)
    if item.amount and item.amount > 0:
        amount = min(amount, item.amount)
    return amount


# ---------------------------------------------------------------------------------------------------------
# Candidates per trigger (from rows already read)


def _level_ok(row_level: str, wanted: str | None) -> bool:
    return not wanted or row_level == wanted


def qualification_candidates(item, qualifications: Iterable) -> list[Candidate]:
    kind = item.parameters.get("qualification_kind")
    level = item.parameters.get("level")
    return [
        Candidate(
            f"qualification:{q.pk}",
            _("%(kind)s（%(level)s）%(no)s，%(day)s认定")
            % {
                "kind": q.get_kind_display(),
                "level": q.get_level_display(),
                "no": q.certificate_no or "",
                "day": q.valid_from.isoformat(),
            },
            item.amount,
            q.valid_from,
        )
        for q in qualifications
        if q.kind == kind and _level_ok(q.level, level) and q.revoked_on is None and _in(q.valid_from, item)
    ]


def patent_candidates(item, patents: Iterable) -> list[Candidate]:
    from kechuang.patents.enums import PatentStatus

    kind = item.parameters.get("patent_kind")
    return [
        Candidate(
            f"patent:{p.pk}",
            _("%(kind)s专利 %(no)s《%(title)s》，%(day)s授权")
            % {"kind": p.get_kind_display(), "no": p.application_no, "title": p.title, "day": p.granted_on},
            item.amount,
            p.granted_on,
        )
        for p in patents
        if p.kind == kind and p.status == PatentStatus.GRANTED and _in(p.granted_on, item)
    ]


def carrier_candidates(item, carriers: Iterable) -> list[Candidate]:
    from kechuang.carriers.enums import CarrierState

    kind = item.parameters.get("carrier_kind")
    level = item.parameters.get("level")
    return [
        Candidate(
            f"carrier:{c.pk}",
            _("%(level)s%(kind)s“%(name)s”，%(day)s认定")
            % {
                "level": c.get_level_display(),
                "kind": c.get_kind_display(),
                "name": c.name,
                "day": c.recognized_on.isoformat(),
            },
            item.amount,
            c.recognized_on,
        )
        for c in carriers
        if (not kind or c.kind == kind)
        and _level_ok(c.level, level)
        and c.state != CarrierState.REMOVED
        and c.removed_on is None
        and _in(c.recognized_on, item)
    ]


def contract_side(parameters: dict) -> str:
    return "buyer" if (parameters or {}).get("side") == "buyer" else "seller"


def contract_candidates(item, organization_id: int, contracts: Iterable) -> list[Candidate]:
    from kechuang.market.enums import ContractState

    side = contract_side(item.parameters)
    out = []
    for c in contracts:
        party = c.buyer_id if side == "buyer" else c.seller_id
        if party != organization_id or c.state != ContractState.REGISTERED or not _in(c.registered_on, item):
            continue
        out.append(
            Candidate(
                f"contract:{c.pk}",
                _("技术合同 %(no)s《%(title)s》，技术交易额%(amount)s元，%(day)s登记")
                % {
                    "no": c.registration_no or "",
                    "title": c.title,
                    "amount": c.transaction_amount,
                    "day": c.registered_on.isoformat(),
                },
                contract_amount(item, c.transaction_amount),
                c.registered_on,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------
# The rule


def assess(
    item, candidates: Sequence[Candidate], holdings: Sequence[Holding], organization_id: int
) -> list[Record]:
    """Candidates with their claimability: held by a claim of the item → not claimable (naming the claim);
    the cap per organization less what the organization's holding claims take → the amount, or not
    claimable once nothing is left."""
    states = dict(ClaimState.choices)
    held = {h.basis_key: h for h in holdings}
    taken = sum((h.amount for h in holdings if h.organization_id == organization_id), ZERO)
    cap = item.cap_per_organization
    left = None if cap is None else max(cap - taken, ZERO)
    out = []
    for c in sorted(candidates, key=lambda c: (c.on, c.basis_key)):
        holder = held.get(c.basis_key)
        if holder is not None:
            out.append(
                Record(
                    c.basis_key,
                    c.label,
                    c.amount,
                    c.on,
                    claimable=False,
                    reason=_("已由兑现申请第%(no)s号申请（%(state)s），同一记录只能兑现一次。")
                    % {"no": holder.claim_id, "state": states.get(holder.state, holder.state)},
                    claim_id=holder.claim_id,
                )
            )
            continue
        if left is not None and left <= 0:
            out.append(
                Record(
                    c.basis_key,
                    c.label,
                    c.amount,
                    c.on,
                    claimable=False,
                    reason=_("已达到本事项每家单位%(cap)s元的兑现上限。") % {"cap": cap},
                )
            )
            continue
        amount = c.amount if left is None else min(c.amount, left)
        if amount <= 0:
            out.append(
                Record(
                    c.basis_key, c.label, c.amount, c.on, claimable=False, reason=_("该记录的兑现金额为0元。")
                )
            )
            continue
        out.append(Record(c.basis_key, c.label, amount, c.on))
    return out


# ---------------------------------------------------------------------------------------------------------
# Reading the sources


def _sources(items: Sequence, organization) -> dict[str, list]:
    """Each source the items' triggers need, read once for the organization."""
    triggers = {i.trigger for i in items}
    rows: dict[str, list] = {}
    if Trigger.QUALIFICATION in triggers:
        from kechuang.organizations.models import Qualification

        kinds = {i.parameters.get("qualification_kind") for i in items if i.trigger == Trigger.QUALIFICATION}
        rows[Trigger.QUALIFICATION] = list(
            Qualification.objects.filter(organization=organization, kind__in=kinds, revoked_on__isnull=True)
        )
    if Trigger.PATENT_GRANT in triggers:
        from kechuang.patents.enums import PatentStatus
        from kechuang.patents.models import Patent

        kinds = {i.parameters.get("patent_kind") for i in items if i.trigger == Trigger.PATENT_GRANT}
        rows[Trigger.PATENT_GRANT] = list(
            Patent.objects.filter(organization=organization, kind__in=kinds, status=PatentStatus.GRANTED)
        )
    if Trigger.CARRIER in triggers:
        from kechuang.carriers.models import Carrier

        rows[Trigger.CARRIER] = list(Carrier.objects.filter(operator=organization, removed_on__isnull=True))
    if Trigger.CONTRACT in triggers:
        from django.db.models import Q

        from kechuang.market.enums import ContractState
        from kechuang.market.models import ContractRegistration

        rows[Trigger.CONTRACT] = list(
            ContractRegistration.objects.filter(
                Q(seller=organization) | Q(buyer=organization), state=ContractState.REGISTERED
            ).only(
                "pk",
                "registration_no",
                "title",
                "seller_id",
                "buyer_id",
                "transaction_amount",
                "state",
                "registered_on",
            )
        )
    return rows


def candidates_of(item, organization, sources: dict[str, list]) -> list[Candidate]:
    rows = sources.get(item.trigger, ())
    if item.trigger == Trigger.QUALIFICATION:
        return qualification_candidates(item, rows)
    if item.trigger == Trigger.PATENT_GRANT:
        return patent_candidates(item, rows)
    if item.trigger == Trigger.CARRIER:
        return carrier_candidates(item, rows)
    if item.trigger == Trigger.CONTRACT:
        return contract_candidates(item, organization.pk, rows)
    return []


def holdings_of(items: Sequence, organization_id: int, keys: Iterable[str]) -> dict[int, list[Holding]]:
    """Holding claims of the items: the organization's (for the cap) and anyone's on these keys."""
    from django.db.models import Q

    from .models import PayoutClaim

    keys = list(keys)
    out: dict[int, list[Holding]] = defaultdict(list)
    if not items:
        return out
    rows = PayoutClaim.objects.filter(
        Q(organization_id=organization_id) | Q(basis_key__in=keys),
        item_id__in=[i.pk for i in items],
        holds=True,
        state__in=HOLDING_STATES,
    ).only("pk", "item_id", "basis_key", "organization_id", "state", "amount_claimed", "amount_approved")
    for claim in rows:
        out[claim.item_id].append(
            Holding(claim.pk, claim.basis_key, claim.organization_id, claim.state, holding_amount(claim))
        )
    return out


def records_for(items: Sequence, organization) -> dict[int, list[Record]]:
    """{item id: its records for `organization`}, in a constant number of queries."""
    items = list(items)
    sources = _sources(items, organization)
    found = {i.pk: candidates_of(i, organization, sources) for i in items}
    keys = {c.basis_key for cs in found.values() for c in cs}
    holdings = holdings_of(items, organization.pk, keys)
    return {i.pk: assess(i, found[i.pk], holdings.get(i.pk, ()), organization.pk) for i in items}


def records(item, organization) -> list[Record]:
    return records_for([item], organization)[item.pk]


def find(item, organization, basis_key: str) -> Record | None:
    return next((r for r in records(item, organization) if r.basis_key == basis_key), None)

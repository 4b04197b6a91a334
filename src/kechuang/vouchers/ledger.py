"""The one place voucher money moves: `move` changes a program's running totals (and the quota's) and writes
the LedgerEntry, under the program's row lock, in the caller's transaction.

Lock order, everywhere: program, then quota, then booking, so two movements never wait for each other in a
cycle. The database refuses a program whose issued quotas exceed its budget and a quota used beyond what was
granted (check constraints), so even a bug here could not overspend.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kechuang.core.errors import DomainError

from .enums import EntryKind
from .models import ZERO, LedgerEntry, Quota, VoucherProgram

# How each kind of movement changes the program's totals and the quota's: (field, sign).
_PROGRAM = {
    EntryKind.ISSUE: (("issued", 1),),
    EntryKind.EXPIRE: (("expired", 1),),
    EntryKind.COMMIT: (("committed", 1),),
    EntryKind.RELEASE: (("committed", -1),),
    EntryKind.REDEEM: (("committed", -1), ("redeemed", 1)),
    EntryKind.SETTLE: (("settled", 1),),
    EntryKind.PAY: (("paid", 1),),
}
_QUOTA = {
    EntryKind.ISSUE: (("granted", 1),),
    EntryKind.EXPIRE: (("expired", 1),),
    EntryKind.COMMIT: (("committed", 1),),
    EntryKind.RELEASE: (("committed", -1),),
    EntryKind.REDEEM: (("committed", -1), ("redeemed", 1)),
}


def lock_program(program_id: int) -> VoucherProgram:
    return VoucherProgram.objects.select_for_update().get(pk=program_id)


def lock_quota(quota_id: int) -> Quota:
    return (
        Quota.objects.select_for_update(of=("self",))
        .select_related("program", "organization")
        .get(pk=quota_id)
    )


def move(
    *,
    program: VoucherProgram,
    kind: str,
    amount: Decimal,
    by,
    quota: Quota | None = None,
    booking=None,
    batch=None,
) -> LedgerEntry | None:
    """Record one movement of `amount` yuan. `program` (and `quota`) must be locked by the caller.

    Refuses, changing nothing, a movement that would overspend: an issue beyond the budget, a commitment
    beyond the quota's balance, a release or redemption of more than is committed. A zero amount is no
    movement (None).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.move needs the caller's transaction")
    amount = Decimal(amount)
    if amount < 0:
        raise ValueError("a movement's amount is positive")
    if amount == 0:
        return None
    if kind == EntryKind.ISSUE and amount > program.remaining:
        raise DomainError(
            _("计划预算剩余%(left)s元，不足%(amount)s元。") % {"left": program.remaining, "amount": amount}
        )
    if quota is not None:
        if kind == EntryKind.COMMIT and amount > quota.available:
            raise DomainError(
                _("额度余额%(left)s元，不足%(amount)s元。") % {"left": quota.available, "amount": amount}
            )
        if kind in (EntryKind.RELEASE, EntryKind.REDEEM) and amount > quota.committed:
            raise DomainError(_("占用金额不足，无法释放或兑付。"))
        if kind == EntryKind.EXPIRE and amount > quota.available:
            raise DomainError(_("到期收回的金额超过额度余额。"))
    if kind == EntryKind.SETTLE and program.settled + amount > program.redeemed:
        raise DomainError(_("结算金额超过已兑付金额。"))
    if kind == EntryKind.PAY and program.paid + amount > program.settled:
        raise DomainError(_("拨付金额超过已结算金额。"))

    for field, sign in _PROGRAM[kind]:
        setattr(program, field, getattr(program, field) + sign * amount)
    program.save(update_fields=[f for f, _s in _PROGRAM[kind]] + ["updated_at"])
    if quota is not None and kind in _QUOTA:
        for field, sign in _QUOTA[kind]:
            setattr(quota, field, getattr(quota, field) + sign * amount)
        quota.save(update_fields=[f for f, _s in _QUOTA[kind]] + ["updated_at"])
    return LedgerEntry.objects.create(
        program=program,
        kind=kind,
        amount=amount,
        quota=quota,
        booking=booking,
        batch=batch,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def entry_totals(program_id: int) -> dict[str, Decimal]:
    """The sum of the program's ledger entries per kind."""
    sums = dict(
        LedgerEntry.objects.filter(program_id=program_id)
        .order_by()
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    return {kind: sums.get(kind, ZERO) for kind in EntryKind.values}


def reconcile(program: VoucherProgram) -> list[str]:
    """Every running total of the program (and of its quotas) against the sum of its entries; the differences
    in Chinese (empty: it adds up)."""
    sums = entry_totals(program.pk)
    expected = {
        "issued": sums[EntryKind.ISSUE],
        "expired": sums[EntryKind.EXPIRE],
        "committed": sums[EntryKind.COMMIT] - sums[EntryKind.RELEASE] - sums[EntryKind.REDEEM],
        "redeemed": sums[EntryKind.REDEEM],
        "settled": sums[EntryKind.SETTLE],
        "paid": sums[EntryKind.PAY],
    }
    problems = [
        _("%(field)s：台账合计%(sum)s元，计划记为%(total)s元。")
        % {
            "field": VoucherProgram._meta.get_field(field).verbose_name,
            "sum": _fen(value),
            "total": _fen(getattr(program, field)),
        }
        for field, value in expected.items()
        if getattr(program, field) != value
    ]
    quota_sums: dict[int, dict[str, Decimal]] = {}
    for quota_id, kind, total in (
        LedgerEntry.objects.filter(program_id=program.pk, quota__isnull=False)
        .order_by()
        .values_list("quota_id", "kind")
        .annotate(total=Sum("amount"))
    ):
        quota_sums.setdefault(quota_id, {})[kind] = total
    for quota in program.quotas.all():
        s = quota_sums.get(quota.pk, {})
        issue, expire, commit, release, redeem = (
            s.get(k, ZERO)
            for k in (
                EntryKind.ISSUE,
                EntryKind.EXPIRE,
                EntryKind.COMMIT,
                EntryKind.RELEASE,
                EntryKind.REDEEM,
            )
        )
        want = {
            "granted": issue,
            "expired": expire,
            "committed": commit - release - redeem,
            "redeemed": redeem,
        }
        for field, value in want.items():
            if getattr(quota, field) != value:
                problems.append(
                    _("额度%(pk)s的%(field)s：台账合计%(sum)s元，额度记为%(total)s元。")
                    % {
                        "pk": quota.pk,
                        "field": Quota._meta.get_field(field).verbose_name,
                        "sum": _fen(value),
                        "total": _fen(getattr(quota, field)),
                    }
                )
    return problems


def _fen(value) -> Decimal:
    """To the fen, for messages (SQLite returns sums unscaled)."""
    return Decimal(value).quantize(Decimal("0.01"))

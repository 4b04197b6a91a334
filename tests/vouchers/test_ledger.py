"""Money that adds up (issue 6 item 4): after any sequence of operations every running total of a program and
of its quotas equals the sum of its ledger entries; `reconcile` says in Chinese when one does not;
`ledger.move` refuses to overspend; and the database itself refuses an overspent program or quota."""

import re
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F

from kechuang.core.errors import DomainError
from kechuang.vouchers import ledger, services
from kechuang.vouchers.enums import EntryKind, QuotaState
from kechuang.vouchers.models import Booking, LedgerEntry, Quota, VoucherProgram

from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db
D = Decimal
K = EntryKind


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _book(quota, offering, user, fee=None):
    return services.booking_create(
        quota=quota, offering=offering, fee=fee, service_date=today() + timedelta(days=1), by=user
    )


def _fresh(program):
    return VoucherProgram.objects.get(pk=program.pk)


def _sums(**filters):
    """Sums of the entries per kind, added up here in Python (independent of ledger.entry_totals)."""
    sums = defaultdict(lambda: D("0"))
    for kind, amount in LedgerEntry.objects.filter(**filters).values_list("kind", "amount"):
        sums[kind] += amount
    return sums


def _assert_adds_up(program):
    program = _fresh(program)
    assert ledger.reconcile(program) == []
    s = _sums(program=program)
    assert program.issued == s[K.ISSUE]
    assert program.expired == s[K.EXPIRE]
    assert program.committed == s[K.COMMIT] - s[K.RELEASE] - s[K.REDEEM]
    assert program.redeemed == s[K.REDEEM]
    assert program.settled == s[K.SETTLE]
    assert program.paid == s[K.PAY]
    quotas = list(program.quotas.all())
    for quota in quotas:
        q = _sums(quota=quota)
        assert quota.granted == q[K.ISSUE]
        assert quota.expired == q[K.EXPIRE]
        assert quota.committed == q[K.COMMIT] - q[K.RELEASE] - q[K.REDEEM]
        assert quota.redeemed == q[K.REDEEM]
        assert quota.available >= 0
    # the program's figures are the sums of its quotas', and the whole budget is accounted for
    assert program.issued == sum((q.granted for q in quotas), D("0"))
    assert program.committed == sum((q.committed for q in quotas), D("0"))
    assert program.redeemed == sum((q.redeemed for q in quotas), D("0"))
    assert program.outstanding == sum((q.available for q in quotas), D("0"))
    assert program.budget == program.remaining + program.issued - program.expired
    assert 0 <= program.paid <= program.settled <= program.redeemed
    assert program.remaining >= 0
    # each booking's voucher share is what its entries moved
    for booking in Booking.objects.filter(quota__program=program):
        b = _sums(booking=booking)
        held = b[K.COMMIT] - b[K.RELEASE] - b[K.REDEEM]
        if booking.state in ("declined", "cancelled"):
            assert (held, b[K.REDEEM]) == (0, 0)
        elif b[K.REDEEM]:
            assert (held, b[K.REDEEM]) == (0, booking.voucher_amount)
        else:
            assert held == booking.voucher_amount
    return program


def test_after_a_mixed_sequence_every_figure_is_the_sum_of_its_entries(world):
    staff, ent_a, ent_b, prov = world["staff"], world["ent_a"], world["ent_b"], world["provider"]
    program = make_program(staff, budget=D("60000"))
    offering = make_provider(prov, staff, price="8000")
    qa = make_quota(program, ent_a)  # 20,000
    qb = make_quota(program, ent_b, "15000")
    _assert_adds_up(program)

    # a: completed for less, confirmed, claimed, settled and paid
    b1 = services.booking_accept(booking=_book(qa, offering, ent_a), by=prov)
    b1 = services.booking_complete(booking=b1, fee="6000", invoice_no="1", report_file=_pdf(), by=prov)
    b1 = services.booking_claim(booking=services.booking_confirm(booking=b1, by=ent_a), by=prov)
    # a: declined; cancelled after acceptance
    services.booking_decline(booking=_book(qa, offering, ent_a), reason="排期已满", by=prov)
    b3 = services.booking_accept(booking=_book(qa, offering, ent_a), by=prov)
    services.booking_cancel(booking=b3, reason="项目调整", by=ent_a)
    # a: completed for more than first booked (the 50 % tier), limited by what is left
    b4 = services.booking_accept(booking=_book(qa, offering, ent_a, fee="9000"), by=prov)
    _assert_adds_up(program)
    b4 = services.booking_complete(booking=b4, fee="40000", invoice_no="4", report_file=_pdf(), by=prov)
    assert b4.voucher_amount == D("14000")  # 20,000 − 6,000 redeemed: the rest of the quota
    # b: disputed, completed again, confirmed (not claimed); another booking left requested
    b5 = services.booking_accept(booking=_book(qb, offering, ent_b, fee="12000"), by=prov)
    b5 = services.booking_complete(booking=b5, invoice_no="5", report_file=_pdf(), by=prov)
    b5 = services.booking_dispute(booking=b5, reason="报告有误", by=ent_b)
    b5 = services.booking_complete(booking=b5, fee="11000", invoice_no="5b", report_file=_pdf(), by=prov)
    services.booking_confirm(booking=b5, by=ent_b)
    _book(qb, offering, ent_b, fee="3000")
    _assert_adds_up(program)

    batch = services.batch_create(program=program, by=staff)
    services.batch_pay(
        batch=services.batch_approve(batch=batch, by=staff), paid_on=today(), reference="财拨-1", by=staff
    )
    _assert_adds_up(program)

    # the period ends: the unused parts of the quotas return to the budget
    returned = services.expire_quotas(program=program, today=program.ends_on + timedelta(days=1))
    assert returned == D("15000") - D("5500") - D("3000")  # b's quota: 5,500 redeemed, 3,000 held
    program = _assert_adds_up(program)
    assert (program.issued, program.expired, program.committed, program.redeemed) == (
        D("35000"),
        D("6500"),
        D("14000") + D("3000"),
        D("6000") + D("5500"),
    )
    assert (program.settled, program.paid) == (D("6000"), D("6000"))
    assert program.remaining == D("60000") - D("35000") + D("6500")
    assert program.outstanding == 0
    assert set(program.quotas.values_list("state", flat=True)) == {QuotaState.EXPIRED}


def test_a_corrupted_program_total_is_reported_in_chinese(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])
    booking = services.booking_accept(booking=_book(quota, offering, world["ent_a"]), by=world["provider"])
    booking = services.booking_complete(
        booking=booking, invoice_no="1", report_file=_pdf(), by=world["provider"]
    )
    services.booking_confirm(booking=booking, by=world["ent_a"])
    assert ledger.reconcile(_fresh(program)) == []

    VoucherProgram.objects.filter(pk=program.pk).update(redeemed=F("redeemed") + D("0.01"))
    (problem,) = ledger.reconcile(_fresh(program))
    assert re.fullmatch(r"已兑付：台账合计8000(\.00)?元，计划记为8000\.01元。", problem), problem

    VoucherProgram.objects.filter(pk=program.pk).update(redeemed=F("redeemed") - D("0.01"))
    Quota.objects.filter(pk=quota.pk).update(committed=F("committed") + D("100"))
    (problem,) = ledger.reconcile(_fresh(program))
    assert re.fullmatch(
        rf"额度{quota.pk}的预约占用（元）：台账合计0(\.00)?元，额度记为100\.00元。", problem
    ), problem

    Quota.objects.filter(pk=quota.pk).update(committed=0)
    VoucherProgram.objects.filter(pk=program.pk).update(issued=F("issued") - D("500"), paid=D("1"))
    problems = ledger.reconcile(_fresh(program))
    assert len(problems) == 2
    assert problems[0].startswith("已发放：台账合计20000") and problems[0].endswith("计划记为19500.00元。")
    assert problems[1].startswith("已拨付：台账合计0") and problems[1].endswith("计划记为1.00元。")


def test_reconcile_shows_both_amounts_to_the_fen(world):
    """The officer compares the two amounts of a difference side by side: both are written to the fen
    ("8000.00元", not "8000元" for the ledger's sum next to "8000.01元" for the program's)."""
    program = make_program(world["staff"])
    make_quota(program, world["ent_a"], "8000")
    VoucherProgram.objects.filter(pk=program.pk).update(issued=F("issued") + D("0.01"))
    assert ledger.reconcile(_fresh(program)) == ["已发放：台账合计8000.00元，计划记为8000.01元。"]


# --- ledger.move refuses to overspend -----------------------------------------------------------------------


def _move(program, kind, amount, quota=None, by=None):
    with transaction.atomic():
        locked = ledger.lock_program(program.pk)
        locked_quota = ledger.lock_quota(quota.pk) if quota is not None else None
        return ledger.move(program=locked, kind=kind, amount=amount, quota=locked_quota, by=by)


@pytest.fixture
def books(world):
    """A program of 50,000 with a quota of 20,000 of which 8,000 committed and 6,000 redeemed."""
    program = make_program(world["staff"], budget=D("50000"))
    offering = make_provider(world["provider"], world["staff"], price="6000")
    quota = make_quota(program, world["ent_a"])
    booking = services.booking_accept(booking=_book(quota, offering, world["ent_a"]), by=world["provider"])
    booking = services.booking_complete(
        booking=booking, invoice_no="1", report_file=_pdf(), by=world["provider"]
    )
    services.booking_confirm(booking=booking, by=world["ent_a"])
    _book(quota, offering, world["ent_a"], fee="8000")
    program, quota = _fresh(program), Quota.objects.get(pk=quota.pk)
    assert (program.remaining, quota.available, quota.committed, program.redeemed) == (
        D("30000"),
        D("6000"),
        D("8000"),
        D("6000"),
    )
    return program, quota


def _unchanged(program, quota, entries):
    assert LedgerEntry.objects.count() == entries
    now_program, now_quota = _fresh(program), Quota.objects.get(pk=quota.pk)
    for field in ("issued", "expired", "committed", "redeemed", "settled", "paid"):
        assert getattr(now_program, field) == getattr(program, field), field
    for field in ("granted", "committed", "redeemed", "expired"):
        assert getattr(now_quota, field) == getattr(quota, field), field
    assert ledger.reconcile(now_program) == []


def test_move_refuses_to_issue_beyond_the_budget(books):
    program, quota = books
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError, match="^计划预算剩余30000.00元，不足30000.01元。$"):
        _move(program, K.ISSUE, D("30000.01"), quota)
    _unchanged(program, quota, entries)
    _move(program, K.ISSUE, D("30000.00"), quota)  # exactly what is left
    assert _fresh(program).remaining == 0


def test_move_refuses_to_commit_beyond_the_quota(books):
    program, quota = books
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError, match="^额度余额6000.00元，不足6000.01元。$"):
        _move(program, K.COMMIT, D("6000.01"), quota)
    _unchanged(program, quota, entries)
    _move(program, K.COMMIT, D("6000"), quota)
    assert Quota.objects.get(pk=quota.pk).available == 0


@pytest.mark.parametrize("kind", [K.RELEASE, K.REDEEM])
def test_move_refuses_to_release_or_redeem_more_than_is_committed(books, kind):
    program, quota = books
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError, match="^占用金额不足，无法释放或兑付。$"):
        _move(program, kind, D("8000.01"), quota)
    _unchanged(program, quota, entries)


def test_move_refuses_to_expire_more_than_is_available(books):
    program, quota = books
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError, match="^到期收回的金额超过额度余额。$"):
        _move(program, K.EXPIRE, D("6000.01"), quota)
    _unchanged(program, quota, entries)


def test_move_refuses_to_settle_beyond_redeemed_and_to_pay_beyond_settled(books):
    program, quota = books
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError, match="^结算金额超过已兑付金额。$"):
        _move(program, K.SETTLE, D("6000.01"))
    with pytest.raises(DomainError, match="^拨付金额超过已结算金额。$"):
        _move(program, K.PAY, D("0.01"))
    _unchanged(program, quota, entries)
    _move(program, K.SETTLE, D("6000"))
    with pytest.raises(DomainError, match="^结算金额超过已兑付金额。$"):
        _move(program, K.SETTLE, D("0.01"))  # settled counts what was settled before
    _move(program, K.PAY, D("6000"))
    assert ledger.reconcile(_fresh(program)) == []


def test_move_of_nothing_writes_nothing_and_a_negative_amount_is_a_bug(books):
    program, quota = books
    entries = LedgerEntry.objects.count()
    assert _move(program, K.COMMIT, D("0"), quota) is None
    with pytest.raises(ValueError):
        _move(program, K.RELEASE, D("-1"), quota)
    _unchanged(program, quota, entries)


@pytest.mark.django_db(transaction=True)
def test_move_refuses_to_run_outside_a_transaction():
    from ..conftest import build_world

    world = build_world()
    program = make_program(world["staff"])
    quota = make_quota(program, world["ent_a"])
    program, quota = _fresh(program), Quota.objects.get(pk=quota.pk)
    entries = LedgerEntry.objects.count()
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(RuntimeError, match="transaction"):
        ledger.move(program=program, kind=K.COMMIT, amount=D("100"), quota=quota, by=None)
    with pytest.raises(RuntimeError, match="transaction"):
        ledger.move(program=program, kind=K.ISSUE, amount=D("100"), by=None)
    _unchanged(program, quota, entries)


# --- the database refuses an overspent program or quota, whatever the code does ------------------------------


def test_the_database_refuses_an_overspent_program(books):
    program, quota = books
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherProgram.objects.filter(pk=program.pk).update(issued=F("budget") + F("expired") + D("0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherProgram.objects.filter(pk=program.pk).update(budget=program.issued - D("0.01"))
    # exactly spent is allowed
    VoucherProgram.objects.filter(pk=program.pk).update(budget=F("issued") - F("expired"))
    assert _fresh(program).remaining == 0


def test_the_database_refuses_an_overspent_quota(books):
    program, quota = books
    for change in (
        {"committed": F("granted") - F("redeemed") + D("0.01")},
        {"redeemed": F("granted") + D("0.01")},
        {"expired": F("granted") - F("committed") - F("redeemed") + D("0.01")},
        {"granted": F("committed") + F("redeemed") - D("0.01")},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Quota.objects.filter(pk=quota.pk).update(**change)
    Quota.objects.filter(pk=quota.pk).update(expired=F("granted") - F("committed") - F("redeemed"))
    assert Quota.objects.get(pk=quota.pk).available == 0


def test_the_database_refuses_empty_entries_and_negative_shares(books):
    program, quota = books
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(program=program, kind=K.ISSUE, amount=D("0"), quota=quota)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(program=program, kind=K.ISSUE, amount=D("-1"), quota=quota)
    booking = Booking.objects.filter(quota=quota).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(voucher_amount=D("-0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(enterprise_amount=D("-0.01"))

"""Money under concurrency (issue 6 items 4 and 8), against PostgreSQL: 50 requests started together by a
barrier, each thread on its own connection (closed when it ends). The program's row lock serializes every
movement, so the budget and the quotas end exactly spent, never overspent, and the ledger reconciles.

Run locally:
    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang .venv/bin/pytest \
        tests/vouchers/test_concurrency.py -s
(-s shows the timings each test prints.)
"""

import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from kechuang.accounts.enums import Role
from kechuang.core.errors import DomainError
from kechuang.core.models import AuditLog
from kechuang.vouchers import services
from kechuang.vouchers.enums import BookingState, EntryKind, FlagKind, QuotaState
from kechuang.vouchers.ledger import reconcile
from kechuang.vouchers.models import Booking, Flag, LedgerEntry, Quota, VoucherProgram

from ..conftest import _make_user, build_world
from ..factories import OrganizationFactory, audit_for, region
from .helpers import make_program, make_provider, make_quota, today

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
D = Decimal
N = 50


def _together(work, n=N):
    """Run work(i) for i in 0…n-1 in n threads released at once; returns each outcome ("ok", value),
    ("refused", message) or ("error", repr) and the seconds from release to the last thread's end."""
    barrier = threading.Barrier(n + 1)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=60)
            outcomes[i] = ("ok", work(i))
        except DomainError as exc:
            outcomes[i] = ("refused", exc.message)
        except Exception as exc:  # noqa: BLE001  reported by the test
            outcomes[i] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)  # every thread is at the line
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return outcomes, elapsed


def _enterprises(n, prefix):
    users = []
    for i in range(n):
        organization = OrganizationFactory(
            name=f"{prefix}{i:02d}号科技有限公司", region=region("330603L01"), address=f"柯桥区测试路{i}号"
        )
        users.append(_make_user(Role.ENTERPRISE, organization=organization, is_org_admin=True))
    return users


def _provider_apart(world):
    """The world's provider at an address of its own (the factory's default is everybody's)."""
    organization = world["provider"].organization
    organization.address = "越城区人民中路3号"
    organization.save()


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _fresh(program):
    return VoucherProgram.objects.get(pk=program.pk)


def _report(what, elapsed, outcomes):
    kinds = Counter(kind for kind, _value in outcomes)
    print(f"\n[vouchers concurrency] {what}: {elapsed:.2f} s for {len(outcomes)} threads, {dict(kinds)}")


def test_50_simultaneous_applications_spend_the_budget_exactly_and_never_more():
    world = build_world()
    # room for 20,000 + 20,000 + 10,000 and nothing more
    program = make_program(world["staff"], budget=D("50000"))
    users = _enterprises(N, "绍兴并发申领")
    organizations = [user.organization for user in users]

    def apply(i):
        return services.quota_apply(
            program=program, organization=organizations[i], requested="20000", purpose="并发", by=users[i]
        )

    outcomes, elapsed = _together(apply)
    _report("50 quota applications, budget 50,000", elapsed, outcomes)

    assert [o for o in outcomes if o[0] != "ok"] == []  # every application was decided, none failed
    quotas = Quota.objects.filter(program=program)
    states = Counter(quotas.values_list("state", flat=True))
    assert states == {QuotaState.APPROVED: 3, QuotaState.REJECTED: N - 3}
    assert sorted(quotas.filter(state=QuotaState.APPROVED).values_list("granted", flat=True)) == [
        D("10000"),
        D("20000"),
        D("20000"),
    ]
    assert set(quotas.filter(state=QuotaState.REJECTED).values_list("reason", flat=True)) == {
        "系统按规则自动审核；已无可发放额度：计划预算剩余0.00元"
    }
    assert set(quotas.filter(state=QuotaState.REJECTED).values_list("granted", flat=True)) == {D("0")}
    program = _fresh(program)
    assert program.issued == program.budget == D("50000")
    assert program.remaining == 0
    assert LedgerEntry.objects.filter(program=program, kind=EntryKind.ISSUE).count() == 3
    assert reconcile(program) == []


def test_50_simultaneous_bookings_never_commit_more_than_the_quota():
    world = build_world()
    _provider_apart(world)
    ent = world["ent_a"]
    program = make_program(world["staff"], copay_tiers=[["0", "1"]])  # the voucher pays every fee in full
    offering = make_provider(world["provider"], world["staff"], price="1000")
    quota = make_quota(program, ent)  # 20,000
    services.booking_create(
        quota=quota, offering=offering, fee="17500", service_date=today() + timedelta(days=1), by=ent
    )
    quota.refresh_from_db()
    assert quota.available == D("2500")  # nearly spent: room for 1,000 + 1,000 + 500

    def book(i):
        return services.booking_create(
            quota=quota, offering=offering, service_date=today() + timedelta(days=2), by=ent
        )

    outcomes, elapsed = _together(book)
    _report("50 bookings of 1,000 against a quota with 2,500 left", elapsed, outcomes)

    assert [o for o in outcomes if o[0] == "error"] == []
    made = [value for kind, value in outcomes if kind == "ok"]
    assert sorted((b.voucher_amount, b.enterprise_amount) for b in made) == [
        (D("500"), D("500")),  # the last one limited by the quota: the enterprise pays the rest
        (D("1000"), D("0")),
        (D("1000"), D("0")),
    ]
    assert Counter(value for kind, value in outcomes if kind == "refused") == {
        "额度余额为0，不能再预约。": N - 3
    }
    quota.refresh_from_db()
    assert quota.committed == quota.granted == D("20000")
    assert quota.available == 0
    program = _fresh(program)
    assert program.committed == D("20000")
    assert Booking.objects.filter(quota=quota).count() == 4
    assert reconcile(program) == []


def test_50_simultaneous_confirmations_of_the_same_booking_redeem_it_once():
    world = build_world()
    _provider_apart(world)
    ent, prov = world["ent_a"], world["provider"]
    program = make_program(world["staff"])
    offering = make_provider(prov, world["staff"], price="8000")
    quota = make_quota(program, ent)
    booking = services.booking_create(
        quota=quota, offering=offering, service_date=today() + timedelta(days=1), by=ent
    )
    booking = services.booking_accept(booking=booking, by=prov)
    booking = services.booking_complete(booking=booking, invoice_no="No.1", report_file=_pdf(), by=prov)
    copies = [Booking.objects.get(pk=booking.pk) for _ in range(N)]  # each thread its own stale copy

    outcomes, elapsed = _together(lambda i: services.booking_confirm(booking=copies[i], by=ent))
    _report("50 confirmations of one booking", elapsed, outcomes)

    assert [o for o in outcomes if o[0] == "error"] == []
    assert [kind for kind, _value in outcomes].count("ok") == 1
    assert Counter(value for kind, value in outcomes if kind == "refused") == {
        "当前状态为“已确认，待申请兑付”，不能执行“确认服务”。": N - 1
    }
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED
    assert list(booking.entries.filter(kind=EntryKind.REDEEM).values_list("amount", flat=True)) == [D("8000")]
    assert audit_for(booking, action=AuditLog.Action.TRANSITION, to_state="confirmed").count() == 1
    program = _fresh(program)
    assert (program.committed, program.redeemed) == (D("0"), D("8000"))
    quota.refresh_from_db()
    assert (quota.committed, quota.redeemed, quota.available) == (D("0"), D("8000"), D("12000"))
    assert reconcile(program) == []


def test_50_simultaneous_redemptions_against_a_fully_issued_budget_leave_it_at_zero():
    world = build_world()
    _provider_apart(world)
    prov = world["provider"]
    users = _enterprises(N, "绍兴并发兑付")
    amounts = [D(2000 + 10 * i) for i in range(N)]  # 100,000 + 12,250 in all: enough to judge concentration
    total = sum(amounts, D("0"))
    # the budget is exactly the quotas: nothing remains to issue, every quota is fully booked
    program = make_program(world["staff"], budget=total, year=today().year)
    offering = make_provider(prov, world["staff"], price="2000")
    setup = time.perf_counter()
    bookings = []
    for user, amount in zip(users, amounts, strict=True):
        quota = make_quota(program, user, str(amount))
        booking = services.booking_create(
            quota=quota, offering=offering, fee=str(amount), service_date=today() + timedelta(days=1), by=user
        )
        booking = services.booking_accept(booking=booking, by=prov)
        bookings.append(
            services.booking_complete(
                booking=booking, invoice_no=f"No.{user.pk}", report_file=_pdf(), by=prov
            )
        )
    setup = time.perf_counter() - setup
    program = _fresh(program)
    assert (program.remaining, program.committed, program.outstanding) == (D("0"), total, D("0"))

    outcomes, elapsed = _together(lambda i: services.booking_confirm(booking=bookings[i], by=users[i]))
    _report(f"50 redemptions of different bookings (setup {setup:.1f} s)", elapsed, outcomes)

    assert [o for o in outcomes if o[0] != "ok"] == []
    program = _fresh(program)
    assert (program.redeemed, program.committed) == (total, D("0"))
    assert program.remaining == 0 and program.outstanding == 0
    assert program.issued == program.budget
    assert set(Booking.objects.filter(quota__program=program).values_list("state", flat=True)) == {
        BookingState.CONFIRMED
    }
    for quota in Quota.objects.filter(program=program):
        assert (quota.committed, quota.available) == (D("0"), D("0"))
        assert quota.redeemed == quota.granted
    assert LedgerEntry.objects.filter(program=program, kind=EntryKind.REDEEM).count() == N
    assert reconcile(program) == []
    # the provider took all of more than 100,000 yuan of redemptions: flagged once, not blocked
    assert list(Flag.objects.values_list("kind", "provider")) == [
        (FlagKind.VOUCHER_SHARE, prov.organization_id)
    ]

"""The whole voucher path through the services: quota → booking → completion → confirmation → claim →
settlement → payment, with the ledger adding up at every step."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.vouchers import services
from kechuang.vouchers.enums import BookingState, QuotaState
from kechuang.vouchers.ledger import reconcile

from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db


def _pdf(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def test_the_whole_path_moves_the_money_and_the_ledger_adds_up(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])
    assert quota.state == QuotaState.APPROVED and quota.granted == Decimal("20000")

    booking = services.booking_create(
        quota=quota, offering=offering, service_date=today() + timedelta(days=3), by=world["ent_a"]
    )
    assert (booking.voucher_amount, booking.enterprise_amount) == (Decimal("8000"), Decimal("0"))
    booking = services.booking_accept(booking=booking, by=world["provider"])
    # the fee turned out higher: 12,000 → the 50 % tier applies to the whole fee
    booking = services.booking_complete(
        booking=booking, fee="12000", invoice_no="No.001", report_file=_pdf(), by=world["provider"]
    )
    assert (booking.voucher_amount, booking.enterprise_amount) == (Decimal("6000.00"), Decimal("6000.00"))
    booking = services.booking_confirm(booking=booking, by=world["ent_a"])
    booking = services.booking_claim(booking=booking, by=world["provider"])
    batch = services.batch_create(program=program, by=world["staff"])
    assert batch.total == Decimal("6000.00")
    batch = services.batch_approve(batch=batch, by=world["staff"])
    services.batch_pay(batch=batch, paid_on=today(), reference="财拨2026-001", by=world["staff"])
    booking.refresh_from_db()
    program.refresh_from_db()
    quota.refresh_from_db()
    assert booking.state == BookingState.PAID
    assert (program.issued, program.committed, program.redeemed, program.settled, program.paid) == (
        Decimal("20000"),
        Decimal("0"),
        Decimal("6000"),
        Decimal("6000"),
        Decimal("6000"),
    )
    assert quota.available == Decimal("14000")
    assert reconcile(program) == []


def test_only_the_parties_act_on_a_booking(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"])
    quota = make_quota(program, world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.booking_create(quota=quota, offering=offering, service_date=today(), by=world["ent_b"])
    booking = services.booking_create(quota=quota, offering=offering, service_date=today(), by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.booking_accept(booking=booking, by=world["ent_a"])
    with pytest.raises(DomainError):
        services.booking_confirm(booking=booking, by=world["ent_a"])  # not completed yet


def test_expiry_returns_the_unused_quota_to_the_budget(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"])
    quota = make_quota(program, world["ent_a"])
    services.booking_create(quota=quota, offering=offering, service_date=today(), by=world["ent_a"])
    returned = services.expire_quotas(program=program, today=program.ends_on + timedelta(days=1))
    assert returned == Decimal("12000")
    program.refresh_from_db()
    quota.refresh_from_db()
    assert quota.state == QuotaState.EXPIRED and quota.available == 0
    assert program.remaining == program.budget - Decimal("8000")
    assert reconcile(program) == []


def test_a_program_takes_applications_from_its_own_region_only(world):
    program = make_program(world["kq_staff"], region_code="330603")  # 柯桥区's program
    with pytest.raises(DomainError, match="辖内单位"):
        make_quota(program, world["ent_b"])  # 诸暨 is not in 柯桥
    assert make_quota(program, world["ent_a"]).state == QuotaState.APPROVED

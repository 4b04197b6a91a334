"""The voucher rules as the services apply them (SQLite is enough): who may apply and for how much, what a
quota can be used for and with whom (通用通兑), how completion, decline and cancellation move the committed
money, how far a budget may be lowered, and that every step is in the audit trail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.accounts.enums import Role
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.organizations.models import Qualification
from kechuang.vouchers import permissions as perm
from kechuang.vouchers import services
from kechuang.vouchers.enums import (
    BookingState,
    EntryKind,
    ProviderState,
    QuotaState,
    ServiceCategory,
)
from kechuang.vouchers.ledger import entry_totals, reconcile
from kechuang.vouchers.models import Booking, LedgerEntry, Quota, VoucherProgram

from ..factories import OrganizationFactory, audit_for, region
from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db
D = Decimal


def _pdf(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _book(quota, offering, user, **kwargs):
    return services.booking_create(
        quota=quota, offering=offering, service_date=today() + timedelta(days=2), by=user, **kwargs
    )


def _complete(booking, provider_user, fee=None):
    return services.booking_complete(
        booking=booking, fee=fee, invoice_no="No.0001", report_file=_pdf(), by=provider_user
    )


def _refresh(*records):
    for record in records:
        record.refresh_from_db()


def _reconcile(program):
    """The ledger's differences for the program as stored (not the test's copy of it)."""
    return reconcile(VoucherProgram.objects.get(pk=program.pk))


def _enterprise(make_user, name, region_code="330603L01"):
    organization = OrganizationFactory(name=name, region=region(region_code), address=f"{name}地址")
    return make_user(Role.ENTERPRISE, organization=organization, is_org_admin=True)


# --- applying for a quota -----------------------------------------------------------------------------------


def test_apply_is_refused_outside_the_period_and_accepted_on_its_first_and_last_day(world):
    program = make_program(world["staff"])
    for day in (program.starts_on - timedelta(days=1), program.ends_on + timedelta(days=1)):
        with pytest.raises(DomainError, match="^该创新券计划当前不在受理期内。$"):
            services.quota_apply(
                program=program, organization=world["org_a"], requested="1000", by=world["ent_a"], today=day
            )
    assert not Quota.objects.exists()
    for day, user in ((program.starts_on, world["ent_a"]), (program.ends_on, world["ent_b"])):
        quota = services.quota_apply(
            program=program, organization=user.organization, requested="1000", by=user, today=day
        )
        assert quota.state == QuotaState.APPROVED


def test_apply_is_refused_when_the_program_is_not_open(world):
    draft = make_program(world["staff"], open_=False)
    with pytest.raises(DomainError, match="^该创新券计划当前不在受理期内。$"):
        make_quota(draft, world["ent_a"])
    closed = services.program_close(program=make_program(world["staff"], name="另一计划"), by=world["staff"])
    with pytest.raises(DomainError, match="^该创新券计划当前不在受理期内。$"):
        make_quota(closed, world["ent_a"])
    assert not Quota.objects.exists()


def test_apply_is_refused_to_an_organization_of_another_kind(world):
    program = make_program(world["staff"])  # enterprises only
    with pytest.raises(DomainError) as refused:
        make_quota(program, world["institution"])
    assert refused.value.message == "本计划面向企业，贵单位为高校院所。"


def test_apply_checks_size_and_qualifications(world):
    program = make_program(
        world["staff"], eligible_sizes=["micro", "small"], required_qualifications=["tsme"]
    )
    with pytest.raises(DomainError) as refused:
        make_quota(program, world["ent_a"])
    assert refused.value.message == (
        "本计划面向微型、小型企业，贵单位为未填写规模。 本计划要求具备以下资质之一：科技型中小企业。"
    )
    org = world["org_a"]
    org.size = "small"
    org.save()
    lapsed = Qualification.objects.create(
        organization=org,
        kind="tsme",
        valid_from=today() - timedelta(days=800),
        valid_until=today() - timedelta(days=1),
    )
    with pytest.raises(DomainError, match="^本计划要求具备以下资质之一：科技型中小企业。$"):
        make_quota(program, world["ent_a"])
    lapsed.valid_until = today()  # in force on the last day
    lapsed.save()
    assert make_quota(program, world["ent_a"]).state == QuotaState.APPROVED


def test_apply_above_the_per_application_quota_is_refused_exactly_at_it_accepted(world):
    program = make_program(world["staff"])  # 20,000 per application
    with pytest.raises(DomainError, match="^单次申领不能超过20000.00元。$") as refused:
        make_quota(program, world["ent_a"], "20000.01")
    assert refused.value.field == "requested"
    quota = make_quota(program, world["ent_a"], "20000.00")
    assert (quota.state, quota.granted) == (QuotaState.APPROVED, D("20000"))


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "申领金额须大于0元。"), ("abc", "金额“abc”不是有效的数字。"), ("-5", "金额不能为负数。")],
)
def test_apply_refuses_a_bad_amount(world, amount, message):
    program = make_program(world["staff"])
    with pytest.raises(DomainError) as refused:
        make_quota(program, world["ent_a"], amount)
    assert (refused.value.message, refused.value.field) == (message, "requested")


def test_only_the_organizations_own_users_apply(world):
    program = make_program(world["staff"])
    for who in ("ent_b", "provider", "staff"):
        with pytest.raises(PermissionDenied, match="只有申领单位本单位的用户可以申领创新券"):
            services.quota_apply(
                program=program, organization=world["org_a"], requested="1000", by=world[who]
            )
    assert not Quota.objects.exists()


def test_a_second_pending_application_is_refused(world):
    program = make_program(world["staff"], auto_approve=False)
    first = make_quota(program, world["ent_a"])
    assert (first.state, first.granted) == (QuotaState.APPLIED, D("0"))
    with pytest.raises(DomainError, match="^贵单位已有一笔待审核的申领，请等待审核结果。$"):
        make_quota(program, world["ent_a"], "1000")
    assert make_quota(program, world["ent_b"]).state == QuotaState.APPLIED  # another enterprise may
    services.quota_reject(quota=first, reason="材料不全", by=world["staff"])
    assert make_quota(program, world["ent_a"], "1000").state == QuotaState.APPLIED  # after the decision
    program.refresh_from_db()
    assert program.issued == 0  # nothing issued before an officer approves


def test_manual_approval_for_a_smaller_amount(world):
    program = make_program(world["staff"], auto_approve=False)
    quota = make_quota(program, world["ent_a"], "20000")
    with pytest.raises(PermissionDenied):
        services.quota_approve(quota=quota, amount="12000", by=world["kq_staff"])  # another bureau
    with pytest.raises(PermissionDenied):
        services.quota_approve(quota=quota, amount="12000", by=world["ent_a"])
    with pytest.raises(DomainError, match="^发放金额须大于0元。$"):
        services.quota_approve(quota=quota, amount="0", by=world["staff"])
    approved = services.quota_approve(quota=quota, amount="12000", by=world["staff"])
    assert (approved.state, approved.granted, approved.decided_by) == (
        QuotaState.APPROVED,
        D("12000"),
        world["staff"],
    )
    assert approved.reason == "发放12000.00元"
    program.refresh_from_db()
    assert (program.issued, program.remaining) == (D("12000"), program.budget - D("12000"))
    with pytest.raises(DomainError, match="^该申领当前状态为“已发放”，不能审核。$"):
        services.quota_approve(quota=approved, by=world["staff"])
    # an amount above the request grants the request
    other = services.quota_approve(
        quota=make_quota(program, world["ent_b"], "5000"), amount="9000", by=world["staff"]
    )
    assert other.granted == D("5000")
    assert _reconcile(program) == []


def test_reject_needs_a_reason_and_moves_no_money(world):
    program = make_program(world["staff"], auto_approve=False)
    quota = make_quota(program, world["ent_a"])
    with pytest.raises(DomainError, match="^请填写理由。$"):
        services.quota_reject(quota=quota, reason="  ", by=world["staff"])
    rejected = services.quota_reject(quota=quota, reason="不符合条件", by=world["staff"])
    assert (rejected.state, rejected.granted, rejected.reason) == (QuotaState.REJECTED, 0, "不符合条件")
    assert not LedgerEntry.objects.exists()


def test_the_annual_cap_is_reached_exactly_across_quotas_then_the_next_is_rejected(world):
    program = make_program(world["staff"], annual_cap=D("50000"))
    grants = [make_quota(program, world["ent_a"], "20000") for _ in range(3)]
    assert [q.granted for q in grants] == [D("20000"), D("20000"), D("10000")]
    assert "受本年度累计上限剩余10,000.00元限制" in grants[2].reason
    assert services.cap_left(program, world["org_a"].pk) == 0
    refused = make_quota(program, world["ent_a"], "0.01")
    assert (refused.state, refused.granted) == (QuotaState.REJECTED, 0)
    assert refused.reason == "系统按规则自动审核；已无可发放额度：本年度累计上限剩余0.00元"
    # the cap is per enterprise
    assert make_quota(program, world["ent_b"], "20000").granted == D("20000")
    program.refresh_from_db()
    assert program.issued == D("70000")
    assert _reconcile(program) == []


def test_the_budget_is_issued_exactly_then_applications_are_rejected(world, make_user):
    program = make_program(world["staff"], budget=D("30000"))
    assert make_quota(program, world["ent_a"], "20000").granted == D("20000")
    partial = make_quota(program, world["ent_b"], "20000")
    assert partial.granted == D("10000") and "计划预算剩余10,000.00元" in partial.reason
    late = make_quota(program, _enterprise(make_user, "上虞丙公司", "330604"), "1")
    assert (late.state, late.reason) == (
        QuotaState.REJECTED,
        "系统按规则自动审核；已无可发放额度：计划预算剩余0.00元",
    )
    program.refresh_from_db()
    assert (program.issued, program.remaining) == (D("30000"), D("0"))
    assert _reconcile(program) == []


# --- booking: what, with whom -------------------------------------------------------------------------------


def test_booking_refused_for_a_category_outside_the_program(world):
    program = make_program(world["staff"])  # testing, instrument, design
    offering = make_provider(world["provider"], world["staff"], category=ServiceCategory.RD)
    quota = make_quota(program, world["ent_a"])
    with pytest.raises(DomainError, match="^本计划的创新券不能用于“研发服务”类服务。$"):
        _book(quota, offering, world["ent_a"])
    assert not Booking.objects.exists()
    quota.refresh_from_db()
    assert quota.committed == 0


def test_booking_refused_with_a_provider_not_verified_suspended_or_an_inactive_offering(world):
    program = make_program(world["staff"])
    quota = make_quota(program, world["ent_a"])
    organization = world["provider"].organization
    profile = services.provider_register(
        organization=organization, values={"categories": [ServiceCategory.TESTING]}, by=world["provider"]
    )
    offering = services.offering_create(
        provider=organization,
        values={"category": ServiceCategory.TESTING, "name": "拉伸试验", "price": "800"},
        by=world["provider"],
    )
    refusal = "^该服务项目当前不接受创新券预约。$"
    with pytest.raises(DomainError, match=refusal):
        _book(quota, offering, world["ent_a"])  # pending
    profile = services.provider_decide(profile=profile, action="verify", by=world["staff"])
    booking = _book(quota, offering, world["ent_a"])  # verified: accepted
    assert booking.state == BookingState.REQUESTED
    profile = services.provider_decide(
        profile=profile, action="suspend", reason="投诉核查中", by=world["staff"]
    )
    assert profile.state == ProviderState.SUSPENDED
    with pytest.raises(DomainError, match=refusal):
        _book(quota, offering, world["ent_a"])
    services.provider_decide(profile=profile, action="verify", by=world["staff"])
    services.offering_update(offering=offering, values={"active": False}, by=world["provider"])
    with pytest.raises(DomainError, match=refusal):
        _book(quota, offering, world["ent_a"])
    assert Booking.objects.count() == 1


def test_a_provider_outside_the_program_region_is_refused_unless_its_region_is_a_partner(world, make_user):
    # 柯桥区's own program: a provider of 越城区 (same city, another county) is outside it
    program = make_program(world["kq_staff"], region_code="330603")
    offering = make_provider(world["provider"], world["staff"])  # 越城 330602L02
    quota = make_quota(program, world["ent_a"])
    with pytest.raises(DomainError, match="^该服务机构所在地区不在本计划的通用通兑范围内。$"):
        _book(quota, offering, world["ent_a"])
    services.program_update(
        program=program, values={}, partner_regions=[region("330602")], by=world["kq_staff"]
    )
    booking = _book(quota, offering, world["ent_a"])
    assert (booking.issuing_region_id, booking.service_region_id) == ("330603", "330602L02")
    assert booking.cross_region


def test_cross_region_acceptance_with_a_partner_city(world, make_user):
    """通用通兑: a 绍兴 voucher used with a 嘉兴 provider; the booking is issued by 绍兴 and used in 嘉兴, both
    bureaus see it, the issuing region settles it."""
    jx_org = OrganizationFactory(
        kind="provider", name="嘉兴检测中心", region=region("330402"), address="南湖区广益路1号"
    )
    jx_provider = make_user(Role.PROVIDER, organization=jx_org, is_org_admin=True)
    jx_bureau = make_user(Role.BUREAU_STAFF, region_code="330400", department="high_tech")
    offering = make_provider(jx_provider, jx_bureau, price="8000")
    program = make_program(world["staff"])
    quota = make_quota(program, world["ent_a"])
    with pytest.raises(DomainError, match="通用通兑范围"):
        _book(quota, offering, world["ent_a"])
    services.program_update(program=program, values={}, partner_regions=[region("330400")], by=world["staff"])
    booking = _book(quota, offering, world["ent_a"])
    assert (booking.issuing_region_id, booking.service_region_id) == ("330600", "330402")
    assert booking.provider == jx_org and booking.cross_region
    assert perm.can_view_booking(jx_bureau, booking)  # the service region's bureau sees it
    assert perm.can_view_booking(world["staff"], booking)  # the issuing region's too
    assert perm.can_view_booking(world["ent_b"], booking) is not None
    assert not perm.can_view_booking(world["ent_b"], booking)
    assert not perm.can_view_booking(world["zj_officer"], booking)
    booking = services.booking_accept(booking=booking, by=jx_provider)
    booking = _complete(booking, jx_provider)
    booking = services.booking_confirm(booking=booking, by=world["ent_a"])
    booking = services.booking_claim(booking=booking, by=jx_provider)
    with pytest.raises(PermissionDenied):
        services.batch_create(program=program, by=jx_bureau)  # the service region does not pay
    batch = services.batch_create(program=program, by=world["staff"])
    assert (batch.program, batch.total) == (program, D("8000"))
    assert _reconcile(program) == []


def test_booking_with_the_enterprises_own_organization_is_refused(world, make_user):
    program = make_program(world["staff"])
    # an enterprise that is also a verified provider
    offering = make_provider(world["ent_a"], world["staff"])
    quota = make_quota(program, world["ent_a"])
    with pytest.raises(DomainError, match="^不能向本单位购买服务。$"):
        _book(quota, offering, world["ent_a"])


def test_booking_refused_on_a_quota_not_approved_or_after_the_period(world):
    program = make_program(world["staff"], auto_approve=False)
    offering = make_provider(world["provider"], world["staff"])
    pending = make_quota(program, world["ent_a"])
    with pytest.raises(DomainError, match="^该额度当前状态为“待审核”，不能使用。$"):
        _book(pending, offering, world["ent_a"])
    quota = services.quota_approve(quota=pending, by=world["staff"])
    with pytest.raises(DomainError, match="额度不能再使用"):
        _book(quota, offering, world["ent_a"], today=program.ends_on + timedelta(days=1))
    with pytest.raises(DomainError, match="^服务日期不能早于今天。$"):
        services.booking_create(
            quota=quota, offering=offering, service_date=today() - timedelta(days=1), by=world["ent_a"]
        )


# --- completion, decline, cancellation -------------------------------------------------------------------


def test_completion_with_a_lower_fee_releases_the_difference(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])
    booking = services.booking_accept(booking=_book(quota, offering, world["ent_a"]), by=world["provider"])
    booking = _complete(booking, world["provider"], fee="6000")
    assert (booking.fee, booking.voucher_amount, booking.enterprise_amount) == (D("6000"), D("6000"), D("0"))
    _refresh(quota, program)
    assert (quota.committed, quota.available) == (D("6000"), D("14000"))
    assert program.committed == D("6000")
    assert list(booking.entries.values_list("kind", "amount")) == [
        (EntryKind.COMMIT, D("8000")),
        (EntryKind.RELEASE, D("2000")),
    ]
    assert _reconcile(program) == []


def test_completion_with_a_higher_fee_commits_more_as_far_as_the_quota_goes(world):
    program = make_program(world["staff"])  # 100 % under 10,000, 50 % of the whole fee from 10,000 on
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])  # 20,000
    first = services.booking_accept(booking=_book(quota, offering, world["ent_a"]), by=world["provider"])
    second = services.booking_accept(
        booking=_book(quota, offering, world["ent_a"], fee="9000"), by=world["provider"]
    )
    quota.refresh_from_db()
    assert quota.available == D("3000")
    # 30,000 → 15,000 by the rule, but only 8,000 held + 3,000 left: the voucher pays 11,000
    first = _complete(first, world["provider"], fee="30000")
    assert (first.voucher_amount, first.enterprise_amount) == (D("11000"), D("19000"))
    quota.refresh_from_db()
    assert (quota.committed, quota.available) == (D("20000"), D("0"))
    # 9,500 would be paid in full, but only the 9,000 already held is there: the enterprise pays 500
    second = _complete(second, world["provider"], fee="9500")
    assert (second.voucher_amount, second.enterprise_amount) == (D("9000"), D("500"))
    assert list(second.entries.values_list("kind", "amount")) == [(EntryKind.COMMIT, D("9000"))]
    _refresh(quota, program)
    assert quota.committed == program.committed == D("20000")
    assert _reconcile(program) == []


def test_completion_needs_the_invoice_and_the_report(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"])
    booking = services.booking_accept(
        booking=_book(make_quota(program, world["ent_a"]), offering, world["ent_a"]), by=world["provider"]
    )
    with pytest.raises(DomainError, match="^请填写发票号码。$"):
        services.booking_complete(booking=booking, invoice_no=" ", report_file=_pdf(), by=world["provider"])
    with pytest.raises(DomainError, match="^请上传服务报告。$"):
        services.booking_complete(booking=booking, invoice_no="No.1", by=world["provider"])
    with pytest.raises(PermissionDenied):
        services.booking_complete(booking=booking, invoice_no="No.1", report_file=_pdf(), by=world["ent_a"])
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED


def test_decline_and_cancel_release_the_commitment(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])

    declined = _book(quota, offering, world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.booking_decline(booking=declined, reason="排期已满", by=world["ent_a"])
    with pytest.raises(DomainError, match="^请填写理由。$"):
        services.booking_decline(booking=declined, reason="", by=world["provider"])
    declined = services.booking_decline(booking=declined, reason="排期已满", by=world["provider"])

    cancelled = services.booking_cancel(booking=_book(quota, offering, world["ent_a"]), by=world["ent_a"])

    accepted = services.booking_accept(booking=_book(quota, offering, world["ent_a"]), by=world["provider"])
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=accepted, reason="不需要了", by=world["provider"])
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=accepted, reason="不需要了", by=world["ent_b"])
    with pytest.raises(DomainError, match="^请填写理由。$"):
        services.booking_cancel(booking=accepted, by=world["ent_a"])  # once accepted, say why
    cancelled_late = services.booking_cancel(booking=accepted, reason="项目调整", by=world["ent_a"])

    assert [b.state for b in (declined, cancelled, cancelled_late)] == [
        BookingState.DECLINED,
        BookingState.CANCELLED,
        BookingState.CANCELLED,
    ]
    _refresh(quota, program)
    assert (quota.committed, quota.available) == (D("0"), D("20000"))
    assert program.committed == 0
    totals = entry_totals(program.pk)
    assert (totals[EntryKind.COMMIT], totals[EntryKind.RELEASE]) == (D("24000"), D("24000"))
    with pytest.raises(DomainError, match="^当前状态为“服务机构已谢绝”，不能执行“确认服务”。$"):
        services.booking_confirm(booking=declined, by=world["ent_a"])
    assert _reconcile(program) == []


def test_a_commitment_released_after_the_quota_expired_returns_to_the_budget(world):
    """At the period end the unused part of a quota expires; the money held by a booking stays with it. When
    that booking is then declined (or completed for less), the released money belongs to an expired quota
    that can never be used again: it must go back to the budget, not stay stranded in the quota."""
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])
    booking = _book(quota, offering, world["ent_a"])
    assert services.expire_quotas(program=program, today=program.ends_on + timedelta(days=1)) == D("12000")
    program.refresh_from_db()
    assert program.remaining == program.budget - D("8000")

    services.booking_decline(booking=booking, reason="设备故障", by=world["provider"])
    _refresh(quota, program)
    assert quota.state == QuotaState.EXPIRED
    assert quota.available == 0, "an expired quota keeps nothing usable"
    assert program.remaining == program.budget, "the released 8,000 is back in the budget"
    assert program.outstanding == 0
    assert _reconcile(program) == []


# --- the budget --------------------------------------------------------------------------------------------


def test_the_budget_cannot_drop_below_what_is_issued_and_not_expired(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])
    make_quota(program, world["ent_b"])
    with pytest.raises(DomainError, match="^预算不能低于已发放且未收回的额度40000.00元。$") as refused:
        services.program_update(program=program, values={"budget": "39999.99"}, by=world["staff"])
    assert refused.value.field == "budget"
    program = services.program_update(program=program, values={"budget": "40000"}, by=world["staff"])
    assert (program.budget, program.remaining) == (D("40000"), D("0"))
    with pytest.raises(PermissionDenied):
        services.program_update(program=program, values={"budget": "50000"}, by=world["kq_staff"])
    with pytest.raises(ConflictError):
        services.program_update(
            program=program,
            values={"budget": "50000"},
            expected_version=program.version - 1,
            by=world["staff"],
        )
    # after the period, the unused quotas come back: the budget may go down to what was used
    _book(quota, offering, world["ent_a"])
    services.expire_quotas(program=program, today=program.ends_on + timedelta(days=1))
    with pytest.raises(DomainError, match="^预算不能低于已发放且未收回的额度8000.00元。$"):
        services.program_update(program=program, values={"budget": "7999.99"}, by=world["staff"])
    program = services.program_update(program=program, values={"budget": "8000"}, by=world["staff"])
    assert program.remaining == 0  # budget 8,000 − issued 40,000 + expired 32,000: all of it used
    assert _reconcile(program) == []


def test_program_terms_are_checked(world):
    program = make_program(world["staff"], open_=False)
    cases = [
        ({"copay_tiers": [["100", "1"]]}, "第一档须从0元起。", "copay_tiers"),
        ({"quota_per_application": "200000"}, "单次申领上限不能高于年度累计上限。", "quota_per_application"),
        ({"annual_cap": "0"}, "单次申领上限和年度累计上限须大于0元。", "quota_per_application"),
        ({"budget": "-1"}, "金额不能为负数。", "budget"),
        ({"categories": ["nonsense"]}, "请选择可使用的服务类别。", "categories"),
        ({"ends_on": program.starts_on - timedelta(days=1)}, "截止日期不能早于开始日期。", "ends_on"),
    ]
    for values, message, field in cases:
        with pytest.raises(DomainError) as refused:
            services.program_update(program=program, values=values, by=world["staff"])
        assert (refused.value.message, refused.value.field) == (message, field), values


# --- the audit trail ---------------------------------------------------------------------------------------


def _trail(instance):
    return list(
        audit_for(instance, action=AuditLog.Action.TRANSITION)
        .order_by("at", "id")
        .values_list("from_state", "to_state", "actor_id")
    )


def test_every_transition_is_in_the_audit_trail(world):
    staff, ent, prov = world["staff"].pk, world["ent_a"].pk, world["provider"].pk
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"])
    profile = world["provider"].organization.voucher_provider
    quota = make_quota(program, world["ent_a"])
    booking = _book(quota, offering, world["ent_a"])
    booking = services.booking_accept(booking=booking, by=world["provider"])
    booking = _complete(booking, world["provider"])
    booking = services.booking_dispute(booking=booking, reason="报告缺页", by=world["ent_a"])
    booking = _complete(booking, world["provider"])
    booking = services.booking_confirm(booking=booking, by=world["ent_a"])
    booking = services.booking_claim(booking=booking, by=world["provider"])
    batch = services.batch_create(program=program, by=world["staff"])
    batch = services.batch_approve(batch=batch, by=world["staff"])
    services.batch_pay(batch=batch, paid_on=today(), reference="财拨2026-007", by=world["staff"])
    cancelled = services.booking_cancel(booking=_book(quota, offering, world["ent_a"]), by=world["ent_a"])
    program = services.program_close(program=program, by=world["staff"])

    assert _trail(program) == [("draft", "open", staff), ("open", "closed", staff)]
    assert _trail(profile) == [("pending", "verified", staff)]
    assert _trail(quota) == [("applied", "approved", ent), ("approved", "expired", staff)]
    assert _trail(booking) == [
        ("", "requested", ent),
        ("requested", "accepted", prov),
        ("accepted", "completed", prov),
        ("completed", "disputed", ent),
        ("disputed", "completed", prov),
        ("completed", "confirmed", ent),
        ("confirmed", "claimed", prov),
        ("claimed", "settled", staff),
        ("settled", "paid", staff),
    ]
    assert _trail(cancelled) == [("", "requested", ent), ("requested", "cancelled", ent)]
    assert _trail(batch) == [("draft", "approved", staff), ("approved", "paid", staff)]
    # the split is explained where the booking starts, the dispute's reason where it was raised
    first = audit_for(booking, action=AuditLog.Action.TRANSITION).order_by("at", "id")
    assert first[0].reason == "服务费用8,000.00元，按100%计，创新券支付8,000.00元，企业自付0.00元。"
    assert first[3].reason == "报告缺页"
    assert _reconcile(program) == []


def test_a_rejection_by_the_rules_is_in_the_audit_trail_with_its_reason(world):
    program = make_program(world["staff"], budget=D("0"))
    quota = make_quota(program, world["ent_a"])
    line = audit_for(quota, action=AuditLog.Action.TRANSITION).get()
    assert (line.from_state, line.to_state, line.actor_id) == ("applied", "rejected", world["ent_a"].pk)
    assert line.reason == "系统按规则自动审核；已无可发放额度：计划预算剩余0.00元"


# --- who sees and changes a booking ------------------------------------------------------------------------


def test_another_organization_cannot_see_or_change_a_booking(world):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"])
    quota = make_quota(program, world["ent_a"])
    booking = _book(quota, offering, world["ent_a"])
    for who in ("ent_a", "provider", "staff", "admin", "leader"):
        assert perm.can_view_booking(world[who], booking), who
    for who in ("ent_b", "institution", "zj_officer", "kq_officer", "expert"):
        assert not perm.can_view_booking(world[who], booking), who
    assert not perm.can_view_quota(world["ent_b"], quota)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, by=world["ent_b"])
    with pytest.raises(PermissionDenied):
        services.booking_create(quota=quota, offering=offering, service_date=today(), by=world["ent_b"])
    with pytest.raises(PermissionDenied):
        services.booking_accept(booking=booking, by=world["ent_b"])
    booking.refresh_from_db()
    assert booking.state == BookingState.REQUESTED

"""Fraud checks bureaus ask for (issue 6 item 6): related parties, bookings just under a threshold, a
provider living on vouchers. Each finding is one flag for an officer of the issuing region, raised once
however often it is checked, and never blocks the booking or the redemption."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.accounts.enums import Role
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.enterprises.models import AnnualData
from kechuang.vouchers import services
from kechuang.vouchers.enums import BookingState, FlagKind, FlagState
from kechuang.vouchers.models import Flag, VoucherProgram

from ..factories import OrganizationFactory, audit_for, region
from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def parties(world):
    """The world with distinct addresses: the factory gives every organization the same default address,
    which would make every enterprise "related" to every provider."""
    for key, address in (("org_a", "柯桥区笛扬路1号"), ("org_b", "诸暨市暨阳路2号")):
        world[key].address = address
        world[key].save()
    provider = world["provider"].organization
    provider.address = "越城区人民中路3号"
    provider.save()
    world["prov_org"] = provider
    return world


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _book(quota, offering, user, fee=None):
    return services.booking_create(
        quota=quota, offering=offering, fee=fee, service_date=today() + timedelta(days=1), by=user
    )


def _redeem(quota, offering, enterprise_user, provider_user, fee=None):
    booking = services.booking_accept(booking=_book(quota, offering, enterprise_user, fee), by=provider_user)
    booking = services.booking_complete(
        booking=booking, invoice_no="No.1", report_file=_pdf(), by=provider_user
    )
    return services.booking_confirm(booking=booking, by=enterprise_user)


def _set(organization, **fields):
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.save()


# --- related parties ----------------------------------------------------------------------------------------


def test_unrelated_parties_raise_no_flag(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], legal_representative="张三")
    _set(parties["prov_org"], legal_representative="李四")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    assert not Flag.objects.exists()


def test_the_same_legal_representative_is_flagged_once_and_does_not_block(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], legal_representative="王五")
    _set(parties["prov_org"], legal_representative=" 王 五 ")  # spaces do not hide it
    quota = make_quota(program, parties["ent_a"])
    booking = _book(quota, offering, parties["ent_a"])
    assert booking.state == BookingState.REQUESTED and booking.voucher_amount == D("8000")
    flag = Flag.objects.get()
    assert (flag.kind, flag.state, flag.program, flag.provider, flag.enterprise, flag.booking) == (
        FlagKind.RELATED_PARTIES,
        FlagState.OPEN,
        program,
        parties["prov_org"],
        parties["org_a"],
        booking,
    )
    assert flag.detail == "柯桥甲纺织有限公司与服务机构绍兴测试检测中心可能存在关联：法定代表人均为王五。"
    assert flag.evidence == {"reasons": ["法定代表人均为王五"]}
    # booked again, accepted, completed, confirmed: still one flag, nothing blocked
    second = _redeem(quota, offering, parties["ent_a"], parties["provider"])
    assert second.state == BookingState.CONFIRMED
    assert Flag.objects.count() == 1
    program.refresh_from_db()
    assert (program.committed, program.redeemed) == (D("8000"), D("8000"))


def test_the_same_address_written_differently_is_flagged(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], address="柯桥区笛扬路１号（A座）")  # full-width digit and brackets
    _set(parties["prov_org"], address="柯桥区 笛扬路1号(A座)")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    flag = Flag.objects.get()
    assert flag.kind == FlagKind.RELATED_PARTIES
    assert flag.evidence == {"reasons": ["地址相同（柯桥区笛扬路１号（A座））"]}


def test_both_reasons_are_named_in_one_flag(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], legal_representative="王五", address="越城区人民中路3号")
    _set(parties["prov_org"], legal_representative="王五")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    flag = Flag.objects.get()
    assert flag.evidence["reasons"] == ["法定代表人均为王五", "地址相同（越城区人民中路3号）"]
    assert flag.detail.endswith("法定代表人均为王五；地址相同（越城区人民中路3号）。")


def test_a_common_shareholder_or_one_owning_the_other_is_flagged(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], shareholders="赵六\n绍兴测试检测中心\n钱七")  # the provider owns part of it
    _set(parties["prov_org"], shareholders="孙八；赵 六")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    flag = Flag.objects.get()
    assert flag.evidence == {"reasons": ["有共同股东赵六", "服务机构是企业的股东"]}


def test_different_shareholders_relate_nobody(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], shareholders="赵六")
    _set(parties["prov_org"], shareholders="孙八")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    assert not Flag.objects.exists()


def test_the_factory_default_address_makes_parties_related(world):
    """Documents the fixture caveat: every factory organization has the same address."""
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"])
    _book(make_quota(program, world["ent_a"]), offering, world["ent_a"])
    assert Flag.objects.get().kind == FlagKind.RELATED_PARTIES


def test_a_blank_legal_representative_or_address_relates_nobody(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], legal_representative="", address=" ")
    _set(parties["prov_org"], legal_representative="", address="")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    assert not Flag.objects.exists()


# --- just under a threshold ---------------------------------------------------------------------------------


@pytest.fixture
def near(parties):
    """A program whose ratio changes at 10,000 (flags from 9,500 on), a quota of 50,000, a provider."""
    program = make_program(parties["staff"], quota_per_application=D("50000"))
    offering = make_provider(parties["provider"], parties["staff"], price="9999.99")
    quota = make_quota(program, parties["ent_a"], "50000")
    return program, offering, quota


def test_three_bookings_just_under_the_threshold_raise_one_flag(parties, near):
    program, offering, quota = near
    ent = parties["ent_a"]
    first = _book(quota, offering, ent)  # 9,999.99
    second = _book(quota, offering, ent, fee="9800")
    assert not Flag.objects.exists()  # two are not a pattern
    third = _book(quota, offering, ent, fee="9500")  # exactly 5 % under: counts
    assert third.state == BookingState.REQUESTED  # not blocked
    flag = Flag.objects.get()
    assert (flag.kind, flag.program, flag.enterprise, flag.provider, flag.booking) == (
        FlagKind.UNDER_THRESHOLD,
        program,
        parties["org_a"],
        parties["prov_org"],
        third,
    )
    assert sorted(flag.evidence["bookings"]) == sorted([first.pk, second.pk, third.pk])
    assert D(flag.evidence["threshold"]) == D("10000")
    assert flag.detail == (
        "柯桥甲纺织有限公司在本计划有3笔服务费用在9500元至10000.00元之间，略低于10000.00元的分档线。"
    )
    # a fourth: still the one flag (idempotent), and the booking goes through
    fourth = _book(quota, offering, ent, fee="9999")
    assert fourth.state == BookingState.REQUESTED
    assert Flag.objects.count() == 1
    quota.refresh_from_db()
    assert quota.committed == D("9999.99") + D("9800") + D("9500") + D("9999")


def test_fees_outside_the_band_and_dead_bookings_do_not_count(parties, near):
    program, offering, quota = near
    ent = parties["ent_a"]
    _book(quota, offering, ent, fee="9499.99")  # more than 5 % under
    _book(quota, offering, ent, fee="10000")  # at the threshold: the upper tier already
    _book(quota, offering, ent, fee="9990")
    services.booking_cancel(booking=_book(quota, offering, ent, fee="9990"), by=ent)
    services.booking_decline(
        booking=_book(quota, offering, ent, fee="9990"), reason="排满", by=parties["provider"]
    )
    _book(quota, offering, ent, fee="9990")  # the second live one in the band
    assert not Flag.objects.exists()


def test_the_pattern_is_per_enterprise(parties, near):
    program, offering, quota = near
    other = make_quota(program, parties["ent_b"], "50000")
    _book(quota, offering, parties["ent_a"], fee="9900")
    _book(quota, offering, parties["ent_a"], fee="9900")
    _book(other, offering, parties["ent_b"], fee="9900")
    _book(other, offering, parties["ent_b"], fee="9900")
    assert not Flag.objects.exists()
    _book(other, offering, parties["ent_b"], fee="9900")
    assert Flag.objects.get().enterprise == parties["org_b"]


# --- voucher dependence -------------------------------------------------------------------------------------


def _annual(organization, year, main, other="0"):
    return AnnualData.objects.create(
        organization=organization, year=year, main_revenue=D(main), other_revenue=D(other)
    )


def test_vouchers_paying_more_than_half_the_declared_revenue_are_flagged(parties):
    program = make_program(parties["staff"], year=today().year)
    offering = make_provider(parties["provider"], parties["staff"], price="8000")
    _annual(parties["prov_org"], today().year, "12000", "4000")  # 16,000: 8,000 is exactly half
    quota = make_quota(program, parties["ent_a"])
    _redeem(quota, offering, parties["ent_a"], parties["provider"])
    assert not Flag.objects.exists()  # exactly half is not more than half
    booking = _redeem(quota, offering, parties["ent_a"], parties["provider"], fee="1200")
    assert booking.state == BookingState.CONFIRMED  # not blocked
    flag = Flag.objects.get()
    assert (flag.kind, flag.provider, flag.program, flag.enterprise) == (
        FlagKind.VOUCHER_SHARE,
        parties["prov_org"],
        program,
        None,
    )
    assert re.fullmatch(
        rf"{today().year}年创新券兑付9200(\.00)?元，占该机构申报营业收入16000\.00元的57\.5%。", flag.detail
    )
    assert {k: D(v) for k, v in flag.evidence.items()} == {"voucher_income": D("9200"), "revenue": D("16000")}
    _redeem(quota, offering, parties["ent_a"], parties["provider"], fee="1000")
    assert Flag.objects.count() == 1  # once per provider and year


def test_the_revenue_compared_is_that_of_the_year_of_the_redemption(parties):
    """A program's period may run into the next year (the demo's runs 300 days). Voucher income received
    this year is compared with this year's declared revenue, whichever program paid it: a program labelled
    with last year must not hide a provider that this year lives on vouchers."""
    program = make_program(parties["staff"], year=today().year - 1, name="上年度创新券（跨年使用）")
    offering = make_provider(parties["provider"], parties["staff"], price="8000")
    _annual(parties["prov_org"], today().year, "10000")
    quota = make_quota(program, parties["ent_a"])
    _redeem(quota, offering, parties["ent_a"], parties["provider"])  # 8,000 of 10,000 this year
    flag = Flag.objects.get()
    assert flag.kind == FlagKind.VOUCHER_SHARE
    assert {k: D(v) for k, v in flag.evidence.items()} == {"voucher_income": D("8000"), "revenue": D("10000")}


def test_without_annual_data_a_provider_taking_most_of_the_program_is_flagged(parties, make_user):
    program = make_program(
        parties["staff"], quota_per_application=D("100000"), annual_cap=D("100000"), year=today().year
    )
    big = make_provider(parties["provider"], parties["staff"], price="160000")
    small_org = OrganizationFactory(
        kind="provider", name="诸暨检测站", region=region("330681L01"), address="诸暨市检测路9号"
    )
    small_user = make_user(Role.PROVIDER, organization=small_org, is_org_admin=True)
    small = make_provider(small_user, parties["staff"], price="40000")
    qa = make_quota(program, parties["ent_a"], "100000")
    qb = make_quota(program, parties["ent_b"], "100000")

    _redeem(qb, small, parties["ent_b"], small_user)  # 20,000: the program has redeemed too little to judge
    assert not Flag.objects.exists()
    _redeem(qa, big, parties["ent_a"], parties["provider"])  # 80,000 of exactly 100,000 redeemed
    assert VoucherProgram.objects.get(pk=program.pk).redeemed == D("100000")
    flag = Flag.objects.get()
    assert (flag.kind, flag.provider, flag.program) == (FlagKind.VOUCHER_SHARE, parties["prov_org"], program)
    assert re.fullmatch(
        r"该机构获得本计划已兑付金额100000\.00元中的80000(\.00)?元（80\.0%），集中度异常。", flag.detail
    )
    assert {k: D(v) for k, v in flag.evidence.items()} == {
        "provider_redeemed": D("80000"),
        "program_redeemed": D("100000"),
    }


def test_with_annual_data_the_concentration_rule_does_not_apply(parties, make_user):
    program = make_program(
        parties["staff"], quota_per_application=D("100000"), annual_cap=D("100000"), year=today().year
    )
    offering = make_provider(parties["provider"], parties["staff"], price="200000")
    _annual(parties["prov_org"], today().year, "1000000")  # vouchers are 10 % of its revenue
    _redeem(make_quota(program, parties["ent_a"], "100000"), offering, parties["ent_a"], parties["provider"])
    assert not Flag.objects.exists()  # all of the program's 100,000, but a small part of its business


# --- the officer's review -----------------------------------------------------------------------------------


@pytest.fixture
def flag(parties):
    program = make_program(parties["staff"])
    offering = make_provider(parties["provider"], parties["staff"])
    _set(parties["org_a"], legal_representative="王五")
    _set(parties["prov_org"], legal_representative="王五")
    _book(make_quota(program, parties["ent_a"]), offering, parties["ent_a"])
    return Flag.objects.get()


def test_only_the_issuing_bureau_reviews_a_flag(parties, flag):
    for who in ("kq_staff", "leader", "kq_officer", "ent_a", "provider", "expert"):
        with pytest.raises(PermissionDenied, match="^只有发放地区科技局的业务人员可以核查风险提示。$"):
            services.flag_review(flag=flag, state=FlagState.CLEARED, note="无异常", by=parties[who])
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN and flag.reviewed_by is None


def test_a_review_needs_a_conclusion_and_a_note(parties, flag):
    with pytest.raises(DomainError, match="^请选择核查结论。$"):
        services.flag_review(flag=flag, state=FlagState.OPEN, note="看过了", by=parties["staff"])
    with pytest.raises(DomainError, match="^请填写核查意见。$") as refused:
        services.flag_review(flag=flag, state=FlagState.CLEARED, note="  ", by=parties["staff"])
    assert refused.value.field == "note"
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN


def test_a_review_is_recorded_with_who_and_why(parties, flag):
    version = flag.version
    done = services.flag_review(
        flag=flag, state=FlagState.CLEARED, note="同名不同人，已核实身份证号", by=parties["staff"]
    )
    assert (done.state, done.reviewed_by, done.review_note) == (
        FlagState.CLEARED,
        parties["staff"],
        "同名不同人，已核实身份证号",
    )
    assert done.reviewed_at is not None
    line = audit_for(done, action=AuditLog.Action.TRANSITION).get()
    assert (line.from_state, line.to_state, line.actor_id, line.reason) == (
        "open",
        "cleared",
        parties["staff"].pk,
        "同名不同人，已核实身份证号",
    )
    with pytest.raises(ConflictError):  # someone reviewed it meanwhile
        services.flag_review(
            flag=flag, state=FlagState.CONFIRMED, note="复核", expected_version=version, by=parties["admin"]
        )
    confirmed = services.flag_review(
        flag=flag,
        state=FlagState.CONFIRMED,
        note="复核确认关联交易",
        expected_version=done.version,
        by=parties["admin"],
    )
    assert confirmed.state == FlagState.CONFIRMED

"""Voucher figures (issue 6 items 5 and 7): issued and redeemed per year, region, category and provider, and the
cross-region matrix — a voucher of one region used in a partner region counts as issued by the first and used
in the second, and the first settles it. Every expected value is computed by hand from the bookings below."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.accounts.enums import Role
from kechuang.vouchers import figures, services
from kechuang.vouchers.enums import EntryKind, ServiceCategory
from kechuang.vouchers.models import Booking, LedgerEntry

from ..factories import OrganizationFactory, region
from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db
D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _redeem(quota, offering, user, provider_user, *, fee=None):
    """Book, accept, complete and confirm: the voucher's share is redeemed."""
    booking = services.booking_create(quota=quota, offering=offering, fee=fee, service_date=today(), by=user)
    booking = services.booking_accept(booking=booking, by=provider_user)
    booking = services.booking_complete(
        booking=booking, invoice_no="No.1", report_file=_pdf(), by=provider_user
    )
    return services.booking_confirm(booking=booking, by=user)


def _settle(program, bookings, provider_users, staff, *, pay: bool):
    for booking, provider_user in zip(bookings, provider_users, strict=True):
        services.booking_claim(booking=booking, by=provider_user)
    batch = services.batch_create(program=program, by=staff)
    if pay:
        batch = services.batch_approve(batch=batch, by=staff)
        services.batch_pay(batch=batch, paid_on=today(), reference="财拨-1", by=staff)
    return batch


@pytest.fixture
def scene(world, make_user):
    """绍兴 (330600) issues with 嘉兴 (330400) as partner; 柯桥区 (330603) issues with 越城区 (330602) as partner.

    * b1: 绍兴's voucher, ent_a (柯桥), 越城 provider, fee 8,000 → 8,000 (whole fee, below 1万): settled, paid.
    * b2: 绍兴's voucher, ent_b (诸暨), 嘉兴南湖 provider, instrument fee 12,000 → 6,000 (50 %): cross-region,
      settled by 绍兴, not yet paid.
    * b3: 柯桥's voucher, ent_a, 越城 provider, fee 5,000 → 5,000: cross-region (越城 is not under 柯桥),
      settled and paid by 柯桥.
    * b4: 柯桥's voucher, 2,000 committed, never confirmed. 柯桥's program then closes: 10,000 − 5,000 − 2,000
      = 3,000 expire.
    """
    staff, kq_staff = world["staff"], world["kq_staff"]
    city = make_program(staff, partners=("330400",), categories=["testing", "instrument", "design"])
    county = make_program(
        kq_staff,
        region_code="330603",
        partners=("330602",),
        name="2026年柯桥区科技创新券",
        quota_per_application=D("10000"),
        annual_cap=D("50000"),
    )
    yuecheng = make_provider(world["provider"], staff, price="8000")
    jx_user = make_user(
        Role.PROVIDER,
        organization=OrganizationFactory(
            kind="provider", name="嘉兴南湖测试仪器中心", region=region("330402")
        ),
        is_org_admin=True,
    )
    jx_staff = make_user(Role.BUREAU_STAFF, region_code="330400")
    jiaxing = make_provider(jx_user, jx_staff, price="12000", category=ServiceCategory.INSTRUMENT)

    q_a = make_quota(city, world["ent_a"], "20000")
    q_b = make_quota(city, world["ent_b"], "15000")
    q_c = make_quota(county, world["ent_a"], "10000")
    b1 = _redeem(q_a, yuecheng, world["ent_a"], world["provider"])
    b2 = _redeem(q_b, jiaxing, world["ent_b"], jx_user)
    b3 = _redeem(q_c, yuecheng, world["ent_a"], world["provider"], fee="5000")
    b4 = services.booking_create(
        quota=q_c, offering=yuecheng, fee="2000", service_date=today(), by=world["ent_a"]
    )
    _settle(city, [b1], [world["provider"]], staff, pay=True)
    _settle(city, [b2], [jx_user], staff, pay=False)
    _settle(county, [b3], [world["provider"]], kq_staff, pay=True)
    services.program_close(program=county, by=kq_staff)
    return {
        "city": city,
        "county": county,
        "yuecheng": yuecheng,
        "jiaxing": jiaxing,
        "bookings": (b1, b2, b3, b4),
        "year": today().year,
    }


def test_the_city_counts_its_counties_programs_and_both_sides_of_cross_region_use(scene):
    s = figures.summary("330600", scene["year"])
    assert s == {
        "region": "330600",
        "year": scene["year"],
        "issued": D("45000"),  # 20,000 + 15,000 (绍兴) + 10,000 (柯桥)
        "expired": D("3000"),
        "net_issued": D("42000"),
        "redeemed": D("19000"),  # 8,000 + 6,000 + 5,000
        "settled": D("19000"),
        "paid": D("13000"),  # b2 is settled, not paid
        "used_in": D("13000"),  # b1 and b3 in 越城; b2 was used in 嘉兴
        "used_elsewhere": D("6000"),
        "used_from_elsewhere": D("0"),
        "bookings": 3,
        "bookings_used_in": 2,
    }


def test_each_county_sees_its_own_side(scene):
    keqiao = figures.summary("330603", scene["year"])
    assert (keqiao["issued"], keqiao["expired"], keqiao["redeemed"], keqiao["used_in"]) == (
        D("10000"),
        D("3000"),
        D("5000"),
        D("0"),
    )
    assert (keqiao["used_elsewhere"], keqiao["settled"], keqiao["paid"]) == (D("5000"), D("5000"), D("5000"))
    yuecheng = figures.summary("330602", scene["year"])
    # 越城 issued nothing and settles nothing; it counts the city's and 柯桥's vouchers used with its provider.
    assert (yuecheng["issued"], yuecheng["redeemed"], yuecheng["settled"]) == (D("0"), D("0"), D("0"))
    assert (yuecheng["used_in"], yuecheng["used_from_elsewhere"], yuecheng["bookings_used_in"]) == (
        D("13000"),
        D("13000"),
        2,
    )
    jiaxing = figures.summary("330400", scene["year"])
    assert (jiaxing["used_in"], jiaxing["used_from_elsewhere"], jiaxing["settled"]) == (
        D("6000"),
        D("6000"),
        D("0"),
    )


def test_per_issuing_region_the_issuer_settles_its_cross_region_use(scene):
    rows = figures.by_issuing_region("330600", scene["year"])
    assert rows == [
        {
            "code": "330603",
            "name": "柯桥区",
            "issued": D("10000"),
            "expired": D("3000"),
            "redeemed": D("5000"),
            "settled": D("5000"),
            "paid": D("5000"),
            "cross_region": D("5000"),
            "bookings": 1,
        },
        {
            "code": "330600",
            "name": "绍兴市本级",
            "issued": D("35000"),
            "expired": D("0"),
            "redeemed": D("14000"),
            "settled": D("14000"),
            "paid": D("8000"),
            "cross_region": D("6000"),
            "bookings": 2,
        },
    ]


def test_per_service_region_a_town_counts_in_its_county(scene):
    assert figures.by_service_region("330600", scene["year"]) == [
        {"code": "330602", "name": "越城区", "redeemed": D("13000"), "cross_region": D("5000"), "bookings": 2}
    ]
    # Seen from 嘉兴: the voucher was used in 南湖区, issued by 绍兴.
    assert figures.by_service_region("330400", scene["year"]) == [
        {"code": "330402", "name": "南湖区", "redeemed": D("6000"), "cross_region": D("6000"), "bookings": 1}
    ]


def test_the_cross_region_matrix_names_issuer_and_place_of_use(scene):
    assert figures.cross_region_matrix("330600", scene["year"]) == [
        {
            "issued_by": "330600",
            "issued_by_name": "绍兴市本级",
            "used_in": "330402",
            "used_in_name": "嘉兴市南湖区",
            "redeemed": D("6000"),
            "bookings": 1,
            "settled": D("6000"),
            "paid": D("0"),
        },
        {
            "issued_by": "330603",
            "issued_by_name": "柯桥区",
            "used_in": "330602",
            "used_in_name": "越城区",
            "redeemed": D("5000"),
            "bookings": 1,
            "settled": D("5000"),
            "paid": D("5000"),
        },
    ]
    # 嘉兴 sees the same cell from the other side; the city's own voucher used in 越城 (b1) is no cross-region use.
    assert [
        (c["issued_by_name"], c["used_in_name"], c["redeemed"])
        for c in figures.cross_region_matrix("330400", scene["year"])
    ] == [("绍兴市", "南湖区", D("6000"))]


def test_per_category_and_per_provider(scene):
    year = scene["year"]
    issued = {
        r["category"]: (r["redeemed"], r["bookings"], r["cross_region"])
        for r in figures.by_category("330600", year)
    }
    assert list(issued) == ServiceCategory.values
    assert issued["testing"] == (D("13000"), 2, D("5000"))
    assert issued["instrument"] == (D("6000"), 1, D("6000"))
    assert issued["design"] == (D("0"), 0, D("0"))
    used = {r["category"]: r["redeemed"] for r in figures.by_category("330600", year, basis="service")}
    assert (used["testing"], used["instrument"]) == (D("13000"), D("0"))

    yuecheng_id = scene["yuecheng"].provider_id
    jiaxing_id = scene["jiaxing"].provider_id
    assert figures.by_provider("330600", year) == [
        {
            "provider_id": yuecheng_id,
            "name": "绍兴测试检测中心",
            "region": "330602L02",
            "redeemed": D("13000"),
            "bookings": 2,
            "cross_region": D("5000"),
            "settled": D("13000"),
            "paid": D("13000"),
        }
    ]
    by_issuer = figures.by_provider("330600", year, basis="issuer")
    assert [(r["provider_id"], r["redeemed"], r["settled"], r["paid"]) for r in by_issuer] == [
        (yuecheng_id, D("13000"), D("13000"), D("13000")),
        (jiaxing_id, D("6000"), D("6000"), D("0")),
    ]
    assert [r["provider_id"] for r in figures.by_provider("330600", year, basis="issuer", limit=1)] == [
        yuecheng_id
    ]


def test_years_follow_the_entry_time_and_redemptions_the_confirmation(scene):
    year = scene["year"]
    b1 = scene["bookings"][0]
    last_year = datetime(year - 1, 12, 31, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC: still last year in 绍兴
    Booking.objects.filter(pk=b1.pk).update(confirmed_at=last_year)
    LedgerEntry.objects.filter(kind=EntryKind.ISSUE, quota=b1.quota).update(created_at=last_year)
    rows = figures.by_year("330600", year - 1, year)
    assert rows == [
        {"year": year - 1, "issued": D("20000"), "expired": D("0"), "redeemed": D("8000"), "settled": D("0"),
         "paid": D("0"), "bookings": 1},
        {"year": year, "issued": D("25000"), "expired": D("3000"), "redeemed": D("11000"),
         "settled": D("19000"), "paid": D("13000"), "bookings": 2},
    ]  # fmt: skip
    this_year = figures.summary("330600", year)
    assert (this_year["issued"], this_year["redeemed"], this_year["used_in"]) == (
        D("25000"),
        D("11000"),
        D("5000"),
    )


def test_report_figures_in_wan_with_exact_parts(scene):
    issued, used = figures.report_figures("330600", scene["year"])
    assert (issued.label, issued.value, issued.unit) == ("创新券发放", D("5"), "万元")  # 4.5万, half up
    assert issued.part("发放金额（元）").value == D("45000")
    assert issued.part("到期收回（元）").value == D("3000")
    assert issued.records.count() == 3
    assert (used.label, used.value) == ("创新券使用", D("2"))  # 1.9万
    assert used.part("兑付金额（元）").value == D("19000")
    assert used.part("在本地区以外使用（元）").value == D("6000")
    assert used.part("在本地区以外使用（元）").records.get().booking_id == scene["bookings"][1].pk
    assert used.part("其他地区发放、在本地区使用（元）").value == D("0")
    assert figures.calibration_figures("330600", scene["year"]) == {
        "创新券发放": D("5"),
        "创新券使用": D("2"),
    }
    assert figures.wan(D("46860000.00")) == D("4686") and figures.wan(D("18655000")) == D("1866")


def test_nothing_outside_the_region_or_the_year(scene):
    assert figures.summary("330800", scene["year"])["used_in"] == D("0")  # 衢州
    empty = figures.summary("330600", scene["year"] + 1)
    assert all(empty[k] == 0 for k in ("issued", "expired", "redeemed", "settled", "paid", "used_in"))
    assert figures.by_issuing_region("330600", scene["year"] + 1) == []
    assert figures.cross_region_matrix("330600", scene["year"] + 1) == []


def test_the_figures_read_a_fixed_number_of_queries(scene, world, django_assert_num_queries):
    """More bookings do not mean more queries (grouped aggregates, no N+1)."""
    year = scene["year"]
    for user in ("ent_a", "ent_b"):
        quota = make_quota(scene["city"], world[user], "5000")
        for _n in range(3):
            services.booking_create(
                quota=quota, offering=scene["yuecheng"], fee="100", service_date=today() + timedelta(days=1),
                by=world[user],
            )  # fmt: skip
    with django_assert_num_queries(3):
        figures.summary("330600", year)
    with django_assert_num_queries(3):
        figures.by_issuing_region("330600", year)
    with django_assert_num_queries(2):
        figures.by_service_region("330600", year)
    with django_assert_num_queries(3):
        figures.cross_region_matrix("330600", year)
    with django_assert_num_queries(2):
        figures.by_category("330600", year)
    with django_assert_num_queries(3):
        figures.by_provider("330600", year)
    with django_assert_num_queries(3):
        figures.by_year("330600", year - 3, year)


def test_a_city_s_voucher_used_in_its_own_county_is_not_cross_region(scene):
    b1, b2, b3, _b4 = scene["bookings"]
    assert (b2.cross_region, b3.cross_region) == (True, True)  # 绍兴 → 嘉兴, 柯桥 → 越城
    assert b1.cross_region is False  # 绍兴 → 越城 (a town of 绍兴): the figures count it as the city's own
    matrix = figures.cross_region_matrix("330600", scene["year"])
    assert sum(c["bookings"] for c in matrix) == sum(b.cross_region for b in (b1, b2, b3)) == 2

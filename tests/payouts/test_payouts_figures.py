"""政策兑现 figures: what was paid in the year by the region's items, per item, and to how many organizations."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from kechuang.payouts import services
from kechuang.payouts.figures import report_figures

from .payouts_helpers import make_item, qualification


def paid(world, item, org, user, amount, day):
    q = qualification(world[org], valid_from=day)
    claim = services.claim_submit(
        item=item, organization=world[org], basis_key=f"qualification:{q.pk}", by=world[user]
    )
    claim = services.claim_approve(
        claim=claim, amount=amount, by=world["staff" if item.region_id == "330600" else "kq_staff"]
    )
    return claim


def test_paid_amounts_per_item_and_organizations(world):
    today = timezone.localdate()
    city = make_item(world["staff"], name="高企奖励")
    county = make_item(world["kq_staff"], region_code="330603", name="柯桥高企奖励")
    a1 = paid(world, city, "org_a", "ent_a", "200000", date(2025, 3, 1))
    a2 = paid(world, city, "org_b", "ent_b", "150000", date(2025, 4, 1))
    a3 = paid(world, county, "org_a", "ent_a", "50000", date(2025, 5, 1))
    paid(world, city, "org_a", "ent_a", "100000", date(2025, 6, 1))  # approved, not paid
    for claim, staff in ((a1, "staff"), (a2, "staff"), (a3, "kq_staff")):
        services.claim_pay(claim=claim, paid_on=today, reference=f"BK{claim.pk}", by=world[staff])

    amount, organizations = report_figures("330600", today.year)

    assert amount.value == Decimal("40.00") and amount.unit == "万元"  # 400,000 yuan
    assert set(amount.records) == {a1, a2, a3}
    assert amount.part("高企奖励").value == Decimal("350000") and amount.part(
        "柯桥高企奖励"
    ).value == Decimal("50000")
    assert organizations.value == 2 and set(organizations.records) == {world["org_a"], world["org_b"]}

    county_amount, county_orgs = report_figures("330603", today.year)
    assert county_amount.value == Decimal("5.00") and county_orgs.value == 1
    assert report_figures("330600", today.year - 1)[0].value == Decimal("0.00")

"""Which records qualify for a payout item, at the edges of the period, and what the cap and earlier claims
leave claimable."""

from datetime import date, timedelta
from decimal import Decimal

from kechuang.payouts import eligibility, services

from .payouts_helpers import BASIS_FROM, BASIS_UNTIL, carrier, contract, make_item, patent, qualification

DAY = timedelta(days=1)


def keys(records, claimable=True):
    return {r.basis_key for r in records if r.claimable is claimable}


def test_qualification_dates_count_inclusively_at_both_ends(world):
    org = world["org_a"]
    item = make_item(world["staff"], parameters={"qualification_kind": "hnte", "level": "national"})
    first = qualification(org, valid_from=BASIS_FROM)
    last = qualification(org, valid_from=BASIS_UNTIL)
    qualification(org, valid_from=BASIS_FROM - DAY)
    qualification(org, valid_from=BASIS_UNTIL + DAY)
    qualification(org, valid_from=date(2025, 5, 1), revoked_on=date(2025, 7, 1))
    qualification(org, kind="tsme", valid_from=date(2025, 5, 1))
    qualification(org, level="provincial", valid_from=date(2025, 5, 1))
    qualification(world["org_b"], valid_from=date(2025, 5, 1))

    found = eligibility.records(item, org)

    assert {r.basis_key for r in found} == {f"qualification:{first.pk}", f"qualification:{last.pk}"}
    assert all(r.claimable and r.amount == Decimal("200000") for r in found)
    assert "高新技术企业" in found[0].label


def test_patents_granted_in_the_period_of_the_kind(world):
    org = world["org_a"]
    item = make_item(
        world["staff"], trigger="patent_grant", parameters={"patent_kind": "invention"}, amount="10000"
    )
    on_first = patent(org, granted_on=BASIS_FROM)
    on_last = patent(org, granted_on=BASIS_UNTIL)
    patent(org, granted_on=BASIS_UNTIL + DAY)
    patent(org, kind="utility_model")
    patent(org, status="lapsed")

    assert keys(eligibility.records(item, org)) == {f"patent:{on_first.pk}", f"patent:{on_last.pk}"}


def test_carriers_recognized_in_the_period_and_not_removed(world):
    org = world["org_a"]
    item = make_item(
        world["staff"], trigger="carrier", parameters={"carrier_kind": "maker_space", "level": "provincial"}
    )
    good = carrier(org, recognized_on=BASIS_UNTIL)
    carrier(org, level="city")
    carrier(org, recognized_on=BASIS_FROM - DAY)
    carrier(org, state="removed", removed_on=date(2025, 9, 1))

    assert keys(eligibility.records(item, org)) == {f"carrier:{good.pk}"}


def test_contract_share_of_the_transaction_amount_up_to_the_item_amount(world):
    seller, buyer = world["org_a"], world["org_b"]
    item = make_item(
        world["staff"], trigger="contract", parameters={"side": "seller", "rate": "0.01"}, amount="50000"
    )
    small = contract(seller, buyer, amount="1234567")
    big = contract(seller, buyer, amount="9000000")
    contract(seller, buyer, state="submitted")
    contract(seller, buyer, registered_on=BASIS_UNTIL + DAY)

    found = {r.basis_key: r.amount for r in eligibility.records(item, seller)}

    assert found == {f"contract:{small.pk}": Decimal("12345.67"), f"contract:{big.pk}": Decimal("50000")}
    assert eligibility.records(item, buyer) == []  # the buyer side is another item's


def test_a_held_record_is_named_and_a_freed_one_is_claimable_again(world):
    org, user = world["org_a"], world["ent_a"]
    item = make_item(world["staff"])
    q = qualification(org)
    claim = services.claim_submit(item=item, organization=org, basis_key=f"qualification:{q.pk}", by=user)

    [held] = eligibility.records(item, org)
    assert not held.claimable and held.claim_id == claim.pk
    assert str(claim.pk) in held.reason and "待审核" in held.reason

    services.claim_withdraw(claim=claim, by=user)
    [free] = eligibility.records(item, org)
    assert free.claimable and free.amount == Decimal("200000")


def test_the_cap_cuts_the_last_amount_and_stops_exactly_when_reached(world):
    org, user, staff = world["org_a"], world["ent_a"], world["staff"]
    item = make_item(staff, amount="200000", cap_per_organization="500000")
    qs = [qualification(org, valid_from=date(2025, m, 1)) for m in (2, 3, 4, 5)]

    for q in qs[:2]:
        services.claim_submit(item=item, organization=org, basis_key=f"qualification:{q.pk}", by=user)
    third = {r.basis_key: r for r in eligibility.records(item, org)}[f"qualification:{qs[2].pk}"]
    assert third.claimable and third.amount == Decimal("100000")  # 500,000 − 2 × 200,000

    services.claim_submit(item=item, organization=org, basis_key=third.basis_key, by=user)
    last = {r.basis_key: r for r in eligibility.records(item, org)}[f"qualification:{qs[3].pk}"]
    assert not last.claimable and "上限" in last.reason  # 500,000 reached exactly


def test_an_approved_amount_below_the_claim_frees_cap(world):
    org, user, staff = world["org_a"], world["ent_a"], world["staff"]
    item = make_item(staff, amount="200000", cap_per_organization="200000")
    a, b = qualification(org, valid_from=date(2025, 2, 1)), qualification(org, valid_from=date(2025, 3, 1))
    claim = services.claim_submit(item=item, organization=org, basis_key=f"qualification:{a.pk}", by=user)
    assert not {r.basis_key: r for r in eligibility.records(item, org)}[f"qualification:{b.pk}"].claimable

    services.claim_approve(claim=claim, amount="150000", by=staff)

    other = {r.basis_key: r for r in eligibility.records(item, org)}[f"qualification:{b.pk}"]
    assert other.claimable and other.amount == Decimal("50000")

"""Patent subsidy services: a patent is subsidised once, withdrawn/rejected claims free it, the yearly cap per
organization, and who may act on a claim."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.patents import subsidy_services as services
from kechuang.patents.enums import ClaimState, PolicyState
from kechuang.patents.models import SubsidyItem
from kechuang.patents.subsidy_selectors import claim_get_visible, claim_history, claims_visible_to

from .ipfinance_helpers import make_patent, make_policy

pytestmark = pytest.mark.django_db


def submit(world, policy, *patents, user="ent_a", org="org_a"):
    return services.claim_submit(
        policy=policy, organization=world[org], patent_ids=[p.pk for p in patents], by=world[user]
    )


def approve_and_pay(world, claim, by="staff"):
    claim = services.claim_approve(claim=claim, by=world[by])
    return services.claim_pay(claim=claim, paid_on=date(2026, 1, 5), reference="PZ-1", by=world[by])


def test_claim_amounts_come_from_the_patent_records(world):
    policy = make_policy()
    invention = make_patent(world["org_a"])
    utility = make_patent(world["org_a"], kind="utility_model", granted_on=date(2025, 12, 31))
    claim = submit(world, policy, invention, utility)
    assert claim.state == ClaimState.SUBMITTED
    assert claim.amount_claimed == Decimal("12000.00")
    assert sorted((i.patent_id, i.amount, i.holds) for i in claim.items.all()) == sorted(
        [(invention.pk, Decimal("10000.00"), True), (utility.pk, Decimal("2000.00"), True)]
    )
    assert [(h.from_label, h.to_label) for h in claim_history(claim)] == [("", "待审核")]


def test_a_paid_patent_is_refused_under_the_same_or_another_policy(world):
    first = make_policy()
    second = make_policy(name="2025年度专利资助（追加）", year=2026)
    patent = make_patent(world["org_a"])
    paid = approve_and_pay(world, submit(world, first, patent))
    assert paid.state == ClaimState.PAID
    expected = f"该专利已在资助申请第{paid.pk}号（2025年度专利资助，已拨付）中，不能重复资助。"
    for policy in (first, second):
        with pytest.raises(DomainError) as refused:
            submit(world, policy, patent)
        assert refused.value.message == f"{patent.application_no}：{expected}"


def test_withdrawn_and_rejected_claims_free_their_patents(world):
    policy = make_policy()
    patent = make_patent(world["org_a"])
    withdrawn = services.claim_withdraw(claim=submit(world, policy, patent), by=world["ent_a"])
    assert withdrawn.state == ClaimState.WITHDRAWN
    assert list(withdrawn.items.values_list("holds", flat=True)) == [False]
    rejected = services.claim_reject(
        claim=submit(world, policy, patent), reason="材料不全", by=world["staff"]
    )
    assert rejected.state == ClaimState.REJECTED
    assert rejected.decision_note == "材料不全"
    third = submit(world, policy, patent)
    assert SubsidyItem.objects.filter(patent=patent, holds=True).get().claim_id == third.pk


def test_the_database_refuses_a_second_holding_item(world):
    policy = make_policy()
    patent = make_patent(world["org_a"])
    claim = submit(world, policy, patent)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyItem.objects.create(claim=claim, patent=patent, amount=Decimal("1"))


def test_the_cap_counts_every_policy_of_the_region_and_year(world):
    """Cap 12000 per organization per year: 10000 held under one policy leaves 2000 under another of that year."""
    spring = make_policy(cap="12000", granted_until=date(2025, 6, 30))
    autumn = make_policy(cap="12000", name="下半年专利资助", granted_from=date(2025, 7, 1))
    next_year = make_policy(cap="12000", name="2026年度专利资助", year=2026, granted_from=date(2025, 7, 1))
    submit(world, spring, make_patent(world["org_a"], granted_on=date(2025, 3, 1)))
    cut = submit(world, autumn, make_patent(world["org_a"], granted_on=date(2025, 8, 1)))
    assert cut.amount_claimed == Decimal("2000.00")
    with pytest.raises(DomainError, match="已达政策上限12000.00元"):
        submit(world, autumn, make_patent(world["org_a"], granted_on=date(2025, 9, 1)))
    full = submit(world, next_year, make_patent(world["org_a"], granted_on=date(2025, 9, 2)))
    assert full.amount_claimed == Decimal("10000.00")


def test_another_enterprise_cannot_see_or_act_on_a_claim(world):
    policy = make_policy()
    mine = make_patent(world["org_a"])
    claim = submit(world, policy, mine)
    assert claim_get_visible(user=world["ent_b"], pk=claim.pk) is None
    assert list(claims_visible_to(user=world["ent_b"])) == []
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(claim=claim, by=world["ent_b"])
    with pytest.raises(PermissionDenied):
        services.claim_submit(
            policy=policy, organization=world["org_a"], patent_ids=[mine.pk], by=world["ent_b"]
        )
    other = make_policy(name="另一政策", year=2026)
    with pytest.raises(DomainError, match="专利权人不是本单位"):
        services.claim_submit(
            policy=other, organization=world["org_b"], patent_ids=[mine.pk], by=world["ent_b"]
        )


def test_a_county_bureau_cannot_approve_another_countys_claim(world):
    policy = make_policy(region_code="330681")  # 诸暨
    claim = submit(world, policy, make_patent(world["org_b"]), user="ent_b", org="org_b")
    assert claim_get_visible(user=world["kq_staff"], pk=claim.pk) is None
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, by=world["zj_officer"])  # officers read, they do not decide
    assert services.claim_approve(claim=claim, by=world["staff"]).state == ClaimState.APPROVED


def test_an_organization_outside_the_policys_region_cannot_claim(world):
    policy = make_policy(region_code="330681")
    with pytest.raises(DomainError, match="不在该资助政策的适用地区内"):
        submit(world, policy, make_patent(world["org_a"]))


def test_approval_at_most_claimed_and_a_paid_claim_is_final(world):
    claim = submit(world, make_policy(), make_patent(world["org_a"]))
    with pytest.raises(DomainError, match="不能高于申请金额10000.00元"):
        services.claim_approve(claim=claim, amount=Decimal("10000.01"), by=world["staff"])
    approved = services.claim_approve(claim=claim, amount=Decimal("8000"), by=world["staff"])
    assert approved.amount_approved == Decimal("8000.00")
    paid = services.claim_pay(claim=approved, paid_on=date(2026, 1, 5), reference="PZ-9", by=world["staff"])
    with pytest.raises(DomainError, match="当前状态为“已拨付”"):
        services.claim_pay(claim=paid, paid_on=date(2026, 1, 6), by=world["staff"])
    with pytest.raises(DomainError, match="当前状态为“已拨付”"):
        services.claim_reject(claim=paid, reason="重复", by=world["staff"])
    paid.refresh_from_db()
    assert (paid.state, paid.paid_on, paid.payment_reference) == (ClaimState.PAID, date(2026, 1, 5), "PZ-9")


def test_policies_belong_to_their_regions_bureau(world):
    values = {
        "name": "诸暨市专利资助",
        "year": 2025,
        "granted_from": date(2025, 1, 1),
        "granted_until": date(2025, 12, 31),
        "invention_amount": "8000",
        "utility_model_amount": "1000",
        "design_amount": "500",
        "cap_per_organization": "30000",
    }
    from kechuang.regions.models import Region

    zhuji = Region.objects.get(pk="330681")
    with pytest.raises(PermissionDenied):
        services.policy_create(region=zhuji, values=values, by=world["kq_staff"])
    policy = services.policy_create(region=zhuji, values=values, by=world["staff"])
    assert policy.state == PolicyState.DRAFT
    with pytest.raises(DomainError, match="不受理"):
        submit(world, policy, make_patent(world["org_b"]), user="ent_b", org="org_b")
    policy = services.policy_open(policy=policy, by=world["staff"])
    assert policy.state == PolicyState.OPEN
    with pytest.raises(DomainError, match="授权日止不能早于授权日起"):
        services.policy_update(policy=policy, values={"granted_until": date(2024, 12, 31)}, by=world["staff"])
    assert services.policy_close(policy=policy, by=world["staff"]).state == PolicyState.CLOSED

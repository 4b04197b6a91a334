"""The payout services: items under published policies, a record paid once, decisions by the item region's
bureau only, payment once, version conflicts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import Notification
from kechuang.payouts import services
from kechuang.payouts.models import PayoutClaim
from kechuang.regions.models import Region

from .payouts_helpers import make_item, make_policy, qualification


@pytest.fixture
def setup(world):
    item = make_item(world["staff"])
    q = qualification(world["org_a"])
    return world, item, f"qualification:{q.pk}"


def submit(world, item, key, who="ent_a", org="org_a"):
    return services.claim_submit(
        item=item, organization=world[org], basis_key=key, bank_account="6222 0001", by=world[who]
    )


def test_an_item_needs_a_published_policy_and_the_regions_bureau(world):
    draft_policy = make_policy(state="draft")
    values = {
        "name": "奖励",
        "year": 2025,
        "trigger": "qualification",
        "parameters": {"qualification_kind": "hnte"},
        "basis_from": date(2025, 1, 1),
        "basis_until": date(2025, 12, 31),
        "amount": "1000",
        "applies_from": date(2025, 1, 1),
        "applies_until": date(2025, 12, 31),
    }
    city = Region.objects.get(pk="330600")
    with pytest.raises(DomainError, match="已发布的政策"):
        services.item_create(policy=draft_policy, region=city, values=values, by=world["staff"])
    with pytest.raises(PermissionDenied):
        services.item_create(policy=make_policy(), region=city, values=values, by=world["kq_staff"])
    with pytest.raises(DomainError, match="资质类型"):
        services.item_create(
            policy=make_policy(), region=city, values=values | {"parameters": {}}, by=world["staff"]
        )


def test_a_paid_record_is_refused_on_a_second_claim(setup):
    world, item, key = setup
    claim = submit(world, item, key)
    assert claim.amount_claimed == 200000 and claim.holds and "高新技术企业" in claim.basis_label
    claim = services.claim_approve(claim=claim, amount="200000", by=world["staff"])
    claim = services.claim_pay(claim=claim, paid_on=timezone.localdate(), reference="BK-1", by=world["staff"])
    assert claim.state == "paid"

    with pytest.raises(DomainError, match="只能兑现一次"):
        submit(world, item, key)
    with pytest.raises(DomainError):  # paying twice
        services.claim_pay(claim=claim, paid_on=timezone.localdate(), reference="BK-2", by=world["staff"])
    assert PayoutClaim.objects.get(pk=claim.pk).payment_reference == "BK-1"
    assert (
        Notification.objects.filter(recipient=world["ent_a"], link=f"/payouts/claims/{claim.pk}/").count()
        == 2
    )


def test_the_unique_index_is_the_last_guard(setup, monkeypatch):
    world, item, key = setup
    submit(world, item, key)
    from kechuang.payouts import eligibility

    monkeypatch.setattr(
        eligibility,
        "assess",
        lambda item, c, h, o: [eligibility.Record(x.basis_key, x.label, x.amount, x.on) for x in c],
    )
    with pytest.raises(DomainError, match="只能兑现一次"):
        submit(world, item, key)


@pytest.mark.parametrize("how", ["withdraw", "reject"])
def test_withdrawn_or_rejected_frees_the_record(setup, how):
    world, item, key = setup
    claim = submit(world, item, key)
    if how == "withdraw":
        done = services.claim_withdraw(claim=claim, by=world["ent_a"])
    else:
        with pytest.raises(DomainError, match="理由"):
            services.claim_reject(claim=claim, reason=" ", by=world["staff"])
        done = services.claim_reject(claim=claim, reason="证书与申报主体不符", by=world["staff"])
    assert not done.holds
    again = submit(world, item, key)
    assert again.state == "submitted"


def test_another_enterprise_cannot_claim_for_or_act_on_a_claim(setup):
    world, item, key = setup
    with pytest.raises(PermissionDenied):
        services.claim_submit(item=item, organization=world["org_a"], basis_key=key, by=world["ent_b"])
    claim = submit(world, item, key)
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(claim=claim, by=world["ent_b"])
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, amount="1", by=world["ent_a"])  # nor approve its own


def test_a_county_bureau_cannot_decide_a_city_items_claim(setup):
    world, item, key = setup
    claim = submit(world, item, key)
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, amount="200000", by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, amount="200000", by=world["leader"])  # leaders read only


def test_a_record_outside_the_list_or_the_region_or_the_period_is_refused(setup):
    world, item, key = setup
    with pytest.raises(DomainError, match="不符合"):
        submit(world, item, "qualification:999999")
    county_item = make_item(world["kq_staff"], region_code="330603")
    other = qualification(world["org_b"])  # 诸暨, not under 柯桥
    with pytest.raises(DomainError, match="辖内"):
        submit(world, county_item, f"qualification:{other.pk}", who="ent_b", org="org_b")
    late = make_item(
        world["staff"], applies_until=timezone.localdate() - timedelta(days=1), applies_from=date(2020, 1, 1)
    )
    with pytest.raises(DomainError, match="受理期"):
        submit(world, late, key)
    services.item_close(item=item, by=world["staff"])
    with pytest.raises(DomainError, match="受理期"):
        submit(world, item, key)


def test_approval_is_at_most_the_claim_and_a_stale_version_is_refused(setup):
    world, item, key = setup
    claim = submit(world, item, key)
    with pytest.raises(DomainError, match="不超过申请金额"):
        services.claim_approve(claim=claim, amount="200000.01", by=world["staff"])
    stale = claim.version
    services.claim_approve(claim=claim, amount="180000", by=world["staff"], expected_version=stale)
    with pytest.raises(ConflictError):
        services.claim_pay(
            claim=claim,
            paid_on=timezone.localdate(),
            reference="X",
            by=world["staff"],
            expected_version=stale,
        )
    with pytest.raises(DomainError, match="凭证号"):
        services.claim_pay(claim=claim, paid_on=timezone.localdate(), reference="", by=world["staff"])

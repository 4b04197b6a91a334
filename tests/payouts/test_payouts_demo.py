"""The payouts demo writes items under a published policy and claims in every state, once; ent_demo keeps a
record to claim."""

from kechuang.accounts.enums import Role
from kechuang.payouts import demo, eligibility
from kechuang.payouts.models import PayoutClaim, PayoutItem
from kechuang.portal.models import Policy
from tests.factories import OrganizationFactory, UserFactory


def test_seed_writes_once_with_every_state(world):
    for n in range(12):
        OrganizationFactory(name=f"绍兴演示{n}号有限公司")
    UserFactory(
        username="ent_demo", role=Role.ENTERPRISE, organization=world["org_a"], region=world["org_a"].region
    )
    UserFactory(username="sx_gaoxin", role=Role.BUREAU_STAFF, region_id="330600")
    lines = []

    written = demo.seed(seed=1, log=lines.append)

    assert written > 0 and Policy.objects.filter(title=demo.POLICY_TITLE, state="published").count() == 1
    assert PayoutItem.objects.count() == 5
    assert set(PayoutClaim.objects.values_list("state", flat=True)) == {
        "submitted",
        "approved",
        "rejected",
        "withdrawn",
        "paid",
    }
    hnte = PayoutItem.objects.get(name=demo.HNTE_ITEM)
    assert any(r.claimable for r in eligibility.records(hnte, world["org_a"]))
    assert demo.seed(seed=1, log=lines.append) == 0 and PayoutItem.objects.count() == 5

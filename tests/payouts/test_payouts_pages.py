"""The payout pages: public items, the organization's "我可以申请的兑现" (records listed, nothing typed), claims
for both parties only, the bureau's queue, actions and export; query counts stay flat."""

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kechuang.payouts import services
from kechuang.payouts.models import PayoutClaim

from .payouts_helpers import make_item, patent, qualification


@pytest.fixture
def setup(world):
    item = make_item(world["staff"], name="新认定国家高新技术企业奖励")
    q = qualification(world["org_a"])
    return world, item, f"qualification:{q.pk}"


def test_public_item_detail_shows_conditions_amount_and_policy(client, setup):
    world, item, _key = setup
    draft = make_item(world["staff"], name="未发布的事项", open_=False)
    listing = client.get(reverse("payouts:items")).content.decode()
    assert item.name in listing and draft.name not in listing
    page = client.get(reverse("payouts:item", args=[item.pk])).content.decode()
    assert "高新技术企业" in page and "200,000.00" in page
    try:
        assert reverse("portal:policy", args=[item.policy_id]) in page
    except NoReverseMatch:  # the portal's pages come with another helper
        pass
    assert client.get(reverse("payouts:item", args=[draft.pk])).status_code == 404


def test_mine_lists_records_and_one_click_claims(client, setup):
    world, item, key = setup
    client.force_login(world["ent_a"])
    page = client.get(reverse("payouts:mine")).content.decode()
    assert f'data-basis="{key}"' in page and 'data-testid="record-eligible"' in page
    form = client.get(reverse("payouts:mine")).context["rows"][0]["records"][0]["form"]
    visible = [f.name for f in form.visible_fields()]
    assert visible == ["bank_account"]  # the record is picked, not typed

    response = client.post(
        reverse("payouts:claim_new", args=[item.pk]),
        {"basis_key": key, "bank_account": "6222 0001", "form_token": form["form_token"].initial},
    )
    claim = PayoutClaim.objects.get()
    assert response.url == reverse("payouts:claim", args=[claim.pk])
    again = client.get(reverse("payouts:mine")).content.decode()
    assert 'data-testid="record-ineligible"' in again and "只能兑现一次" in again
    assert PayoutClaim.objects.get().bank_account == "6222 0001"


def test_mine_query_count_is_flat(client, world, django_assert_max_num_queries):
    org, staff = world["org_a"], world["staff"]
    for n in range(3):
        make_item(staff, name=f"高企{n}")
        make_item(staff, trigger="patent_grant", parameters={"patent_kind": "invention"}, amount="10000")
        qualification(org, valid_from=date(2025, n + 2, 1))
        patent(org, granted_on=date(2025, n + 2, 1))
    client.force_login(world["ent_a"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("payouts:mine"))
    assert response.content.decode().count('data-testid="record-eligible"') == 18


def test_claim_is_seen_by_both_parties_only(client, setup):
    world, item, key = setup
    claim = services.claim_submit(item=item, organization=world["org_a"], basis_key=key, by=world["ent_a"])
    url = reverse("payouts:claim", args=[claim.pk])
    for who, status in (
        ("ent_a", 200),
        ("staff", 200),
        ("kq_officer", 200),
        ("ent_b", 404),
        ("zj_officer", 404),
    ):
        client.force_login(world[who])
        assert client.get(url).status_code == status, who
    client.force_login(world["ent_b"])
    assert client.post(reverse("payouts:claim_action", args=[claim.pk, "withdraw"])).status_code == 404
    assert not client.get(reverse("payouts:claims")).context["page"].object_list


def test_bureau_queue_actions_history_and_export(client, setup, django_assert_max_num_queries):
    world, item, key = setup
    for n in range(4):
        q = qualification(world["org_a"], valid_from=date(2025, n + 2, 1))
        services.claim_submit(
            item=item, organization=world["org_a"], basis_key=f"qualification:{q.pk}", by=world["ent_a"]
        )
    claim = services.claim_submit(item=item, organization=world["org_a"], basis_key=key, by=world["ent_a"])
    client.force_login(world["staff"])
    with django_assert_max_num_queries(8):
        queue = client.get(reverse("payouts:claims"), {"item": item.pk, "state": "submitted"})
    assert len(queue.context["page"].object_list) == 5

    detail = client.get(reverse("payouts:claim", args=[claim.pk]))
    token = detail.context["forms"]["approve"]["form_token"].initial
    client.post(
        reverse("payouts:claim_action", args=[claim.pk, "approve"]),
        {"amount": "150000", "note": "按核定", "version": claim.version, "form_token": token},
    )
    claim.refresh_from_db()
    assert claim.state == "approved" and claim.amount_approved == 150000
    client.post(
        reverse("payouts:claim_action", args=[claim.pk, "pay"]),
        {"paid_on": timezone.localdate().isoformat(), "reference": "BK-9", "version": claim.version},
    )
    claim.refresh_from_db()
    assert claim.state == "paid"
    page = client.get(reverse("payouts:claim", args=[claim.pk])).content.decode()
    assert page.count('data-testid="history-line"') == 3

    export = client.get(reverse("payouts:claims_export"), {"state": "paid"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world["ent_a"])
    assert client.get(reverse("payouts:claims_export")).status_code == 403


def test_county_bureau_sees_no_approve_form_on_a_city_claim(client, setup):
    world, item, key = setup
    claim = services.claim_submit(item=item, organization=world["org_a"], basis_key=key, by=world["ent_a"])
    client.force_login(world["kq_staff"])
    response = client.get(reverse("payouts:claim", args=[claim.pk]))
    assert response.status_code == 200 and response.context["forms"]["approve"] is None
    client.post(reverse("payouts:claim_action", args=[claim.pk, "approve"]), {"amount": "1"})
    claim.refresh_from_db()
    assert claim.state == "submitted"


def test_bureau_creates_and_opens_an_item(client, world):
    from .payouts_helpers import make_policy

    policy = make_policy()
    client.force_login(world["staff"])
    response = client.post(
        reverse("payouts:item_new"),
        {
            "policy": policy.pk,
            "name": "发明专利授权资助",
            "year": 2025,
            "trigger": "patent_grant",
            "patent_kind": "invention",
            "side": "seller",
            "basis_from": "2025-01-01",
            "basis_until": "2025-12-31",
            "amount": "10000",
            "applies_from": "2025-01-01",
            "applies_until": "2026-12-31",
        },
    )
    item = policy.payout_items.get()
    assert response.url == reverse("payouts:item", args=[item.pk]) and item.parameters == {
        "patent_kind": "invention"
    }
    client.post(reverse("payouts:item_action", args=[item.pk, "open"]), {"version": item.version})
    item.refresh_from_db()
    assert item.state == "open"
    client.force_login(world["ent_a"])
    assert client.get(reverse("payouts:item_new")).status_code == 403

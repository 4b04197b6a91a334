"""Patent subsidy pages: the organization's apply page, the bureau's claims list, scoping and query counts."""

from datetime import date

import pytest
from django.urls import reverse

from kechuang.patents import subsidy_services as services
from kechuang.patents.enums import ClaimState
from kechuang.patents.models import SubsidyClaim

from .ipfinance_helpers import make_patent, make_policy

pytestmark = pytest.mark.django_db


def test_apply_page_lists_amounts_and_reasons_and_submits(client, world, django_assert_max_num_queries):
    policy = make_policy()
    eligible = make_patent(world["org_a"], kind="utility_model")
    late = make_patent(world["org_a"], granted_on=date(2026, 1, 1))
    for _ in range(5):
        make_patent(world["org_a"], status="applied")
    client.force_login(world["ent_a"])
    url = reverse("patents:subsidy_apply", args=[policy.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert f'value="{eligible.pk}"' in body and f'value="{late.pk}"' not in body
    assert "2000.00 元" in body
    assert "授权公告日2026-01-01不在本政策的资助期（2025-01-01至2025-12-31）内。" in body
    assert body.count('data-testid="refused-row"') == 6
    form_token = page.context["form"]["form_token"].value()
    done = client.post(url, {"patents": [eligible.pk], "version": policy.version, "form_token": form_token})
    claim = SubsidyClaim.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("patents:subsidy_claim", args=[claim.pk])
    assert (claim.organization_id, str(claim.amount_claimed)) == (world["org_a"].pk, "2000.00")
    # A patent the user was not offered (already held) is refused by the service with the reason, not saved.
    again = client.post(url, {"patents": [eligible.pk], "version": policy.version})
    assert again.status_code == 200
    assert f"已在资助申请第{claim.pk}号" in again.content.decode()
    assert SubsidyClaim.objects.count() == 1


def test_apply_page_is_for_the_organizations_users(client, world):
    policy = make_policy()
    client.force_login(world["staff"])
    assert client.get(reverse("patents:subsidy_apply", args=[policy.pk])).status_code == 403


def test_bureau_claims_list_filters_and_stays_within_a_query_bound(
    client, world, django_assert_max_num_queries
):
    policy = make_policy()
    other = make_policy(name="另一政策", year=2026)
    for _ in range(4):
        services.claim_submit(
            policy=policy,
            organization=world["org_a"],
            patent_ids=[make_patent(world["org_a"]).pk],
            by=world["ent_a"],
        )
    b = services.claim_submit(
        policy=other,
        organization=world["org_b"],
        patent_ids=[make_patent(world["org_b"]).pk],
        by=world["ent_b"],
    )
    services.claim_approve(claim=b, by=world["staff"])
    client.force_login(world["staff"])
    url = reverse("patents:subsidy_claims")
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert page.content.decode().count('data-testid="claim-row"') == 5
    assert client.get(url, {"policy": other.pk}).content.decode().count('data-testid="claim-row"') == 1
    assert (
        client.get(url, {"state": ClaimState.APPROVED}).content.decode().count('data-testid="claim-row"') == 1
    )
    # The enterprise sees only its own claims; another's claim page is a 404.
    client.force_login(world["ent_b"])
    assert client.get(url).content.decode().count('data-testid="claim-row"') == 1
    mine_a = SubsidyClaim.objects.filter(organization=world["org_a"]).first()
    assert client.get(reverse("patents:subsidy_claim", args=[mine_a.pk])).status_code == 404
    # Claims are the business of the policy's region: 柯桥's bureau does not see the city's policies' claims.
    client.force_login(world["kq_staff"])
    assert client.get(url).content.decode().count('data-testid="claim-row"') == 0


def test_bureau_approves_from_the_claim_page(client, world):
    claim = services.claim_submit(
        policy=make_policy(),
        organization=world["org_a"],
        patent_ids=[make_patent(world["org_a"]).pk],
        by=world["ent_a"],
    )
    client.force_login(world["staff"])
    page = client.get(reverse("patents:subsidy_claim", args=[claim.pk]))
    assert [a for a, _label, _form in page.context["action_forms"]] == ["approve", "reject"]
    url = reverse("patents:subsidy_claim_action", args=[claim.pk, "approve"])
    client.post(url, {"approve-amount": "9000", "approve-note": "", "approve-version": claim.version})
    claim.refresh_from_db()
    assert (claim.state, str(claim.amount_approved)) == (ClaimState.APPROVED, "9000.00")

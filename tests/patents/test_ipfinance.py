"""Pledge financing, enforcement cases and demonstration enterprises: rules, scoping and the pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.organizations.models import Qualification
from kechuang.patents import ipfinance_services as services
from kechuang.patents.enums import CaseOutcome, CaseState, PledgeState
from kechuang.patents.ipfinance_selectors import cases_visible_to, demo_enterprises, pledges_visible_to
from kechuang.regions.models import Region

from .ipfinance_helpers import make_patent

pytestmark = pytest.mark.django_db

TERMS = {
    "bank": "绍兴银行柯桥支行",
    "amount": Decimal("3000000"),
    "starts_on": date(2026, 1, 1),
    "ends_on": date(2026, 12, 31),
}


def test_pledged_patents_are_the_organizations_in_force_and_pledged_once(world):
    mine = make_patent(world["org_a"])
    lapsed = make_patent(world["org_a"], lapsed_on=date(2025, 10, 1))
    theirs = make_patent(world["org_b"])
    with pytest.raises(DomainError, match="不是有效的已授权专利"):
        services.pledge_create(
            organization=world["org_a"], values=TERMS, patent_ids=[lapsed.pk], by=world["ent_a"]
        )
    with pytest.raises(DomainError, match="专利权人不是出质单位"):
        services.pledge_create(
            organization=world["org_a"], values=TERMS, patent_ids=[theirs.pk], by=world["ent_a"]
        )
    with pytest.raises(PermissionDenied):
        services.pledge_create(
            organization=world["org_a"], values=TERMS, patent_ids=[mine.pk], by=world["ent_b"]
        )
    pledge = services.pledge_create(
        organization=world["org_a"], values=TERMS, patent_ids=[mine.pk], by=world["ent_a"]
    )
    with pytest.raises(DomainError, match=f"已在质押融资第{pledge.pk}号（绍兴银行柯桥支行）中质押"):
        services.pledge_create(
            organization=world["org_a"], values=TERMS, patent_ids=[mine.pk], by=world["staff"]
        )
    # Release and default are the bureau's; a released pledge frees its patents.
    with pytest.raises(PermissionDenied):
        services.pledge_release(pledge=pledge, by=world["ent_a"])
    assert services.pledge_release(pledge=pledge, by=world["kq_staff"]).state == PledgeState.RELEASED
    again = services.pledge_create(
        organization=world["org_a"], values=TERMS, patent_ids=[mine.pk], by=world["kq_staff"]
    )
    assert list(again.patents.all()) == [mine]
    assert list(pledges_visible_to(user=world["ent_b"])) == []
    assert {p.pk for p in pledges_visible_to(user=world["kq_officer"])} == {pledge.pk, again.pk}


def test_pledge_update_keeps_its_own_patents_and_checks_the_term(world):
    first, second = make_patent(world["org_a"]), make_patent(world["org_a"])
    pledge = services.pledge_create(
        organization=world["org_a"], values=TERMS, patent_ids=[first.pk], by=world["ent_a"]
    )
    with pytest.raises(DomainError, match="到期日不能早于起始日"):
        services.pledge_update(pledge=pledge, values={"ends_on": date(2025, 12, 1)}, by=world["ent_a"])
    updated = services.pledge_update(
        pledge=pledge,
        values={"amount": Decimal("2000000")},
        patent_ids=[first.pk, second.pk],
        expected_version=pledge.version,
        by=world["ent_a"],
    )
    assert (updated.amount, sorted(p.pk for p in updated.patents.all())) == (
        Decimal("2000000"),
        [first.pk, second.pk],
    )
    defaulted = services.pledge_default(pledge=updated, reason="逾期未还", by=world["staff"])
    assert defaulted.state == PledgeState.DEFAULTED
    with pytest.raises(DomainError, match="只有质押中的记录可以修改"):
        services.pledge_update(pledge=defaulted, values={}, by=world["staff"])


def test_enforcement_case_steps_and_closing(world):
    keqiao = Region.objects.get(pk="330603")
    values = {
        "case_no": "绍柯知执字〔2026〕1号",
        "kind": "infringement",
        "complainant": "甲公司",
        "respondent": "乙公司",
        "received_on": timezone.localdate() - timedelta(days=10),
    }
    with pytest.raises(PermissionDenied):
        services.case_open(region=keqiao, values=values, by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.case_open(region=Region.objects.get(pk="330681"), values=values, by=world["kq_staff"])
    case = services.case_open(region=keqiao, values=values, by=world["kq_staff"])
    with pytest.raises(DomainError, match="已有案号"):
        services.case_open(region=keqiao, values=values, by=world["staff"])
    services.case_step_add(
        case=case,
        happened_on=timezone.localdate(),
        action="调查取证",
        state=CaseState.INVESTIGATING,
        by=world["kq_staff"],
    )
    with pytest.raises(DomainError, match="结案须选择结果"):
        services.case_close(case=case, outcome="", closed_on=timezone.localdate(), by=world["kq_staff"])
    closed = services.case_close(
        case=case, outcome=CaseOutcome.MEDIATED, closed_on=timezone.localdate(), by=world["kq_staff"]
    )
    assert (closed.state, closed.outcome) == (CaseState.CLOSED, CaseOutcome.MEDIATED)
    assert list(closed.steps.values_list("action", flat=True)) == ["调查取证", "结案：调解结案"]
    with pytest.raises(DomainError, match="已结案"):
        services.case_step_add(
            case=closed, happened_on=timezone.localdate(), action="补充", by=world["kq_staff"]
        )
    assert [c.pk for c in cases_visible_to(user=world["kq_officer"])] == []  # a town officer: only the town's
    assert [c.pk for c in cases_visible_to(user=world["zj_officer"])] == []
    assert [c.pk for c in cases_visible_to(user=world["leader"])] == [case.pk]
    assert list(cases_visible_to(user=world["ent_a"])) == []


def test_cases_pages_are_closed_to_organizations(client, world):
    client.force_login(world["ent_a"])
    assert client.get(reverse("patents:cases")).status_code == 403
    client.force_login(world["kq_staff"])
    assert client.get(reverse("patents:case_new")).status_code == 200
    case = services.case_open(
        region=Region.objects.get(pk="330603"),
        values={
            "case_no": "柯知执〔2026〕2号",
            "kind": "counterfeit",
            "complainant": "甲公司",
            "respondent": "乙公司",
            "received_on": timezone.localdate(),
        },
        by=world["kq_staff"],
    )
    page = client.get(reverse("patents:case", args=[case.pk]))
    assert (page.status_code, page.context["step_form"] is not None) == (200, True)
    client.force_login(world["zj_officer"])
    assert client.get(reverse("patents:case", args=[case.pk])).status_code == 404


def test_demonstration_enterprises_with_patent_counts(client, world, django_assert_max_num_queries):
    today = timezone.localdate()
    for org in (world["org_a"], world["org_b"]):
        Qualification.objects.create(
            organization=org,
            kind="patent_demo",
            level="city",
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=300),
        )
    make_patent(world["org_a"])
    make_patent(world["org_a"], kind="design")
    make_patent(world["org_a"], status="applied")
    rows = list(demo_enterprises(user=world["staff"], day=today))
    assert [(q.organization_id, q.n_patents, q.n_inventions) for q in rows] == [
        (world["org_a"].pk, 2, 1),
        (world["org_b"].pk, 0, 0),
    ]
    assert [q.organization_id for q in demo_enterprises(user=world["kq_staff"], day=today)] == [
        world["org_a"].pk
    ]
    client.force_login(world["staff"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("patents:demo_enterprises"))
    assert page.content.decode().count('data-testid="demo-row"') == 2


def test_pledge_pages_for_the_organization(client, world):
    patent = make_patent(world["org_a"])
    client.force_login(world["ent_a"])
    page = client.get(reverse("patents:pledge_new"))
    token = page.context["form"]["form_token"].value()
    done = client.post(
        reverse("patents:pledge_new"),
        {
            "bank": "绍兴银行",
            "amount": "1000000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "patents": [patent.pk],
            "form_token": token,
        },
    )
    assert done.status_code == 302
    pledge_url = done["Location"]
    assert client.get(pledge_url).status_code == 200
    assert client.get(reverse("patents:pledges")).content.decode().count('data-testid="pledge-row"') == 1
    client.force_login(world["ent_b"])
    assert client.get(pledge_url).status_code == 404

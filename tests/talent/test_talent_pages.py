"""Pages of the talent app: scoping of the lists, the dispatch page's work log, figures, and query counts."""

from datetime import date

import pytest
from django.urls import reverse

from kechuang.talent.enums import CommissionerKind, Engagement, TalentKind, WorkKind
from kechuang.talent.models import Commissioner, WorkLog
from kechuang.talent.services import (
    commissioner_create,
    dispatch_create,
    foreign_expert_create,
    talent_create,
    talent_program_create,
    worklog_add,
)

from ..factories import region

pytestmark = pytest.mark.django_db


def _names(response, key="page"):
    return [row.name for row in response.context[key]]


def test_commissioner_list_is_scoped(client, talent_world):
    w = talent_world
    url = reverse("talent:commissioners")
    expected = {
        "staff": ["王农技"],
        "kq_officer": ["王农技"],  # dispatched to their town
        "zj_officer": [],  # neither from nor sent to 诸暨
        "institution": ["王农技"],  # their own commissioner
        "ent_a": [],
    }
    for who, names in expected.items():
        client.force_login(w[who])
        response = client.get(url)
        assert response.status_code == 200
        assert _names(response) == names, who
    client.force_login(w["expert"])
    assert client.get(url).status_code == 403


def test_commissioner_list_filters(client, talent_world):
    w = talent_world
    commissioner_create(
        kind=CommissionerKind.LEGAL_PERSON, name="绍兴农科公司", organization=w["org_a"], by=w["staff"]
    )
    client.force_login(w["staff"])
    url = reverse("talent:commissioners")
    assert _names(client.get(url, {"kind": "legal_person"})) == ["绍兴农科公司"]
    assert _names(client.get(url, {"town": "330603L01", "year": "2025"})) == ["王农技"]
    assert _names(client.get(url, {"year": "2024"})) == []
    assert _names(client.get(url, {"q": "农科"})) == ["绍兴农科公司"]


def test_commissioner_list_query_count(client, talent_world, django_assert_max_num_queries):
    w = talent_world
    client.force_login(w["staff"])
    url = reverse("talent:commissioners")
    client.get(url)
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    for n, code in enumerate(("330603L02", "330603L03", "330681L01")):
        c = commissioner_create(kind="individual", name=f"特派员{n}", organization=w["org_a"], by=w["staff"])
        dispatch_create(
            commissioner=c,
            town=region(code),
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 12, 31),
            by=w["staff"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == 4


def test_dispatch_page_is_scoped(client, talent_world):
    w = talent_world
    url = reverse("talent:dispatch", args=[w["dispatch"].pk])
    for who, status in (
        ("kq_officer", 200),
        ("institution", 200),
        ("leader", 200),
        ("ent_a", 404),
        ("other_town_officer", 404),
    ):
        client.force_login(w[who])
        assert client.get(url).status_code == status, who


def test_dispatch_page_adds_a_log_line_with_htmx(client, talent_world, django_assert_max_num_queries):
    w = talent_world
    d = w["dispatch"]
    for n in range(3):
        worklog_add(
            dispatch=d,
            kind=WorkKind.VISIT,
            happened_on=date(2025, 3, n + 1),
            title=f"走访{n}",
            by=w["institution"],
        )
    client.force_login(w["institution"])
    url = reverse("talent:dispatch", args=[d.pk]) + "?year=2025"
    client.get(url)
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert len(page.context["logs"]) == 3
    token = page.context["log_form"]["form_token"].initial
    data = {
        "form_token": token,
        "kind": WorkKind.TRAINING,
        "happened_on": "2025-04-02",
        "title": "茶叶修剪培训",
        "quantity": "1",
        "attendance": "45",
    }
    add = reverse("talent:worklog_add", args=[d.pk]) + "?year=2025"
    response = client.post(add, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["summary"]["attendance"] == 45
    assert "茶叶修剪培训" in response.content.decode()
    assert WorkLog.objects.filter(dispatch=d).count() == 4
    # Outside the term: the form comes back with the error and nothing is written.
    refused = client.post(add, {**data, "form_token": "t2", "happened_on": "2026-01-05"})
    assert refused.status_code == 200
    assert refused.context["log_form"].errors["happened_on"] == [
        "日期须在派驻期内（2025-01-01 至 2025-12-31）。"
    ]
    assert WorkLog.objects.filter(dispatch=d).count() == 4
    # Another organization's user cannot post to it.
    client.force_login(w["ent_a"])
    assert client.post(add, {**data, "form_token": "t3"}).status_code == 404


def test_commissioner_create_page(client, talent_world):
    w = talent_world
    client.force_login(w["staff"])
    url = reverse("talent:commissioner_create")
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "form_token": form["form_token"].initial,
            "kind": "team",
            "name": "茶产业团队",
            "organization": w["institution"].organization.pk,
        },
    )
    created = Commissioner.objects.get(name="茶产业团队")
    assert response["Location"] == reverse("talent:commissioner", args=[created.pk])
    client.force_login(w["kq_officer"])
    assert client.get(url).status_code == 403


def test_talent_and_expert_lists_are_scoped(client, talent_world):
    w = talent_world
    program = talent_program_create(region=region("330600"), name="名士之乡英才计划", by=w["staff"])
    for name, organization in (("甲领军", w["org_a"]), ("乙领军", w["org_b"])):
        talent_create(
            program=program,
            kind=TalentKind.LEADING,
            name=name,
            organization=organization,
            year=2025,
            by=w["staff"],
        )
        foreign_expert_create(
            name=f"{name}专家",
            country="德国",
            organization=organization,
            engagement=Engagement.FLEXIBLE,
            starts_on=date(2025, 1, 1),
            ends_on=date(2026, 12, 31),
            by=w["staff"],
        )
    for who, talents in (("staff", ["乙领军", "甲领军"]), ("kq_officer", ["甲领军"]), ("ent_b", ["乙领军"])):
        client.force_login(w[who])
        assert sorted(_names(client.get(reverse("talent:talents")))) == sorted(talents), who
        assert sorted(_names(client.get(reverse("talent:experts")))) == sorted(f"{t}专家" for t in talents), (
            who
        )
    other = client.get(reverse("talent:talent", args=[program.talents.get(name="甲领军").pk]))
    assert other.status_code == 404


def test_figures_page(client, talent_world):
    w = talent_world
    worklog_add(
        dispatch=w["dispatch"],
        kind=WorkKind.PROJECT,
        happened_on=date(2025, 6, 1),
        title="茶园改造",
        quantity=2,
        by=w["institution"],
    )
    client.force_login(w["staff"])
    response = client.get(reverse("talent:figures"), {"region": "330600", "year": "2025"})
    assert (
        response.context["commissioners"]["sentence"] == "实施项目2个，推广新技术0项，举办培训0期，培训0人次"
    )
    assert "实施项目2个" in response.content.decode()
    town = client.get(reverse("talent:town_summary"), {"town": "330603L01", "year": "2025"})
    assert [c["name"] for c in town.context["summary"]["commissioners"]] == ["王农技"]
    client.force_login(w["ent_a"])
    assert client.get(reverse("talent:figures")).status_code == 403


def test_every_page_renders_for_the_bureau(client, talent_world):
    w = talent_world
    program = talent_program_create(region=region("330600"), name="名士之乡英才计划", by=w["staff"])
    talent = talent_create(
        program=program,
        kind=TalentKind.TEAM,
        name="甲团队",
        organization=w["org_a"],
        year=2025,
        by=w["staff"],
    )
    expert = foreign_expert_create(
        name="Anna",
        country="德国",
        organization=w["org_a"],
        engagement=Engagement.FULL_TIME,
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
        by=w["staff"],
    )
    log = worklog_add(
        dispatch=w["dispatch"], kind=WorkKind.VISIT, happened_on=date(2025, 2, 1), title="走访", by=w["staff"]
    )
    c, d = w["commissioner"], w["dispatch"]
    client.force_login(w["staff"])
    for name, args in (
        ("commissioner", [c.pk]),
        ("commissioner_edit", [c.pk]),
        ("dispatch_create", [c.pk]),
        ("worklog_edit", [log.pk]),
        ("town_summary", []),
        ("programs", []),
        ("program", [program.pk]),
        ("program_create", []),
        ("talent_create", []),
        ("talent", [talent.pk]),
        ("talent_edit", [talent.pk]),
        ("expert_create", []),
        ("expert", [expert.pk]),
        ("expert_edit", [expert.pk]),
    ):
        assert client.get(reverse(f"talent:{name}", args=args)).status_code == 200, name
    client.force_login(w["kq_officer"])  # a town officer's town summary opens on their town
    assert client.get(reverse("talent:town_summary")).context["town"].pk == "330603L01"
    assert client.get(reverse("talent:dispatch", args=[d.pk])).context["may_write"] is True

"""The self-assessment page, its panel on the enterprise page, and its API."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from kechuang.accounts.services import api_token_create
from kechuang.enterprises.assessment_views import panel
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.models import AssessmentResult

from .assessment_data import RD_SHORT, example_a_year, make_example_a

pytestmark = pytest.mark.django_db


def _year() -> int:
    """The application year of a self-assessment made today."""
    return timezone.localdate().year


def _url(organization, **query) -> str:
    url = reverse("enterprises:assessment", args=[organization.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def example(world):
    """org_a holds worked example A for the three fiscal years before this year, all submitted."""
    make_example_a(world["org_a"], application_year=_year())
    return world


def _codes(checks):
    return {c.code: c.passed for c in checks}


def test_enterprise_sees_every_condition_its_shortfall_and_the_tsme_score(client, example):
    client.force_login(example["ent_a"])
    response = client.get(_url(example["org_a"]))
    assert response.status_code == 200
    ctx = response.context
    assert (ctx["hnte_verdict"], ctx["tsme_verdict"]) == ("不符合条件", "符合条件")
    rd = next(c for c in ctx["hnte"].checks if c.code == "hnte.rd_ratio")
    assert (rd.passed, rd.figure, rd.message) == (False, "4.92%", RD_SHORT)
    assert ctx["hnte"].missing[0] == (
        f"近三个会计年度（{_year() - 3}–{_year() - 1}年）研发费用（高企口径）还差约10.00万元"
    )
    assert ctx["hnte_score"] == {"low": "33", "high": "82", "estimate": "57.5"}
    assert [(r["part"].code, r["estimate"]) for r in ctx["hnte_parts"] if not r["sub"]] == [
        ("hnte.ip", "19"),
        ("hnte.achievement", "15.5"),
        ("hnte.org", "10"),
        ("hnte.growth", "13"),
    ]
    assert ctx["tsme_score"] == {"decided": True, "value": "74", "low": "74", "high": "74"}
    assert ctx["tsme_rd_used"] == "方式一（研发费用占销售收入）"
    assert [r["part"].code for r in ctx["tsme_parts"] if r["used"]] == ["tsme.rd.sales"]
    assert ctx["deduction_total"] == "250.00万元"
    assert (ctx["missing_years"], ctx["result"].drafts) == ([], [])
    html = response.content.decode()
    assert RD_SHORT in html
    assert 'data-testid="drafts-badge"' not in html
    assert html.count('data-testid="check"') == len(ctx["hnte"].checks) + len(ctx["tsme"].checks) == 18


def test_running_stores_the_result_when_the_data_are_submitted(client, example):
    client.force_login(example["ent_a"])
    today = timezone.localdate()
    response = client.post(
        _url(example["org_a"]), {"on": today.isoformat(), "year": today.year - 1, "drafts": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(
        example["org_a"], on=today.isoformat(), year=today.year - 1, drafts="on"
    )
    rows = {r.kind: r for r in AssessmentResult.objects.filter(organization=example["org_a"])}
    assert {k: (r.eligible, r.failed, r.assessed_on) for k, r in rows.items()} == {
        "hnte": (False, 1, today),
        "tsme": (True, 0, today),
    }
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["自评完成，结果已保存为本企业最新的自评结果。"]


def test_drafts_are_a_preview_for_the_enterprise_only(client, world):
    org = world["org_a"]
    make_example_a(org, application_year=_year(), count=2)
    example_a_year(org, _year() - 1, application_year=_year(), status=AnnualDataStatus.DRAFT)

    client.force_login(world["ent_a"])
    own = client.get(_url(org))
    assert own.context["result"].drafts == [_year() - 1]
    assert own.context["missing_years"] == []
    assert 'data-testid="drafts-badge">含未提交数据<' in own.content.decode()
    today = timezone.localdate()
    run = client.post(_url(org), {"on": today.isoformat(), "year": today.year - 1, "drafts": "on"})
    assert run.status_code == 302
    assert not AssessmentResult.objects.exists()
    page = client.get(run["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "自评完成。本次自评含未提交数据，仅供预览，未保存。"
    ]

    client.force_login(world["kq_staff"])
    bureau = client.get(_url(org, on=today.isoformat(), year=today.year - 1, drafts="on"))
    assert "drafts" not in bureau.context["form"].fields
    assert bureau.context["result"].drafts == []
    assert bureau.context["missing_years"] == [
        {"year": _year() - 1, "url": reverse("enterprises:annual_edit", args=[org.pk, _year() - 1])}
    ]


def test_missing_years_are_named_with_a_link_to_the_form(client, world):
    org = world["org_a"]
    make_example_a(org, application_year=_year(), count=0)
    example_a_year(org, _year() - 1, application_year=_year())
    client.force_login(world["ent_a"])
    response = client.get(_url(org))
    links = [(m["year"], m["url"]) for m in response.context["missing_years"]]
    assert links == [
        (year, reverse("enterprises:annual_edit", args=[org.pk, year])) for year in (_year() - 3, _year() - 2)
    ]
    html = response.content.decode()
    assert f"请填报{_year() - 3}年度数据" in html
    assert f'href="{reverse("enterprises:annual_edit", args=[org.pk, _year() - 2])}"' in html

    client.force_login(world["leader"])  # may look, may not enter data: the years without a link
    assert [m["url"] for m in client.get(_url(org)).context["missing_years"]] == ["", ""]


def test_an_application_date_without_rules_is_refused(client, example):
    client.force_login(example["ent_a"])
    response = client.get(_url(example["org_a"], on="2015-06-01", year=2024))
    assert response.status_code == 200
    assert response.context["form"].errors["on"][0].startswith("2015年6月1日没有适用的规则版本")
    assert response.context["result"].on == timezone.localdate()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("ent_a", 200),
        ("kq_officer", 200),
        ("kq_staff", 200),
        ("staff", 200),
        ("leader", 200),
        ("ent_b", 403),
        ("zj_officer", 403),
    ],
)
def test_who_may_see_an_enterprises_self_assessment(client, example, who, status):
    client.force_login(example[who])
    response = client.get(_url(example["org_a"]))
    assert response.status_code == status
    if status == 403:
        assert response.context["reason"] == "您无权查看该企业的信息。"
        assert "柯桥甲纺织有限公司" not in response.content.decode()
        today = timezone.localdate()
        assert client.post(_url(example["org_a"]), {"on": today.isoformat(), "year": 2025}).status_code == 403
        assert not AssessmentResult.objects.exists()


def test_the_page_reads_a_fixed_number_of_queries(client, example):
    client.force_login(example["kq_staff"])
    client.get(_url(example["org_a"]))  # the user's region scope is read once and cached
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url(example["org_a"])).status_code == 200
    # session, user, enterprise, annual data, integrity records, qualifications, stored results
    assert len(captured.captured_queries) <= 8


def test_my_assessment_leads_to_the_own_enterprise(client, world):
    client.force_login(world["ent_a"])
    assert client.get(reverse("enterprises:assessment_mine"))["Location"] == _url(world["org_a"])
    client.force_login(world["staff"])
    assert client.get(reverse("enterprises:assessment_mine"))["Location"] == reverse(
        "enterprises:enterprise_list"
    )
    client.force_login(world["expert"])
    assert client.get(reverse("enterprises:assessment_mine")).status_code == 403


def test_panel_shows_the_latest_stored_verdicts(client, example):
    org = example["org_a"]
    assert panel(user=example["ent_b"], organization=org) is None
    before = panel(user=example["ent_a"], organization=org)
    assert [(r["kind"], r["row"]) for r in before["rows"]] == [
        ("高新技术企业", None),
        ("科技型中小企业", None),
    ]
    assert before["url"] == _url(org)

    today = timezone.localdate()
    client.force_login(example["ent_a"])
    client.post(_url(org), {"on": today.isoformat(), "year": today.year - 1})
    panel(user=example["kq_officer"], organization=org)  # the region scope is read once and cached
    with CaptureQueriesContext(connection) as captured:
        after = panel(user=example["kq_officer"], organization=org)
    assert len(captured.captured_queries) == 1
    assert [(r["verdict"], r["row"].score, r["row"].failed) for r in after["rows"]] == [
        ("不符合条件", after["rows"][0]["row"].score, 1),
        ("符合条件", after["rows"][1]["row"].score, 0),
    ]
    assert [str(r["row"].score) for r in after["rows"]] == ["57.50", "74.00"]

    detail = client.get(reverse("enterprises:detail", args=[org.pk]))
    html = detail.content.decode()
    assert 'data-testid="assessment-panel"' in html
    assert f'href="{_url(org)}"' in html


# -------------------------------------------------------------------------------------------------- API


@pytest.fixture
def api_urls():
    """The assessment API is mounted by kechuang/api.py."""
    assert resolve("/api/enterprises/1/assessment").url_name == "assessment_stored"


def _api(client, user):
    _, raw = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_api_runs_and_reads_the_assessment(client, example, api_urls):
    org = example["org_a"]
    api = _api(client, example["ent_a"])
    url = f"/api/enterprises/{org.pk}/assessment"
    assert api.get(url).json() == {"organization_id": org.pk, "results": []}

    run = _post(api, url, {})
    assert run.status_code == 200
    body = run.json()
    assert (body["stored"], body["drafts"], body["missing_years"]) == (True, [], [])
    rd = next(c for c in body["hnte"]["checks"] if c["code"] == "hnte.rd_ratio")
    assert (rd["passed"], rd["figure"], rd["message"]) == (False, "4.92%", RD_SHORT)
    assert (body["hnte"]["eligible"], body["tsme"]["eligible"], body["tsme"]["score"]["value"]) == (
        False,
        True,
        "74",
    )
    assert body["super_deduction"]["total_extra"] == "2500000.00"

    stored = api.get(url).json()["results"]
    assert [(r["kind"], r["eligible"], r["failed"], r["undetermined"]) for r in stored] == [
        ("hnte", False, 1, 1),
        ("tsme", True, 0, 0),
    ]
    assert stored[0]["result"]["missing"] == body["hnte"]["missing"]

    old = _post(api, url, {"on": "2015-06-01"})
    assert (old.status_code, old.json()["field"]) == (400, "on")


def test_api_refuses_other_enterprises_and_drafts_for_the_bureau(client, example, api_urls):
    org = example["org_a"]
    url = f"/api/enterprises/{org.pk}/assessment"
    other = _api(client, example["ent_b"])
    assert other.get(url).status_code == 403
    assert _post(other, url, {}).status_code == 403

    staff = _api(client, example["kq_staff"])
    refused = _post(staff, url, {"include_drafts": True})
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "只有本企业用户可以在自评中使用未提交的数据。"},
    )
    later = _post(staff, url, {"on": date(timezone.localdate().year, 12, 31).isoformat()})
    assert later.status_code == 200
    assert later.json()["stored"] is (timezone.localdate().isoformat() == later.json()["on"])

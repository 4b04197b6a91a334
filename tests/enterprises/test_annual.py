"""企业年度数据 (issue item 1): the rules, services, permissions, pages, export and API."""

import json
from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.accounts.services import api_token_create
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.enterprises.annual import (
    EDITABLE_FIELDS,
    annual_data_problems,
    annual_data_save,
    annual_data_submit,
    annual_data_visible_to,
    annual_data_warnings,
    default_of,
)
from kechuang.enterprises.annual_views import panel
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.models import AnnualData

from ..factories import OrganizationFactory, audit_for, region

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


def figures(**extra) -> dict:
    """A complete, plausible year: 销售收入 4,900万, 研发 260万 (5.31%), 120 staff of whom 18 in S&T."""
    return {
        "total_income": D("52000000"),
        "main_revenue": D("48000000"),
        "other_revenue": D("1000000"),
        "hitech_revenue": D("40000000"),
        "cost_total": D("45000000"),
        "hnte_rd_personnel": D("1500000"),
        "hnte_rd_direct": D("800000"),
        "hnte_rd_commissioned_domestic": D("200000"),
        "hnte_rd_commissioned_foreign": D("100000"),
        "staff_total": D("120"),
        "st_staff": D("18"),
        "net_assets": D("30000000"),
        "total_assets": D("60000000"),
        "ip_invention": 2,
        **extra,
    }


def all_values(**extra) -> dict:
    values = {name: default_of(name) for name in EDITABLE_FIELDS}
    values.update(figures(**extra))
    return values


def _submitted(world, org="org_a", user="ent_a", year=YEAR, **extra):
    return annual_data_save(
        organization=world[org], year=year, data=figures(**extra), by=world[user], submit=True
    )


# ------------------------------------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"main_revenue": D("-1")}, [("main_revenue", "主营业务收入不能为负数。")]),
        ({"hnte_rd_other": D("-0.01")}, [("hnte_rd_other", "其他费用不能为负数。")]),
        ({"ip_software": -1}, [("ip_software", "软件著作权不能为负数。")]),
        ({"st_staff": D("121")}, [("st_staff", "科技人员数不能超过职工总数。")]),
        (
            {"tsme_staff_total": D("10")},
            [("tsme_staff_total", "科技人员数（科小口径）不能超过职工总数（科小口径）。")],
        ),
        (
            {"tsme_staff_total": D("130"), "tsme_st_staff": D("131")},
            [("tsme_st_staff", "科技人员数（科小口径）不能超过职工总数（科小口径）。")],
        ),
        (
            {"hitech_revenue": D("52000000.01")},
            [("hitech_revenue", "高新技术产品（服务）收入不能超过收入总额。")],
        ),
        ({"non_taxable_income": D("60000000")}, [("non_taxable_income", "不征税收入不能超过收入总额。")]),
        ({"net_assets": D("70000000")}, [("net_assets", "净资产不能超过资产总额。")]),
        ({"total_income": D("1e15")}, [("total_income", "收入总额数值过大，请核对（金额以元为单位）。")]),
        ({"cost_total": D("1.005")}, [("cost_total", "成本费用支出总额最多保留两位小数。")]),
        ({"net_assets": D("-5000000")}, []),  # liabilities above assets: negative net assets are real
        ({"main_revenue": D("60000000")}, []),  # only a warning (annual_data_warnings)
    ],
)
def test_figure_rules(changes, expected):
    assert annual_data_problems(all_values(**changes), complete=True) == expected


def test_a_draft_may_be_incomplete_a_submission_may_not():
    values = {name: default_of(name) for name in EDITABLE_FIELDS} | {"total_income": D("100")}
    assert annual_data_problems(values, complete=False) == []
    assert annual_data_problems(values, complete=True) == [
        ("main_revenue", "提交前请填写主营业务收入。"),
        ("hitech_revenue", "提交前请填写高新技术产品（服务）收入。"),
        ("cost_total", "提交前请填写成本费用支出总额。"),
        ("staff_total", "提交前请填写职工总数。"),
        ("st_staff", "提交前请填写科技人员数。"),
        ("net_assets", "提交前请填写净资产。"),
        ("total_assets", "提交前请填写资产总额。"),
    ]


def test_warnings_flag_sales_above_total_income_and_rd_above_sales():
    assert annual_data_warnings(all_values()) == []
    assert annual_data_warnings(all_values(main_revenue=D("60000000"))) == [
        "销售收入（主营业务收入与其他业务收入之和）大于收入总额，请核对：收入总额通常包含销售收入。"
    ]
    assert annual_data_warnings(all_values(main_revenue=D("100"), other_revenue=D("0"))) == [
        "研发费用合计（高企口径）大于销售收入，请核对金额单位是否为元。"
    ]


# --------------------------------------------------------------------------------------------- services


def test_enterprise_saves_a_draft_then_submits_and_each_step_is_audited(world):
    draft = annual_data_save(
        organization=world["org_a"], year=YEAR, data={"total_income": D("52000000")}, by=world["ent_a"]
    )
    assert (draft.status, draft.version, draft.main_revenue, draft.hnte_rd_personnel) == (
        AnnualDataStatus.DRAFT,
        1,
        None,
        D("0"),
    )
    created = audit_for(draft, action="create").get()
    assert created.changes["total_income"][1] == "52000000.00"
    assert (created.actor, created.region_code) == (world["ent_a"], "330603L01")

    submitted = annual_data_save(
        organization=world["org_a"],
        year=YEAR,
        data=figures(),
        by=world["ent_a"],
        expected_version=1,
        submit=True,
    )
    assert (submitted.pk, submitted.status, submitted.version, submitted.submitted_by) == (
        draft.pk,
        AnnualDataStatus.SUBMITTED,
        2,
        world["ent_a"],
    )
    transition = audit_for(submitted, action="transition").get()
    assert (transition.from_state, transition.to_state, transition.actor) == (
        "draft",
        "submitted",
        world["ent_a"],
    )
    assert audit_for(submitted, action="update").get().changes["main_revenue"][1] == "48000000.00"


def test_submitting_needs_the_key_figures(world):
    with pytest.raises(DomainError) as exc:
        annual_data_save(
            organization=world["org_a"],
            year=YEAR,
            data={"total_income": D("1")},
            by=world["ent_a"],
            submit=True,
        )
    assert (exc.value.message, exc.value.field) == ("提交前请填写主营业务收入。", "main_revenue")
    assert AnnualData.objects.count() == 0
    draft = annual_data_save(
        organization=world["org_a"], year=YEAR, data={"total_income": D("1")}, by=world["ent_a"]
    )
    with pytest.raises(DomainError) as exc:
        annual_data_submit(record=draft, by=world["ent_a"], expected_version=1)
    assert exc.value.message == "提交前请填写主营业务收入。"
    annual_data_save(
        organization=world["org_a"], year=YEAR, data=figures(), by=world["ent_a"], expected_version=1
    )
    done = annual_data_submit(record=draft, by=world["ent_a"], expected_version=2)
    assert (done.status, done.version) == (AnnualDataStatus.SUBMITTED, 3)
    with pytest.raises(DomainError) as exc:
        annual_data_submit(record=draft, by=world["ent_a"])
    assert exc.value.message == f"{YEAR} 年度数据已经提交。"


def test_a_correction_keeps_the_record_submitted_and_complete_and_is_audited(world):
    record = _submitted(world)
    corrected = annual_data_save(
        organization=world["org_a"],
        year=YEAR,
        data={"main_revenue": D("47000000")},
        by=world["ent_a"],
        expected_version=1,
    )
    assert (corrected.status, corrected.version, corrected.main_revenue) == ("submitted", 2, D("47000000"))
    assert audit_for(record, action="update").get().changes == {
        "main_revenue": ["48000000.00", "47000000.00"]
    }
    with pytest.raises(DomainError) as exc:
        annual_data_save(
            organization=world["org_a"],
            year=YEAR,
            data={"staff_total": None},
            by=world["ent_a"],
            expected_version=2,
        )
    assert exc.value.message == "提交前请填写职工总数。"


def test_a_stale_version_is_refused(world):
    _submitted(world)
    annual_data_save(
        organization=world["org_a"], year=YEAR, data={"ip_design": 3}, by=world["staff"], expected_version=1
    )
    with pytest.raises(ConflictError) as exc:
        annual_data_save(
            organization=world["org_a"],
            year=YEAR,
            data={"ip_design": 1},
            by=world["ent_a"],
            expected_version=1,
        )
    assert exc.value.message == "该记录已被他人修改，请刷新后重新编辑。"
    with pytest.raises(ConflictError) as exc:  # a form opened on an empty year, saved after someone else's
        annual_data_save(
            organization=world["org_a"], year=YEAR, data={}, by=world["ent_a"], expected_version=0
        )
    assert exc.value.message == f"{YEAR} 年度的数据已由他人填报，请刷新后在其基础上修改。"
    assert AnnualData.objects.get().ip_design == 3


def test_only_ended_years_after_founding_may_be_entered(world):
    this_year = YEAR + 1
    with pytest.raises(DomainError) as exc:
        _submitted(world, year=this_year)
    assert (exc.value.message, exc.value.field) == (
        f"只能填报已结束的会计年度（{YEAR} 年及以前），不能填报 {this_year} 年。",
        "year",
    )
    young = OrganizationFactory(founded_on=date(YEAR, 3, 1))
    from ..factories import UserFactory

    clerk = UserFactory(role="enterprise", organization=young)
    with pytest.raises(DomainError) as exc:
        annual_data_save(organization=young, year=YEAR - 1, data={}, by=clerk)
    assert exc.value.message == f"{YEAR - 1} 年早于企业成立年份（{YEAR} 年），不能填报。"
    assert annual_data_save(organization=young, year=YEAR, data={}, by=clerk).year == YEAR


def test_who_may_write(world):
    for user, reason in [
        ("ent_b", "只有本企业用户或属地科技局业务人员可以填报年度数据。"),
        ("kq_officer", "只有本企业用户或属地科技局业务人员可以填报年度数据。"),
        ("leader", "只有本企业用户或属地科技局业务人员可以填报年度数据。"),
    ]:
        with pytest.raises(PermissionDenied) as exc:
            _submitted(world, user=user)
        assert exc.value.message == reason
    with pytest.raises(PermissionDenied):
        _submitted(world, org="org_b", user="kq_staff")  # another county
    assert _submitted(world, user="kq_staff").submitted_by == world["kq_staff"]
    assert _submitted(world, org="org_b", user="staff").submitted_by == world["staff"]


def test_who_may_read(world):
    a, b = _submitted(world), _submitted(world, org="org_b", user="ent_b")
    visible = {
        name: set(annual_data_visible_to(user=world[name])) for name in world if not name.startswith("org_")
    }
    assert {name for name, rows in visible.items() if rows == {a, b}} == {"admin", "staff", "leader"}
    assert {name for name, rows in visible.items() if rows == {a}} == {"ent_a", "kq_staff", "kq_officer"}
    assert {name for name, rows in visible.items() if rows == {b}} == {"ent_b", "zj_officer"}


# ------------------------------------------------------------------------------------------------ pages


def _post(values: dict, **extra) -> dict:
    body = {name: "" if value is None else str(value) for name, value in values.items()}
    body.update({k: str(v) for k, v in extra.items()})
    return body


def test_enterprise_enters_its_year_through_the_page(client, world):
    client.force_login(world["ent_a"])
    mine = client.get(reverse("enterprises:annual_mine"))
    assert mine.status_code == 200
    assert f"尚未填报 {YEAR} 年度数据" in mine.content.decode()
    chosen = client.get(reverse("enterprises:annual_mine"), {"year": YEAR})
    url = reverse("enterprises:annual_edit", args=[world["org_a"].pk, YEAR])
    assert chosen.url == url
    page = client.get(url)
    body = page.content.decode()
    assert [
        legend
        for legend in (
            "收入",
            "研发费用（高企口径）",
            "研发费用（加计扣除口径）",
            "人员",
            "资产",
            "知识产权",
            "研发机构与其他",
        )
        if f"<legend>{legend}</legend>" in body
    ] == [
        "收入",
        "研发费用（高企口径）",
        "研发费用（加计扣除口径）",
        "人员",
        "资产",
        "知识产权",
        "研发机构与其他",
    ]
    saved = client.post(url, _post(figures(st_staff=None), version=0, action="save"))
    assert saved.url == url
    record = AnnualData.objects.get()
    assert (record.status, record.st_staff, record.main_revenue) == ("draft", None, D("48000000.00"))

    refused = client.post(url, _post(figures(st_staff=D("121")), version=1, action="submit"))
    assert refused.status_code == 200
    assert "科技人员数不能超过职工总数。" in refused.content.decode()
    record.refresh_from_db()
    assert (record.status, record.version) == ("draft", 1)

    submitted = client.post(url, _post(figures(), version=1, action="submit"))
    assert submitted.url == reverse("enterprises:annual_mine")
    record.refresh_from_db()
    assert (record.status, record.version) == ("submitted", 2)
    history = client.get(reverse("enterprises:annual_mine")).content.decode()
    assert f'data-testid="annual-year-{YEAR}"' in history
    assert '<td class="num">4,900.00</td>' in history and "5.31%" in history


def test_the_page_reports_a_conflict_instead_of_overwriting(client, world):
    _submitted(world)
    annual_data_save(
        organization=world["org_a"], year=YEAR, data={"ip_design": 3}, by=world["staff"], expected_version=1
    )
    client.force_login(world["ent_a"])
    url = reverse("enterprises:annual_edit", args=[world["org_a"].pk, YEAR])
    response = client.post(url, _post(figures(ip_design=1), version=1, action="save"))
    assert response.status_code == 200
    assert "该记录已被他人修改，请刷新后重新编辑。" in response.content.decode()
    assert AnnualData.objects.get().ip_design == 3


def test_the_page_refuses_a_future_year(client, world):
    client.force_login(world["ent_a"])
    response = client.get(reverse("enterprises:annual_edit", args=[world["org_a"].pk, YEAR + 1]), follow=True)
    assert response.redirect_chain == [(reverse("enterprises:annual_mine"), 302)]
    assert (
        f"只能填报已结束的会计年度（{YEAR} 年及以前），不能填报 {YEAR + 1} 年。" in response.content.decode()
    )


def test_enterprise_b_can_neither_see_nor_change_a_through_pages(client, world):
    _submitted(world)
    client.force_login(world["ent_b"])
    url = reverse("enterprises:annual_edit", args=[world["org_a"].pk, YEAR])
    seen = client.get(url)
    assert (seen.status_code, seen.context["reason"]) == (403, "您无权查看该企业的信息。")
    changed = client.post(url, _post(figures(main_revenue=1), version=1, action="save"))
    assert changed.status_code == 403
    assert AnnualData.objects.get().main_revenue == D("48000000.00")
    assert client.get(reverse("enterprises:annual_list")).url == reverse("enterprises:annual_mine")
    assert client.get(reverse("enterprises:annual_export")).status_code == 403
    assert "柯桥甲" not in client.get(reverse("enterprises:annual_mine")).content.decode()


def test_town_officer_reads_its_town_only_and_changes_nothing(client, world):
    _submitted(world)
    _submitted(world, org="org_b", user="ent_b")
    client.force_login(world["kq_officer"])
    url = reverse("enterprises:annual_edit", args=[world["org_a"].pk, YEAR])
    page = client.get(url)
    body = page.content.decode()
    assert (page.status_code, 'data-testid="annual-form"' in body) == (200, False)
    assert '<dd data-testid="value-main_revenue">48,000,000.00</dd>' in body
    refused = client.post(url, _post(figures(main_revenue=1), version=1, action="save"))
    assert (refused.status_code, refused.context["reason"]) == (
        403,
        "只有本企业用户或属地科技局业务人员可以填报年度数据。",
    )
    assert AnnualData.objects.get(organization=world["org_a"]).main_revenue == D("48000000.00")
    assert client.get(reverse("enterprises:annual_edit", args=[world["org_b"].pk, YEAR])).status_code == 403
    listed = client.get(reverse("enterprises:annual_list"))
    assert [row.record.organization.name for row in listed.context["page"]] == ["柯桥甲纺织有限公司"]


def test_other_county_staff_are_refused(client, world):
    _submitted(world, org="org_b", user="ent_b")
    client.force_login(world["kq_staff"])
    response = client.get(reverse("enterprises:annual_edit", args=[world["org_b"].pk, YEAR]))
    assert (response.status_code, response.context["reason"]) == (403, "您无权查看该企业的信息。")
    assert list(client.get(reverse("enterprises:annual_list")).context["page"]) == []


def test_bureau_list_filters(client, world):
    a = _submitted(world)
    b = _submitted(world, org="org_b", user="ent_b", year=YEAR - 1)
    annual_data_save(organization=world["org_a"], year=YEAR - 1, data={}, by=world["ent_a"])
    client.force_login(world["staff"])
    url = reverse("enterprises:annual_list")

    def rows(**params):
        return [(r.record.organization.name, r.record.year) for r in client.get(url, params).context["page"]]

    assert rows() == [
        ("柯桥甲纺织有限公司", YEAR),
        ("柯桥甲纺织有限公司", YEAR - 1),
        ("诸暨乙机械有限公司", YEAR - 1),
    ]
    assert rows(year=YEAR - 1, status="submitted") == [("诸暨乙机械有限公司", YEAR - 1)]
    assert rows(region="330681") == [("诸暨乙机械有限公司", YEAR - 1)]
    assert rows(q="柯桥甲", year=YEAR) == [("柯桥甲纺织有限公司", YEAR)]
    assert rows(q=world["org_b"].credit_code.lower()) == [("诸暨乙机械有限公司", YEAR - 1)]
    assert rows(industry="C", status="draft") == [("柯桥甲纺织有限公司", YEAR - 1)]
    world["org_b"].tech_field = "new_materials"
    world["org_b"].save()
    assert rows(tech_field="new_materials") == [("诸暨乙机械有限公司", YEAR - 1)]
    assert a.pk and b.pk


def test_bureau_list_queries_do_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client.force_login(world["staff"])
    url = reverse("enterprises:annual_list")
    client.get(url)  # the user's region codes and the region choices are cached per process after this
    for n in range(25):
        org = OrganizationFactory(region=region("330603L01" if n % 2 else "330681L01"))
        AnnualData.objects.create(organization=org, year=YEAR, **figures())
    # Session, user, the page's rows (organization and region joined), one COUNT for the full first page.
    with django_assert_max_num_queries(4):
        response = client.get(url, {"year": YEAR})
    assert len(response.context["page"].object_list) == 20
    with django_assert_max_num_queries(4):
        assert client.get(url, {"year": YEAR, "page": 2}).status_code == 200


def test_export_of_the_filtered_list(client, world):
    _submitted(world)
    _submitted(world, org="org_b", user="ent_b", hnte_rd_other=D("12.5"), led_standard=True)
    annual_data_save(organization=world["org_a"], year=YEAR - 1, data={}, by=world["ent_a"])
    client.force_login(world["staff"])
    response = client.get(reverse("enterprises:annual_export"), {"year": YEAR})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:8] == (
        "企业名称",
        "统一社会信用代码",
        "属地",
        "行业门类",
        "高新技术领域",
        "年度",
        "状态",
        "提交时间",
    )
    assert header[-3:] == ("销售收入", "研发费用合计（高企口径）", "研发费用占销售收入比例（%）")
    assert len(header) == 8 + len(EDITABLE_FIELDS) + 3
    assert len(rows) == 3
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    b = by_name["诸暨乙机械有限公司"]
    assert (b["统一社会信用代码"], b["属地"], b["年度"], b["状态"]) == (
        world["org_b"].credit_code,
        "暨阳街道",
        YEAR,
        "已提交",
    )
    assert (
        b["主营业务收入"],
        b["科技人员数"],
        b["高企口径：其他费用"],
        b["近五年主导制定国际、国家或行业标准"],
    ) == (
        48000000,
        18,
        12.5,
        "是",
    )
    assert (b["销售收入"], b["研发费用合计（高企口径）"], b["研发费用占销售收入比例（%）"]) == (
        49000000,
        2600012.5,
        5.31,
    )
    a = by_name["柯桥甲纺织有限公司"]
    assert (a["属地"], a["发明专利"], a["近五年主导制定国际、国家或行业标准"]) == ("柯桥街道", 2, "否")


# -------------------------------------------------------------------------------------------------- API


def _api(client, user):
    _, raw = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _send(client, method, url, payload):
    return getattr(client, method)(url, json.dumps(payload, default=str), content_type="application/json")


def test_enterprise_enters_and_corrects_its_year_over_the_api(client, world):
    api = _api(client, world["ent_a"])
    payload = {"organization_id": world["org_a"].pk, "year": YEAR, "submit": True, **figures()}
    created = _send(api, "post", "/api/enterprises/annual", payload)
    assert created.status_code == 201
    body = created.json()
    assert (
        body["status"],
        body["version"],
        body["main_revenue"],
        body["sales_revenue"],
        body["rd_ratio"],
    ) == (
        "submitted",
        1,
        "48000000.00",
        "49000000.00",
        "5.31",
    )
    again = _send(api, "post", "/api/enterprises/annual", payload)
    assert (again.status_code, again.json()["detail"]) == (
        409,
        f"{YEAR} 年度的数据已由他人填报，请刷新后在其基础上修改。",
    )
    url = f"/api/enterprises/annual/{body['id']}"
    patched = _send(api, "patch", url, {"version": 1, "ip_design": 4})
    assert (patched.json()["ip_design"], patched.json()["ip_invention"], patched.json()["version"]) == (
        4,
        2,
        2,
    )
    stale = _send(api, "patch", url, {"version": 1, "ip_design": 5})
    assert (stale.status_code, stale.json()["detail"]) == (409, "该记录已被他人修改，请刷新后重新编辑。")
    replaced = _send(api, "put", url, {"version": 2, **figures(ip_invention=1)})
    assert (replaced.json()["ip_design"], replaced.json()["ip_invention"]) == (0, 1)
    invalid = _send(api, "patch", url, {"version": 3, "st_staff": "500"})
    assert (invalid.status_code, invalid.json()) == (
        400,
        {"detail": "科技人员数不能超过职工总数。", "field": "st_staff"},
    )


def test_api_permissions_match_the_pages(client, world):
    a = _submitted(world)
    b = _submitted(world, org="org_b", user="ent_b")
    api = _api(client, world["ent_b"])
    assert [i["id"] for i in api.get("/api/enterprises/annual").json()["items"]] == [b.pk]
    assert api.get(f"/api/enterprises/annual/{a.pk}").status_code == 403
    assert (
        _send(api, "patch", f"/api/enterprises/annual/{a.pk}", {"version": 1, "ip_design": 9}).status_code
        == 403
    )
    created = _send(
        api, "post", "/api/enterprises/annual", {"organization_id": world["org_a"].pk, "year": YEAR - 1}
    )
    assert created.status_code == 403
    officer = _api(client, world["kq_officer"])
    assert officer.get("/api/enterprises/annual").json() == {
        "items": [officer.get(f"/api/enterprises/annual/{a.pk}").json()],
        "count": 1,
    }
    refused = _send(officer, "patch", f"/api/enterprises/annual/{a.pk}", {"version": 1, "ip_design": 9})
    assert refused.status_code == 403
    assert AnnualData.objects.get(pk=a.pk).ip_design == 0


def test_api_list_uses_the_page_filters(client, world):
    _submitted(world)
    b = _submitted(world, org="org_b", user="ent_b", year=YEAR - 1)
    api = _api(client, world["staff"])
    body = api.get("/api/enterprises/annual", {"year": YEAR - 1, "region": "330681"}).json()
    assert ([i["id"] for i in body["items"]], body["count"]) == ([b.pk], 1)
    assert body["items"][0]["organization_name"] == "诸暨乙机械有限公司"
    bad = api.get("/api/enterprises/annual", {"status": "unknown"})
    assert bad.status_code == 400
    paths = api.get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/enterprises/annual"]) == {"get", "post"}
    assert set(paths["/api/enterprises/annual/{pk}"]) == {"get", "put", "patch"}
    assert set(paths["/api/enterprises/annual/{pk}/submission"]) == {"post"}


# ------------------------------------------------------------------------------------------------ panel


def test_panel_for_the_enterprise_page(world):
    for year in (YEAR, YEAR - 1, YEAR - 2, YEAR - 3):
        _submitted(world, year=year)
    own = panel(user=world["ent_a"], organization=world["org_a"])
    assert [row.record.year for row in own["rows"]] == [YEAR, YEAR - 1, YEAR - 2]
    assert (own["visible"], own["more"], own["can_edit"]) == (True, True, True)
    assert own["entry_url"] == reverse("enterprises:annual_edit", args=[world["org_a"].pk, YEAR])
    assert own["list_url"] == reverse("enterprises:annual_mine")
    html = render_to_string("enterprises/annual/_panel.html", {"annual": own})
    assert html.count('data-testid="annual-year-') == 3
    officer = panel(user=world["kq_officer"], organization=world["org_a"])
    assert (officer["can_edit"], officer["entry_url"]) == (False, None)
    assert officer["list_url"] == reverse("enterprises:annual_list") + f"?q={world['org_a'].credit_code}"
    assert panel(user=world["ent_b"], organization=world["org_a"]) is None
    assert render_to_string("enterprises/annual/_panel.html", {"annual": None}).strip() == ""

"""The enterprise list (企业库): who may see it, every filter, the row contents, the export and the API."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.enterprises import enterprise_list_views
from kechuang.enterprises.models import AnnualData, AssessmentResult, ReserveEntry
from kechuang.organizations.models import Qualification

from ..factories import OrganizationFactory, credit_code, region

pytestmark = pytest.mark.django_db

LIST = "/enterprises/"
EXPORT = "/enterprises/export/"
COUNT = "/enterprises/count/"


def today():
    return timezone.localdate()


def qualify(org, kind, *, start_days_ago=100, valid_days=1000, revoked_days_ago=None, level="national"):
    start = today() - timedelta(days=start_days_ago)
    return Qualification.objects.create(
        organization=org,
        kind=kind,
        level=level,
        valid_from=start,
        valid_until=start + timedelta(days=valid_days),
        revoked_on=None if revoked_days_ago is None else today() - timedelta(days=revoked_days_ago),
    )


def annual(org, year, *, sales, rd=0, status="submitted", other=0):
    """A year of figures: `sales` yuan of 销售收入 (other_revenue `other` of it), `rd` yuan of 高企口径 R&D."""
    return AnnualData.objects.create(
        organization=org,
        year=year,
        status=status,
        main_revenue=Decimal(sales - other),
        other_revenue=Decimal(other),
        hnte_rd_personnel=Decimal(rd) * Decimal("0.6"),
        hnte_rd_direct=Decimal(rd) * Decimal("0.4"),
    )


def names(response) -> list[str]:
    return [org.name for org in response.context["page"]]


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return names(response)


@pytest.fixture
def admin(client, world):
    client.force_login(world["admin"])
    return client


# -- who may see it -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "staff", "leader", "kq_staff", "kq_officer", "zj_officer"])
def test_region_roles_see_the_list(client, world, who):
    client.force_login(world[who])
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("who", ["ent_a", "institution", "provider", "expert", "broker"])
def test_enterprise_and_other_users_are_refused_with_the_reason(client, world, who):
    client.force_login(world[who])
    for url in (LIST, COUNT, EXPORT):
        response = client.get(url)
        assert response.status_code == 403
        assert response.context["reason"] == (
            "企业库仅供科技局和属地科技干部使用；企业用户请在本企业页面查看自己的信息。"
        )


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_each_user_sees_the_enterprises_of_their_region_only(client, world):
    OrganizationFactory(name="柯桥丙印染有限公司", region=region("330603L02"))
    OrganizationFactory(kind="institution", name="柯桥丁研究院", region=region("330603L01"))
    expected = {
        "admin": ["柯桥丙印染有限公司", "柯桥甲纺织有限公司", "诸暨乙机械有限公司"],
        "kq_staff": ["柯桥丙印染有限公司", "柯桥甲纺织有限公司"],
        "kq_officer": ["柯桥甲纺织有限公司"],
        "zj_officer": ["诸暨乙机械有限公司"],
    }
    for who, wanted in expected.items():
        client.force_login(world[who])
        assert listed(client) == wanted, who


# -- filters --------------------------------------------------------------------------------------------------


def test_search_by_name_or_credit_code_reuses_the_organization_search(admin, world):
    assert listed(admin, q="纺织") == ["柯桥甲纺织有限公司"]
    assert listed(admin, q=world["org_b"].credit_code.lower()) == ["诸暨乙机械有限公司"]


def test_region_filter_includes_the_towns_below(admin, world):
    OrganizationFactory(name="柯桥丙印染有限公司", region=region("330603"))
    assert listed(admin, region="330603") == ["柯桥丙印染有限公司", "柯桥甲纺织有限公司"]
    assert listed(admin, region="330603L01") == ["柯桥甲纺织有限公司"]


def test_industry_tech_field_and_size(admin, world):
    OrganizationFactory(
        name="越城丙软件有限公司", industry="I", tech_field="electronic_information", size="small"
    )
    assert listed(admin, industry="I") == ["越城丙软件有限公司"]
    assert listed(admin, tech_field="electronic_information", size="small") == ["越城丙软件有限公司"]


def test_tier_filter_uses_the_stored_tier(admin, world):
    world["org_a"].tier = "hnte"
    world["org_a"].save()
    assert listed(admin, tier="hnte") == ["柯桥甲纺织有限公司"]
    assert listed(admin, tier="none") == ["诸暨乙机械有限公司"]


def test_qualification_filter_counts_only_those_in_force_today(admin, world):
    in_force = world["org_a"]
    expired = world["org_b"]
    revoked = OrganizationFactory(name="越城丙撤销有限公司")
    future = OrganizationFactory(name="越城丁未来有限公司")
    other_kind = OrganizationFactory(name="越城戊科小有限公司")
    qualify(in_force, "hnte")
    qualify(expired, "hnte", start_days_ago=1200, valid_days=1095)
    qualify(revoked, "hnte", revoked_days_ago=1)
    qualify(future, "hnte", start_days_ago=-10)
    qualify(other_kind, "tsme")
    assert listed(admin, qualification="hnte") == ["柯桥甲纺织有限公司"]
    assert listed(admin, qualification="tsme") == ["越城戊科小有限公司"]


def test_expiring_within_a_window_alone_and_for_one_kind(admin, world):
    soon = world["org_a"]
    later = world["org_b"]
    tsme_soon = OrganizationFactory(name="越城丙科小有限公司")
    qualify(soon, "hnte", start_days_ago=1000, valid_days=1060)  # 60 days left
    qualify(later, "hnte", start_days_ago=100, valid_days=1000)  # 900 days left
    qualify(tsme_soon, "tsme", start_days_ago=300, valid_days=320)  # 20 days left
    assert listed(admin, expiring="90") == ["柯桥甲纺织有限公司", "越城丙科小有限公司"]
    assert listed(admin, expiring="30") == ["越城丙科小有限公司"]
    assert listed(admin, expiring="90", qualification="hnte") == ["柯桥甲纺织有限公司"]
    assert listed(admin, expiring="30", qualification="hnte") == []


def test_reserve_filters_by_year_and_status_and_the_pool_leaves_out_removed(admin, world):
    year = today().year + 1
    cultivating = world["org_a"]
    removed = world["org_b"]
    earlier = OrganizationFactory(name="越城丙后备有限公司")
    ReserveEntry.objects.create(organization=cultivating, kind="hnte", target_year=year, status="cultivating")
    ReserveEntry.objects.create(organization=removed, kind="hnte", target_year=year, status="removed")
    ReserveEntry.objects.create(organization=earlier, kind="tsme", target_year=year - 1, status="proposed")
    assert listed(admin, reserve_year=str(year)) == ["柯桥甲纺织有限公司"]
    assert listed(admin, reserve_status="pool") == ["柯桥甲纺织有限公司", "越城丙后备有限公司"]
    assert listed(admin, reserve_status="removed") == ["诸暨乙机械有限公司"]
    assert listed(admin, reserve_year=str(year), reserve_status="removed") == ["诸暨乙机械有限公司"]
    assert listed(admin, reserve_year=str(year - 1), reserve_status="cultivating") == []


def test_data_year_needs_submitted_data(admin, world):
    year = today().year - 1
    annual(world["org_a"], year, sales=1_000_000)
    annual(world["org_b"], year, sales=1_000_000, status="draft")
    assert listed(admin, data_year=str(year)) == ["柯桥甲纺织有限公司"]


def test_revenue_band_is_judged_on_last_year_or_the_chosen_data_year_with_the_rules_boundaries(admin, world):
    year = today().year - 1
    small_now = world["org_a"]  # big two years ago, small last year
    annual(small_now, year - 1, sales=300_000_000)
    annual(small_now, year, sales=8_000_000)
    boundary = world["org_b"]  # exactly 5,000万 is in the band up to 5,000万（含）
    annual(boundary, year, sales=50_000_000, other=2_000_000)
    draft = OrganizationFactory(name="越城丙草稿有限公司")  # last year only a draft: no band for last year
    annual(draft, year - 1, sales=60_000_000)
    annual(draft, year, sales=1_000_000, status="draft")
    OrganizationFactory(name="越城丁无数据有限公司")
    assert listed(admin, revenue="lt10m") == ["柯桥甲纺织有限公司"]
    assert listed(admin, revenue="10m_50m") == ["诸暨乙机械有限公司"]
    assert listed(admin, revenue="50m_200m") == []
    assert listed(admin, revenue="gt200m") == []
    earlier = str(year - 1)
    assert listed(admin, revenue="50m_200m", data_year=earlier) == ["越城丙草稿有限公司"]
    assert listed(admin, revenue="gt200m", data_year=earlier) == ["柯桥甲纺织有限公司"]


def test_rows_show_the_chosen_data_year(admin, world):
    year = today().year - 1
    annual(world["org_a"], year - 1, sales=300_000_000)
    annual(world["org_a"], year, sales=8_000_000)
    [latest] = admin.get(LIST, {"q": "柯桥甲"}).context["page"]
    [chosen] = admin.get(LIST, {"q": "柯桥甲", "data_year": str(year - 1)}).context["page"]
    assert (latest.latest_year, latest.sales_wan) == (year, Decimal("800.00"))
    assert (chosen.latest_year, chosen.sales_wan) == (year - 1, Decimal("30000.00"))


def test_rd_ratio_band_of_last_year(admin, world):
    year = today().year - 1
    annual(world["org_a"], year, sales=10_000_000, rd=400_000)  # exactly 4 %: in [4 %, 5 %)
    annual(world["org_b"], year, sales=10_000_000, rd=399_999)
    zero_sales = OrganizationFactory(name="越城丙零收入有限公司")
    annual(zero_sales, year, sales=0, rd=10_000)
    assert listed(admin, rd_ratio="4_5") == ["柯桥甲纺织有限公司"]
    assert listed(admin, rd_ratio="3_4") == ["诸暨乙机械有限公司"]
    assert listed(admin, rd_ratio="ge6") == []


def test_assessment_outcomes(admin, world):
    def assess(org, kind, eligible, failed=0):
        AssessmentResult.objects.create(
            organization=org,
            kind=kind,
            assessed_on=today(),
            data_year=today().year - 1,
            ruleset="test",
            eligible=eligible,
            failed=failed,
        )

    third = OrganizationFactory(name="越城丙自评有限公司")
    fourth = OrganizationFactory(name="越城丁自评有限公司")
    assess(world["org_a"], "hnte", True)
    assess(world["org_b"], "hnte", False, failed=1)
    assess(third, "hnte", False, failed=3)
    assess(fourth, "hnte", None)
    assess(fourth, "tsme", True)
    assert listed(admin, assessment="hnte:eligible") == ["柯桥甲纺织有限公司"]
    assert listed(admin, assessment="hnte:near") == ["诸暨乙机械有限公司"]
    assert listed(admin, assessment="hnte:ineligible") == ["诸暨乙机械有限公司", "越城丙自评有限公司"]
    assert listed(admin, assessment="hnte:undetermined") == ["越城丁自评有限公司"]
    assert listed(admin, assessment="tsme:eligible") == ["越城丁自评有限公司"]


def test_filters_combine(admin, world):
    year = today().year - 1
    qualify(world["org_a"], "hnte")
    qualify(world["org_b"], "hnte")
    annual(world["org_a"], year, sales=80_000_000)
    annual(world["org_b"], year, sales=8_000_000)
    assert listed(admin, qualification="hnte", revenue="50m_200m", region="330603") == ["柯桥甲纺织有限公司"]


def test_a_region_outside_the_users_scope_is_refused_by_the_form(client, world):
    client.force_login(world["kq_officer"])
    response = client.get(LIST, {"region": "330681"})
    assert response.context["filter"].errors["region"] == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    assert names(response) == ["柯桥甲纺织有限公司"]


# -- rows -----------------------------------------------------------------------------------------------------


def test_a_row_shows_tier_qualifications_latest_figures_and_reserve(admin, world):
    org = world["org_a"]
    org.tier = "hnte"
    org.tech_field = "new_materials"
    org.save()
    qualify(org, "hnte")
    qualify(org, "tsme")
    qualify(org, "patent_demo", start_days_ago=2000, valid_days=100)  # expired: not shown
    year = today().year - 1
    annual(org, year - 1, sales=10_000_000, rd=100_000)
    annual(org, year, sales=12_345_678, rd=617_284)
    ReserveEntry.objects.create(organization=org, kind="hnte", target_year=year + 2, status="cultivating")
    response = admin.get(LIST, {"q": "柯桥甲"})
    [row] = response.context["page"]
    assert row.qualification_labels == ["科技型中小企业", "高新技术企业"]
    assert (row.latest_year, row.sales_wan, row.rd_percent) == (year, Decimal("1234.57"), Decimal("5.00"))
    assert [str(mark) for mark in row.reserve] == [f"{year + 2}·高企·培育中"]
    body = response.content.decode()
    detail = reverse(response.context["detail_url"], args=[org.pk])
    assert f'<a href="{detail}">柯桥甲纺织有限公司</a>' in body
    assert "<td>新材料</td>" in body and "<td>高新技术企业</td>" in body
    assert "<td>科技型中小企业、高新技术企业</td>" in body
    assert f"1234.57 <small>({year})</small>" in body and "5.00%" in body


def test_the_name_links_to_the_enterprise_page_once_it_exists(admin, world):
    try:
        reverse("enterprises:detail", args=[1])
        expected = "enterprises:detail"
    except NoReverseMatch:
        expected = "organizations:detail"
    assert admin.get(LIST).context["detail_url"] == expected


def test_htmx_requests_get_the_rows_only(admin, world):
    response = admin.get(LIST, {"q": "诸暨"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<form" not in body
    assert names(response) == ["诸暨乙机械有限公司"]
    assert f'href="{EXPORT}?q=%E8%AF%B8%E6%9A%A8"' in body


def test_the_page_needs_the_same_queries_for_two_rows_as_for_twenty(
    admin, world, django_assert_max_num_queries
):
    year = today().year - 1

    def fill(count):
        for i in range(count):
            org = OrganizationFactory(
                name=f"越城批量{i:02d}有限公司", credit_code=credit_code(5000 + i, "330602")
            )
            qualify(org, "hnte")
            annual(org, year, sales=10_000_000 + i, rd=500_000)
            ReserveEntry.objects.create(organization=org, kind="hnte", target_year=year + 2)

    fill(2)
    admin.get(LIST)  # the region codes and choices are read once per process, then cached
    # Session, user, the page's ids, its rows, qualifications, annual data, reserve (a first page that is not full
    # needs no COUNT). On PostgreSQL the ids are read with parallel workers off: SET LOCAL in a transaction of
    # its own (BEGIN and COMMIT, or a savepoint inside a test's transaction).
    extra = 3 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(7 + extra):
        assert len(admin.get(LIST, {"q": "批量"}).context["page"]) == 2
    fill_more = 25
    for i in range(2, fill_more):
        org = OrganizationFactory(
            name=f"越城批量{i:02d}有限公司", credit_code=credit_code(5000 + i, "330602")
        )
        qualify(org, "hnte")
        annual(org, year, sales=10_000_000 + i, rd=500_000)
    # A full first page does not wait for the COUNT: the same queries, whatever the page size.
    with django_assert_max_num_queries(7 + extra):
        response = admin.get(LIST, {"q": "批量"})
    assert len(response.context["page"]) == 20
    assert response.context["page"].count_deferred is True
    # The second page counts (to number the pages): one more.
    with django_assert_max_num_queries(8 + extra):
        response = admin.get(LIST, {"q": "批量", "page": "2"})
    assert [len(response.context["page"]), response.context["page"].paginator.count] == [5, fill_more]


def test_a_full_first_page_asks_for_its_count_afterwards(admin, world):
    for i in range(21):
        OrganizationFactory(name=f"越城计数{i:02d}有限公司", credit_code=credit_code(6000 + i, "330602"))
    body = admin.get(LIST, {"q": "计数", "page": "1"}).content.decode()
    assert 'hx-get="/enterprises/count/?q=%E8%AE%A1%E6%95%B0" hx-trigger="load"' in body
    assert '<a href="?q=%E8%AE%A1%E6%95%B0&page=2">下一页</a>' in body
    response = admin.get(COUNT, {"q": "计数"})
    assert (
        response.content.decode().strip()
        == '<p class="count" data-testid="result-count">共 21 家企业，2 页</p>'
    )


def test_a_short_first_page_shows_its_count_at_once(admin, world):
    body = admin.get(LIST).content.decode()
    assert '<p class="count" data-testid="result-count">共 2 家企业</p>' in body
    assert 'hx-trigger="load"' not in body


# -- export ---------------------------------------------------------------------------------------------------


def _sheet(response):
    body = b"".join(response.streaming_content)
    return [
        list(row) for row in load_workbook(BytesIO(body), read_only=True).active.iter_rows(values_only=True)
    ]


def test_export_has_every_filtered_row(admin, world):
    year = today().year - 1
    qualify(world["org_a"], "hnte")
    annual(world["org_a"], year, sales=12_345_678, rd=617_284)
    ReserveEntry.objects.create(
        organization=world["org_a"], kind="tsme", target_year=year + 2, status="proposed"
    )
    response = admin.get(EXPORT, {"region": "330603"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0] == [
        "企业名称",
        "统一社会信用代码",
        "属地",
        "行业门类",
        "高新技术领域",
        "规模",
        "培育梯度",
        "有效资质",
        "数据年度",
        "销售收入（万元）",
        "研发费用占比（%）",
        "后备库",
    ]
    assert rows[1:] == [
        [
            "柯桥甲纺织有限公司",
            world["org_a"].credit_code,
            "柯桥街道",
            "制造业",
            None,  # no tech field, no size: empty cells
            None,
            "一般企业",
            "高新技术企业",
            year,
            1234.57,
            5,
            f"{year + 2}·科小·系统推荐",
        ]
    ]


def test_export_crosses_chunks(admin, world, monkeypatch):
    from kechuang.enterprises import enterprise_list

    monkeypatch.setattr(enterprise_list, "EXPORT_CHUNK", 2)
    for i in range(3):
        OrganizationFactory(name=f"越城导出{i}有限公司", credit_code=credit_code(7000 + i, "330602"))
    rows = _sheet(admin.get(EXPORT, {"q": "导出"}))
    assert [r[0] for r in rows[1:]] == ["越城导出0有限公司", "越城导出1有限公司", "越城导出2有限公司"]


def test_export_over_the_limit_is_refused_with_a_clear_message(admin, world, monkeypatch):
    monkeypatch.setattr(enterprise_list_views, "EXPORT_LIMIT", 1)
    response = admin.get(EXPORT, {"industry": "C", "page": "2"}, follow=True)
    assert response.redirect_chain == [(f"{LIST}?industry=C", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "符合条件的企业共 2 家，超过导出上限 1 家，请增加筛选条件后再导出。"
    ]


# -- API ------------------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return "/api/enterprises"


def test_api_lists_the_same_rows_with_the_same_filters(admin, world, api):
    year = today().year - 1
    qualify(world["org_a"], "hnte")
    annual(world["org_a"], year, sales=80_000_000, rd=4_000_000)
    qualify(world["org_b"], "tsme")
    body = admin.get(api, {"qualification": "hnte"}).json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item == {
        "id": world["org_a"].pk,
        "name": "柯桥甲纺织有限公司",
        "credit_code": world["org_a"].credit_code,
        "region_code": "330603L01",
        "region_name": "柯桥街道",
        "industry": "C",
        "tech_field": "",
        "size": "",
        "tier": "none",
        "qualifications": ["hnte"],
        "latest_year": year,
        "sales_revenue": "80000000.00",
        "rd_ratio": "0.0500",
        "reserve": [],
    }
    assert [i["name"] for i in admin.get(api).json()["items"]] == listed(admin)


def test_api_refuses_enterprise_users_and_bad_filter_values(client, world, api):
    client.force_login(world["ent_a"])
    assert client.get(api).status_code == 403
    client.force_login(world["admin"])
    response = client.get(api, {"revenue": "huge"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("筛选条件不正确：revenue:")


@pytest.mark.parametrize(
    "params",
    [{}, {"region": "330603", "tier": "hnte"}, {"assessment": "tsme:near", "expiring": "90", "q": "<x>"}],
)
def test_the_filter_form_renders_as_the_fast_selects_would(rf, world, params):
    """The list's selects keep their options rendered; the HTML is the same as core.widgets.FastSelect's."""
    from kechuang.core.widgets import FastSelect
    from kechuang.enterprises.filters import EnterpriseFilter
    from kechuang.enterprises.selectors import enterprises_visible_to

    request = rf.get(LIST, params)
    request.user = world["admin"]

    def form_html(filterset):
        return "".join(str(field) for field in filterset.form)

    for _ in range(2):  # rendered, then from the cache
        filterset = EnterpriseFilter(
            request.GET, queryset=enterprises_visible_to(user=world["admin"]), request=request
        )
        ours = form_html(filterset)
        for name in ("region", "tier", "assessment", "expiring"):
            if name in params:
                assert f'<option value="{params[name]}" selected>' in ours
        for field in filterset.form.fields.values():
            if isinstance(field.widget, FastSelect):
                plain = FastSelect(attrs=field.widget.attrs)
                plain.choices = field.widget.choices
                field.widget = plain
        assert ours == form_html(filterset)


def test_api_page_past_the_end_is_empty(admin, world, api):
    body = admin.get(api, {"page": 5}).json()
    assert (body["count"], body["items"]) == (2, [])


@pytest.mark.postgresql
def test_the_band_expressions_are_those_of_the_indexes_of_migration_0002(db):
    """filters.sales_revenue / rd_ratio and the indexes must stay the very same expressions: PostgreSQL reads
    rows in the order of an expression from its index only when the expressions match."""
    from kechuang.enterprises.filters import rd_ratio, sales_revenue

    for expression, index in (
        (sales_revenue(), "enterprise_list_annual_sales"),
        (rd_ratio(), "enterprise_list_annual_rd_ratio"),
    ):
        sql, params = AnnualData.objects.order_by("year", expression).values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            for plan_kind in ("seqscan", "sort", "incremental_sort"):
                cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"Index Scan using {index}" in plan, plan

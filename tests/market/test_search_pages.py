"""The search page (market:search) and GET /api/market/search: the same parameters, the same results."""

import pytest
from django.urls import reverse

from .search_helpers import make_listing

pytestmark = pytest.mark.django_db

PAGE = "/market/search/"
API = "/api/market/search"


def hit_ids(response) -> list[int]:
    return [hit.listing.pk for hit in response.context["result"].hits]


def test_the_url_names():
    assert reverse("market:search") == PAGE


def test_anyone_may_search_and_sees_highlighted_results(client):
    make_listing("印染废水深度处理技术", "采用臭氧催化氧化处理<印染废水>。")
    make_listing("数控机床误差补偿", "提高加工精度。")
    response = client.get(PAGE, {"q": "印染废水"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<mark>印染废水</mark>深度处理技术" in body
    assert "&lt;<mark>印染废水</mark>&gt;" in body
    assert "找到 1 条与“印染废水”相关的供需信息" in body
    assert "数控机床" not in body
    assert "13800000000" not in body  # contact details are never part of a result
    assert 'id="results"' in body and "<html" in body


def test_an_htmx_request_gets_only_the_results(client):
    make_listing("工业机器人视觉引导")
    response = client.get(PAGE, {"q": "机器人"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'data-testid="search-hit"' in body


def test_no_results_say_so_in_chinese_with_a_way_back(client):
    make_listing("碳纤维复合材料")
    body = client.get(PAGE, {"q": "量子计算", "kind": "demand"}).content.decode()
    assert "没有找到与“量子计算”相关的供需信息。" in body
    assert 'data-testid="clear-filters" href="/market/search/?q=%E9%87%8F%E5%AD%90%E8%AE%A1%E7%AE%97"' in body
    assert 'data-testid="search-reset" href="/market/search/"' in body


def test_wrong_parameters_are_explained(client):
    response = client.get(PAGE, {"q": "膜", "maturity_min": "12", "price_min": "9", "price_max": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="search-errors"' in body
    assert "成熟度不低于：" in body and "价格下限不能高于上限。" in body


def test_filters_and_pages_of_the_page(client):
    for i in range(23):
        make_listing(f"第{i:02d}项伺服电机成果", published_days_ago=i, region_code="330603L01")
    make_listing("诸暨伺服电机成果", region_code="330681L01", published_days_ago=50)
    first = client.get(PAGE, {"q": "伺服电机", "region": "330603"})
    assert first.context["result"].total == 23 and len(hit_ids(first)) == 20
    body = first.content.decode()
    assert "第 1 / 2 页" in body
    assert 'href="?q=%E4%BC%BA%E6%9C%8D%E7%94%B5%E6%9C%BA&amp;region=330603&amp;page=2"' in body
    second = client.get(PAGE, {"q": "伺服电机", "region": "330603", "page": "2"})
    assert len(hit_ids(second)) == 3 and not set(hit_ids(first)) & set(hit_ids(second))
    # A page past the end shows the last one.
    assert hit_ids(client.get(PAGE, {"q": "伺服电机", "region": "330603", "page": "7"})) == hit_ids(second)


def test_the_page_reads_a_constant_number_of_queries(client, django_assert_max_num_queries):
    from kechuang.market import search as search_module

    for i in range(3):
        make_listing(f"注塑模具成果{i}")
    client.get(PAGE, {"q": "注塑"})  # the index is built, the region choices are cached
    with django_assert_max_num_queries(2):  # the page's listings with their region and organization
        assert len(hit_ids(client.get(PAGE, {"q": "注塑"}))) == 3
    for i in range(3, 30):
        make_listing(f"注塑模具成果{i}")
    search_module.reset()
    client.get(PAGE, {"q": "注塑"})
    with django_assert_max_num_queries(2):
        assert len(hit_ids(client.get(PAGE, {"q": "注塑"}))) == 20
    with django_assert_max_num_queries(2):
        assert len(hit_ids(client.get(PAGE, {"q": "", "page": "2"}))) == 10


def test_a_logged_in_owner_does_not_find_its_own_draft(client, world):
    make_listing("本单位草稿稀土永磁", state="draft", organization=world["org_a"])
    client.force_login(world["ent_a"])
    assert hit_ids(client.get(PAGE, {"q": "稀土永磁"})) == []
    assert client.get(API, {"q": "稀土永磁"}).json()["count"] == 0


# -- API -----------------------------------------------------------------------------------------------


def test_the_api_returns_the_page_s_results(client):
    demand = make_listing(
        "寻求印染废水处理技术",
        "我公司印染废水COD高。",
        kind="demand",
        cooperation="commissioned",
        budget_min=100000,
        budget_max=500000,
        tech_field="resources_environment",
        region_code="330603L01",
    )
    make_listing("印染废水膜处理成果", maturity=6, price=300000, region_code="330681L01")
    params = {"q": "印染废水", "kind": "demand", "region": "330603", "price_min": "200000"}
    body = client.get(API, params).json()
    assert body["count"] == 1 and body["page"] == 1 and body["num_pages"] == 1 and body["truncated"] is False
    hit = body["results"][0]
    assert hit["id"] == demand.pk
    assert hit["title_html"] == "寻求<mark>印染废水</mark>处理技术"
    assert (hit["kind"], hit["region_code"], hit["cooperation"], hit["budget_min"]) == (
        "demand",
        "330603L01",
        "commissioned",
        "100000.00",
    )
    assert hit["url"] == f"/market/listings/{demand.pk}/"
    assert hit["score"] > 0
    page_ids = hit_ids(client.get(PAGE, params))
    assert page_ids == [r["id"] for r in body["results"]]


def test_the_api_pages_and_refuses_wrong_parameters(client):
    for i in range(5):
        make_listing(f"无人机巡检成果{i}", published_days_ago=i)
    body = client.get(API, {"q": "", "per_page": 2, "page": 3}).json()
    assert (body["count"], body["num_pages"], len(body["results"])) == (5, 3, 1)
    assert body["results"][0]["score"] is None
    wrong = client.get(API, {"maturity_min": 0})
    assert wrong.status_code == 400 and "成熟度不低于" in wrong.json()["detail"]
    assert client.get(API, {"per_page": 500}).status_code == 400
    assert client.get(API, {"region": "nowhere"}).status_code == 400
    assert client.get(API, {"page": "abc"}).status_code == 422

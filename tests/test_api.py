import json
import re

import pytest

from kechuang.organizations.models import Organization

from .factories import OrganizationFactory, credit_code, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, world):
    client.force_login(world["staff"])
    return client


def _post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_openapi_lists_the_endpoints_and_docs_use_local_assets(client):
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/regions",
        "/api/regions/{code}",
        "/api/organizations",
        "/api/organizations/{pk}",
        "/api/organizations/{pk}/verification",
    } <= set(schema["paths"])
    docs = client.get("/api/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert assets and all(a.startswith("/static/") for a in assets)


def test_regions_tree(staff_client):
    counties = staff_client.get("/api/regions", {"parent": "330600"}).json()
    assert [(r["code"], r["name"]) for r in counties] == [
        ("330602", "越城区"),
        ("330603", "柯桥区"),
        ("330604", "上虞区"),
        ("330624", "新昌县"),
        ("330681", "诸暨市"),
        ("330683", "嵊州市"),
    ]
    town = staff_client.get("/api/regions/330603L01").json()
    assert town == {
        "code": "330603L01",
        "name": "柯桥街道",
        "level": "town",
        "parent_code": "330603",
        "is_local_code": True,
    }


def test_list_uses_the_same_filters_as_the_page(staff_client, world):
    OrganizationFactory(kind="institution", name="绍兴接口研究院", region=region("330602L01"))
    body = staff_client.get("/api/organizations", {"kind": "institution"}).json()
    assert [i["name"] for i in body["items"]] == ["绍兴接口研究院", "绍兴测试研究院"]
    by_region = staff_client.get("/api/organizations", {"region": "330681"}).json()
    assert [i["name"] for i in by_region["items"]] == ["诸暨乙机械有限公司"]
    by_code = staff_client.get("/api/organizations", {"q": world["org_a"].credit_code.lower()}).json()
    assert [i["name"] for i in by_code["items"]] == ["柯桥甲纺织有限公司"]


def test_bad_filter_value_is_explained(staff_client):
    response = staff_client.get("/api/organizations", {"kind": "spaceship"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("筛选条件不正确：kind:")


def test_create_refuses_a_wrong_credit_code_and_changes_nothing(staff_client):
    response = _post(
        staff_client,
        "/api/organizations",
        {
            "kind": "enterprise",
            "name": "错码公司",
            "credit_code": "914403001922038217",
            "region_code": "330602",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "统一社会信用代码校验位错误：校验位应为 6，当前为 7。",
        "field": "credit_code",
    }
    assert not Organization.objects.filter(name="错码公司").exists()


def test_create_refuses_a_duplicate(staff_client, world):
    response = _post(
        staff_client,
        "/api/organizations",
        {
            "kind": "enterprise",
            "name": "重复公司",
            "credit_code": world["org_a"].credit_code,
            "region_code": "330602",
        },
    )
    assert response.status_code == 400
    assert response.json()["detail"].endswith("已登记（柯桥甲纺织有限公司），不能重复登记。")


def test_create_refuses_an_unknown_region(staff_client):
    response = _post(
        staff_client,
        "/api/organizations",
        {
            "kind": "enterprise",
            "name": "无属地公司",
            "credit_code": credit_code(4242),
            "region_code": "999999",
        },
    )
    assert (response.status_code, response.json()["detail"]) == (400, "属地代码 999999 不存在。")


def test_malformed_body_gets_a_chinese_message(staff_client):
    response = _post(staff_client, "/api/organizations", {"name": "缺字段"})
    assert response.status_code == 422
    assert response.json()["detail"] == "提交的数据格式不正确。"


def test_create_then_verify_flow_over_the_api(staff_client, world):
    created = _post(
        staff_client,
        "/api/organizations",
        {
            "kind": "provider",
            "name": "接口检测中心",
            "credit_code": credit_code(4343),
            "region_code": "330604L02",
            "industry": "M",
        },
    )
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["region_name"]) == ("verified", "曹娥街道")
    pending = OrganizationFactory(status="pending", region=region("330604L02"))
    verified = _post(staff_client, f"/api/organizations/{pending.pk}/verification", {"approve": True})
    assert verified.json()["status"] == "verified"
    again = _post(staff_client, f"/api/organizations/{pending.pk}/verification", {"approve": True})
    assert (again.status_code, again.json()["detail"]) == (403, "该单位不在待核验状态。")


def test_session_auth_needs_csrf_for_writes(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["staff"])
    response = _post(
        client,
        "/api/organizations",
        {
            "kind": "enterprise",
            "name": "无令牌公司",
            "credit_code": credit_code(4444),
            "region_code": "330602",
        },
    )
    assert response.status_code in (401, 403)
    assert not Organization.objects.filter(name="无令牌公司").exists()

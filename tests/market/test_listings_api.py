"""The listings API (/api/market): the same services and permissions as the pages, 409 on a stale version, and
contact details only in a detail the caller may see."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.market.enums import ListingState
from kechuang.market.listings import listing_submit
from kechuang.market.models import Listing

from .test_listings import demand_data, make_demand, published

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CONTACT_KEYS = {"contact_name", "contact_phone", "contact_email", "contacts"}


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}, default=str), content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, json.dumps(body, default=str), content_type="application/json")


def test_a_demand_goes_from_draft_to_the_market_through_the_api(client, world):
    client.force_login(world["ent_a"])
    response = _post(client, "/api/market/listings", {"kind": "demand", **demand_data()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["organization_id"], body["region_code"], body["keywords"]) == (
        "draft",
        world["org_a"].pk,
        "330603L01",
        "染色，高强纤维，印染",
    )
    assert body["actions"] == ["submit", "withdraw"]
    assert body["contacts"] == {"name": "王经理", "phone": "13800000001", "email": "wang@example.com"}
    pk, version = body["id"], body["version"]
    url = f"/api/market/listings/{pk}"
    response = _patch(client, url, {"version": version, "title": "改过的名称", "budget_max": "600000"})
    assert (response.status_code, response.json()["title"]) == (200, "改过的名称")
    response = _patch(client, url, {"version": version, "title": "用旧版本再改"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "该记录已被他人修改，请刷新后重新编辑。"},
    )
    response = _post(client, url + "/submit", {"version": version})
    assert response.status_code == 409
    response = _post(client, url + "/submit")
    assert (response.status_code, response.json()["state"]) == (200, "pending")
    response = _post(client, url + "/publish")
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有属地科技局业务人员可以审核供需信息。",
    )
    client.force_login(world["kq_staff"])
    response = _post(client, url + "/return", {"reason": ""})
    assert (response.status_code, response.json()) == (400, {"detail": "请填写理由。", "field": "reason"})
    response = _post(client, url + "/publish")
    assert (response.status_code, response.json()["state"]) == (200, "published")
    response = _post(client, url + "/publish")
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "当前状态为“已发布”，不能执行“审核发布”。",
    )
    client.force_login(world["ent_a"])
    day = TODAY + timedelta(days=300)
    response = _post(client, url + "/renew", {"expires_on": day})
    assert (response.status_code, response.json()["expires_on"]) == (200, day.isoformat())
    response = _post(client, url + "/withdraw", {"reason": "已找到合作方"})
    assert (response.status_code, response.json()["state"], response.json()["actions"]) == (
        200,
        "withdrawn",
        [],
    )


def test_validation_errors_name_the_field(client, world):
    client.force_login(world["institution"])
    response = _post(
        client,
        "/api/market/listings",
        {"kind": "achievement", **demand_data(cooperation="transfer"), "maturity": 12, "price": "10"},
    )
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "技术成熟度须为1至9级。", "field": "maturity"},
    )
    client.force_login(world["provider"])
    response = _post(client, "/api/market/listings", {"kind": "demand", **demand_data()})
    assert (response.status_code, response.json()["detail"]) == (403, "技术需求只能由企业或高校院所发布。")
    assert Listing.objects.count() == 0


def test_lists_never_carry_contacts_and_a_detail_only_when_allowed(client, world):
    live = published(world, title="已发布")
    make_demand(world, title="草稿")
    client.force_login(world["ent_b"])
    listed = client.get("/api/market/listings").json()
    assert [item["title"] for item in listed["items"]] == ["已发布"]
    assert not CONTACT_KEYS & set(listed["items"][0])
    url = f"/api/market/listings/{live.pk}"
    detail = client.get(url).json()
    assert (detail["contacts"], detail["contact_request"], detail["actions"]) == (None, None, [])
    assert "13800000001" not in json.dumps(detail, ensure_ascii=False)
    response = _post(client, url + "/contact-requests", {"message": "希望合作"})
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert client.get(url).json()["contact_request"]["status"] == "pending"
    assert client.get(url).json()["contacts"] is None
    # Only the owner decides.
    response = _post(client, f"/api/market/contact-requests/{request_id}/decide", {"grant": True})
    assert response.status_code == 404
    client.force_login(world["ent_a"])
    inbox = client.get("/api/market/contact-requests").json()
    assert [(r["id"], r["message"]) for r in inbox["items"]] == [(request_id, "希望合作")]
    response = _post(
        client, f"/api/market/contact-requests/{request_id}/decide", {"grant": True, "version": 1}
    )
    assert (response.status_code, response.json()["status"]) == (200, "granted")
    owner_list = client.get("/api/market/listings").json()
    assert all(not CONTACT_KEYS & set(item) for item in owner_list["items"])
    client.force_login(world["ent_b"])
    assert client.get(url).json()["contacts"] == {
        "name": "王经理",
        "phone": "13800000001",
        "email": "wang@example.com",
    }
    assert [r["status"] for r in client.get("/api/market/contact-requests?box=sent").json()["items"]] == [
        "granted"
    ]


def test_another_organization_cannot_see_a_draft_or_change_a_listing_through_the_api(client, world):
    draft = make_demand(world, title="草稿")
    live = published(world, title="已发布")
    client.force_login(world["ent_b"])
    assert client.get(f"/api/market/listings/{draft.pk}").status_code == 404
    response = _patch(client, f"/api/market/listings/{live.pk}", {"version": live.version, "title": "篡改"})
    assert (response.status_code, response.json()["detail"]) == (403, "您只能修改本单位的供需信息。")
    assert _post(client, f"/api/market/listings/{live.pk}/withdraw").status_code == 403
    assert _post(client, f"/api/market/listings/{draft.pk}/submit").status_code == 404
    response = _post(
        client,
        "/api/market/listings",
        {"kind": "demand", "organization_id": world["org_a"].pk, **demand_data()},
    )
    assert (response.status_code, response.json()["detail"]) == (403, "您只能为本单位发布供需信息。")
    assert Listing.objects.get(pk=live.pk).title == "已发布"
    assert client.get("/api/market/listings").status_code == 200
    client.logout()
    assert client.get("/api/market/listings").status_code == 401


def test_a_county_bureau_cannot_moderate_another_countys_listing_through_the_api(client, world):
    theirs = make_demand(world, who="ent_b")
    listing_submit(listing=theirs, by=world["ent_b"])
    client.force_login(world["kq_staff"])
    assert _post(client, f"/api/market/listings/{theirs.pk}/publish").status_code == 404
    listed = client.get("/api/market/listings", {"state": "pending"}).json()
    assert listed["items"] == []
    client.force_login(world["staff"])
    listed = client.get("/api/market/listings", {"state": "pending"}).json()
    assert [item["id"] for item in listed["items"]] == [theirs.pk]
    assert Listing.objects.get(pk=theirs.pk).state == ListingState.PENDING


def test_list_filters_are_the_pages_and_bad_values_are_refused(client, world):
    published(world, title="低预算", budget_min=None, budget_max="50000")
    published(world, title="高预算", budget_min="300000", budget_max=None)
    client.force_login(world["ent_b"])
    got = client.get("/api/market/listings", {"amount_min": 100000}).json()
    assert [item["title"] for item in got["items"]] == ["高预算"]
    got = client.get("/api/market/listings", {"amount_max": 100000, "kind": "demand"}).json()
    assert [item["title"] for item in got["items"]] == ["低预算"]
    response = client.get("/api/market/listings", {"tech_field": "cooking"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("筛选条件不正确：tech_field")


def test_the_list_counts_up_to_a_cap_and_says_when_there_are_more(client, world, monkeypatch):
    """At half a million listings an exact COUNT costs more than the page: the count stops at the cap."""
    from kechuang.core.api import CappedCountPagination

    for n in range(3):
        published(world, title=f"封顶计数{n}")
    client.force_login(world["ent_a"])
    body = client.get("/api/market/listings", {"page_size": 2}).json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (3, False, 2)
    monkeypatch.setattr(CappedCountPagination, "COUNT_CAP", 2)
    body = client.get("/api/market/listings", {"page_size": 2}).json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (2, True, 2)
    assert len(client.get("/api/market/listings", {"page_size": 2, "page": 2}).json()["items"]) == 1

"""Server-side permissions, pages and API alike: organization users are confined to their own
organization, region-scoped users to their region."""

import json

import pytest
from django.urls import reverse

from kechuang.accounts.services import api_token_create
from kechuang.organizations.models import Organization

from .factories import OrganizationFactory, region

pytestmark = pytest.mark.django_db


def _token_client(client, user):
    _, raw = api_token_create(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


# --- enterprise A vs enterprise B -------------------------------------------------------------


def test_enterprise_user_sees_only_its_own_organization_in_pages(client, world):
    client.force_login(world["ent_a"])
    assert client.get(reverse("organizations:detail", args=[world["org_a"].pk])).status_code == 200
    other = client.get(reverse("organizations:detail", args=[world["org_b"].pk]))
    assert other.status_code == 403
    assert "您无权查看该单位的信息。" in other.content.decode()
    listing = client.get(reverse("organizations:list")).content.decode()
    assert "柯桥甲纺织有限公司" in listing
    assert "诸暨乙机械有限公司" not in listing


def test_enterprise_user_cannot_change_another_organization_through_pages(client, world):
    client.force_login(world["ent_a"])
    org_b = world["org_b"]
    assert client.get(reverse("organizations:edit", args=[org_b.pk])).status_code == 403
    response = client.post(
        reverse("organizations:edit", args=[org_b.pk]),
        {
            "name": "被篡改",
            "address": "x",
            "version": org_b.version,
            "form_token": "a1",
        },
    )
    assert response.status_code == 403
    org_b.refresh_from_db()
    assert org_b.name == "诸暨乙机械有限公司"


def test_enterprise_user_cannot_read_or_change_another_organization_through_the_api(client, world):
    _token_client(client, world["ent_a"])
    org_b = world["org_b"]
    assert client.get(f"/api/organizations/{world['org_a'].pk}").status_code == 200
    read = client.get(f"/api/organizations/{org_b.pk}")
    assert (read.status_code, read.json()) == (403, {"detail": "您无权查看该单位的信息。"})
    listing = client.get("/api/organizations").json()
    assert [item["name"] for item in listing["items"]] == ["柯桥甲纺织有限公司"]
    change = client.patch(
        f"/api/organizations/{org_b.pk}",
        json.dumps({"version": 1, "name": "被篡改"}),
        content_type="application/json",
    )
    assert change.status_code == 403
    verify = client.post(
        f"/api/organizations/{org_b.pk}/verification",
        json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert verify.status_code == 403
    org_b.refresh_from_db()
    assert org_b.name == "诸暨乙机械有限公司"


def test_enterprise_admin_edits_its_own_organization_through_the_api(client, world):
    _token_client(client, world["ent_a"])
    org = world["org_a"]
    ok = client.patch(
        f"/api/organizations/{org.pk}",
        json.dumps({"version": 1, "address": "柯桥区新址8号"}),
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert (ok.json()["address"], ok.json()["version"]) == ("柯桥区新址8号", 2)
    stale = client.patch(
        f"/api/organizations/{org.pk}",
        json.dumps({"version": 1, "address": "旧"}),
        content_type="application/json",
    )
    assert (stale.status_code, stale.json()["detail"]) == (409, "该记录已被他人修改，请刷新后重新编辑。")


# --- region scoping ----------------------------------------------------------------------------


def test_town_officer_is_confined_to_the_town(client, world):
    elsewhere_in_county = OrganizationFactory(name="柯桥另一镇公司", region=region("330603L02"))
    client.force_login(world["kq_officer"])
    listing = client.get(reverse("organizations:list")).content.decode()
    assert "柯桥甲纺织有限公司" in listing
    assert "柯桥另一镇公司" not in listing
    assert "诸暨乙机械有限公司" not in listing
    assert client.get(reverse("organizations:detail", args=[elsewhere_in_county.pk])).status_code == 403
    assert client.get(reverse("organizations:detail", args=[world["org_b"].pk])).status_code == 403


def test_town_officer_api_is_confined_to_the_town_and_changes_nothing(client, world):
    elsewhere_in_county = OrganizationFactory(name="柯桥另一镇公司", region=region("330603L02"))
    _token_client(client, world["kq_officer"])
    names = [item["name"] for item in client.get("/api/organizations").json()["items"]]
    assert names == ["柯桥甲纺织有限公司"]
    for org in (elsewhere_in_county, world["org_b"]):
        read = client.get(f"/api/organizations/{org.pk}")
        assert (read.status_code, read.json()) == (403, {"detail": "您无权查看该单位的信息。"})
    # Officers recommend and visit; they do not edit or verify the registry, not even in their town.
    own = world["org_a"]
    change = client.patch(
        f"/api/organizations/{own.pk}",
        json.dumps({"version": own.version, "address": "被篡改"}),
        content_type="application/json",
    )
    assert (change.status_code, change.json()["detail"]) == (403, "您无权修改该单位的信息。")
    pending = OrganizationFactory(name="柯桥待核验公司", region=region("330603L01"), status="pending")
    verify = client.post(
        f"/api/organizations/{pending.pk}/verification",
        json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert (verify.status_code, verify.json()["detail"]) == (403, "只有属地科技局业务人员可以核验单位。")
    own.refresh_from_db()
    pending.refresh_from_db()
    assert (own.address, pending.status) == ("柯桥区笛扬路1号", "pending")


def test_town_officer_pages_change_nothing(client, world):
    client.force_login(world["kq_officer"])
    own, pending = world["org_a"], OrganizationFactory(region=region("330603L01"), status="pending")
    assert client.get(reverse("organizations:edit", args=[own.pk])).status_code == 403
    edit = client.post(
        reverse("organizations:edit", args=[own.pk]),
        {"name": "被篡改", "address": "x", "version": own.version, "form_token": "o1"},
    )
    verify = client.post(
        reverse("organizations:verify", args=[pending.pk]), {"approve": "on", "form_token": "o2"}
    )
    assert (edit.status_code, verify.status_code) == (403, 403)
    own.refresh_from_db()
    pending.refresh_from_db()
    assert (own.name, pending.status) == ("柯桥甲纺织有限公司", "pending")


def test_enterprise_user_cannot_verify_through_pages(client, world):
    pending = OrganizationFactory(region=region("330681L01"), status="pending")
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("organizations:verify", args=[pending.pk]), {"approve": "on", "form_token": "e1"}
    )
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_county_staff_cannot_verify_in_another_county(client, world):
    pending = OrganizationFactory(region=region("330681L01"), status="pending")
    client.force_login(world["kq_staff"])
    page = client.post(
        reverse("organizations:verify", args=[pending.pk]), {"approve": "on", "form_token": "k1"}
    )
    _token_client(client, world["kq_staff"])
    api = client.post(
        f"/api/organizations/{pending.pk}/verification",
        json.dumps({"approve": True}),
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (403, 403)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_county_staff_never_see_another_county(client, world):
    client.force_login(world["kq_staff"])
    assert client.get(reverse("organizations:detail", args=[world["org_b"].pk])).status_code == 403
    # Filtering by the other county's region is not even offered, and returns nothing if forced.
    response = client.get(reverse("organizations:list"), {"region": "330681"})
    assert "诸暨乙机械有限公司" not in response.content.decode()


def test_county_staff_api_list_is_scoped(client, world):
    _token_client(client, world["kq_staff"])
    names = [item["name"] for item in client.get("/api/organizations").json()["items"]]
    assert names == ["柯桥甲纺织有限公司"]
    assert client.get(f"/api/organizations/{world['org_b'].pk}").status_code == 403


def test_zhuji_officer_api_sees_zhuji_only(client, world):
    _token_client(client, world["zj_officer"])
    names = [item["name"] for item in client.get("/api/organizations").json()["items"]]
    assert names == ["诸暨乙机械有限公司"]


def test_city_staff_see_the_whole_city(client, world):
    client.force_login(world["staff"])
    listing = client.get(reverse("organizations:list")).content.decode()
    assert "柯桥甲纺织有限公司" in listing and "诸暨乙机械有限公司" in listing


def test_leader_reads_but_cannot_change(client, world):
    client.force_login(world["leader"])
    assert client.get(reverse("organizations:detail", args=[world["org_b"].pk])).status_code == 200
    assert client.get(reverse("organizations:edit", args=[world["org_b"].pk])).status_code == 403
    client.logout()
    _token_client(client, world["leader"])
    assert client.get(f"/api/organizations/{world['org_b'].pk}").status_code == 200
    change = client.patch(
        f"/api/organizations/{world['org_b'].pk}",
        json.dumps({"version": 1, "name": "被篡改"}),
        content_type="application/json",
    )
    assert change.status_code == 403
    world["org_b"].refresh_from_db()
    assert world["org_b"].name == "诸暨乙机械有限公司"


@pytest.mark.parametrize("role", ["expert", "broker"])
def test_people_without_an_organization_see_no_organizations(client, world, role):
    client.force_login(world[role])
    assert client.get(reverse("organizations:detail", args=[world["org_a"].pk])).status_code == 403
    assert "柯桥甲纺织有限公司" not in client.get(reverse("organizations:list")).content.decode()


def test_county_staff_cannot_create_in_another_county_through_the_api(client, world):
    _token_client(client, world["kq_staff"])
    from .factories import credit_code

    response = client.post(
        "/api/organizations",
        json.dumps(
            {
                "kind": "enterprise",
                "name": "越界公司",
                "credit_code": credit_code(7001),
                "region_code": "330681L03",
            }
        ),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["detail"]) == (403, "不能在您管辖范围以外的区划登记单位。")
    assert not Organization.objects.filter(name="越界公司").exists()


# --- anonymous ---------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_and_the_api_refuses(client, world):
    response = client.get(reverse("organizations:detail", args=[world["org_a"].pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    api = client.get("/api/organizations")
    assert (api.status_code, api.json()) == (401, {"detail": "请先登录或提供有效的 API 令牌。"})


def test_revoked_or_bogus_token_is_refused(client, world):
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer kc_not-a-token"
    assert client.get("/api/organizations").status_code == 401


def test_audit_log_is_for_bureau_admins_only(client, world):
    for name in ("staff", "leader", "kq_officer", "ent_a"):
        client.force_login(world[name])
        assert client.get(reverse("audit:list")).status_code == 403, name
    client.force_login(world["admin"])
    assert client.get(reverse("audit:list")).status_code == 200

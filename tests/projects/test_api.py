import json

import pytest

from kechuang.accounts.services import api_token_create
from kechuang.projects.models import Application

from ..factories import complete_data, make_call

pytestmark = pytest.mark.django_db


def _client(client, user):
    _, raw = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _send(client, method, url, payload=None):
    return getattr(client, method)(url, json.dumps(payload or {}), content_type="application/json")


def test_applicant_flow_over_the_api(client, world):
    call = make_call(quotas={"330603": 1})
    api = _client(client, world["ent_a"])
    calls = api.get("/api/calls").json()
    assert [(c["id"], c["not_eligible_because"]) for c in calls] == [(call.pk, [])]
    started = _send(api, "post", f"/api/calls/{call.pk}/applications")
    assert started.status_code == 201
    body = started.json()
    assert (body["state"], body["data"]["applicant"]) == ("draft", "柯桥甲纺织有限公司")
    pk = body["id"]
    bad = _send(
        api, "patch", f"/api/applications/{pk}", {"version": body["version"], "data": {"amount": "x"}}
    )
    assert bad.json()["errors"] == {"amount": ["申请经费（元）应为数字。"]}
    saved = _send(
        api,
        "patch",
        f"/api/applications/{pk}",
        {"version": bad.json()["application"]["version"], "data": complete_data()},
    )
    assert saved.json()["errors"] == {}
    stale = _send(api, "patch", f"/api/applications/{pk}", {"version": 1, "data": {"title": "旧"}})
    assert (stale.status_code, stale.json()["detail"]) == (409, "该记录已被他人修改，请刷新后重新编辑。")
    refused = _send(api, "post", f"/api/applications/{pk}/submission")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "申报书还有 1 处需要完善，例如：请上传可行性研究报告。"


def test_api_permissions_match_the_pages(client, world):
    from kechuang.projects.services import application_start

    application = application_start(call=make_call(), by=world["ent_a"])
    api = _client(client, world["ent_b"])
    assert api.get(f"/api/applications/{application.pk}").status_code == 403
    assert api.get("/api/applications").json() == []
    patch = _send(api, "patch", f"/api/applications/{application.pk}", {"version": 1, "data": {"title": "x"}})
    assert patch.status_code == 403
    officer = _client(client, world["kq_officer"])
    # Drafts are the applicant's business until submitted.
    assert officer.get("/api/applications").json() == []
    assert officer.get(f"/api/applications/{application.pk}").status_code == 403
    recommend = _send(
        officer, "post", f"/api/applications/{application.pk}/recommendation", {"recommend": True}
    )
    assert (recommend.status_code, recommend.json()["detail"]) == (403, "申报书尚未提交。")
    assert Application.objects.get().state == "draft"

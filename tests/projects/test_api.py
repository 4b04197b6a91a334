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
    assert api.get("/api/applications").json() == {"items": [], "count": 0}
    patch = _send(api, "patch", f"/api/applications/{application.pk}", {"version": 1, "data": {"title": "x"}})
    assert patch.status_code == 403
    officer = _client(client, world["kq_officer"])
    # Drafts are the applicant's business until submitted.
    assert officer.get("/api/applications").json() == {"items": [], "count": 0}
    assert officer.get(f"/api/applications/{application.pk}").status_code == 403
    recommend = _send(
        officer, "post", f"/api/applications/{application.pk}/recommendation", {"recommend": True}
    )
    assert (recommend.status_code, recommend.json()["detail"]) == (403, "申报书尚未提交。")
    assert Application.objects.get().state == "draft"


# --- Programs and calls over the API: the same service and permissions as the management pages ---

CALL_BODY = {
    "title": "2027年度科技创新券申报指南",
    "year": 2027,
    "opens_at": "2027-03-01T08:30:00",
    "closes_at": "2027-04-01T17:00:00",
    "is_published": True,
    "budget_cap": "200000",
    "total_budget": "2000000",
    "eligibility": {"organization_kinds": ["enterprise"], "qualifications": ["tsme"]},
    "quotas": {"330603": 5},
}


def _program_body(**changes):
    return {
        "name": "科技创新券计划",
        "code": "voucher",
        "department": "achievement",
        "region": "330600",
        "description": "支持中小企业购买科技服务。",
        **changes,
    }


def test_bureau_staff_manage_programs_and_calls_over_the_api(client, world):
    from kechuang.core.models import AuditLog
    from kechuang.projects.models import Call, Program

    api = _client(client, world["staff"])
    created = _send(api, "post", "/api/programs", _program_body())
    assert created.status_code == 201, created.json()
    program = created.json()
    assert {k: program[k] for k in ("code", "region", "region_name", "is_active", "version")} == {
        "code": "voucher",
        "region": "330600",
        "region_name": "绍兴市",
        "is_active": True,
        "version": 1,
    }
    assert [p["code"] for p in api.get("/api/programs").json()] == ["voucher"]
    changed = _send(api, "patch", f"/api/programs/{program['id']}", {"version": 1, "name": "创新券计划"})
    assert (changed.status_code, changed.json()["name"], changed.json()["version"]) == (200, "创新券计划", 2)
    stale = _send(api, "patch", f"/api/programs/{program['id']}", {"version": 1, "name": "旧名"})
    assert (stale.status_code, stale.json()["detail"]) == (409, "该记录已被他人修改，请刷新后重新编辑。")
    assert Program.objects.get().name == "创新券计划"

    call = _send(api, "post", "/api/calls", {"program_id": program["id"], **CALL_BODY})
    assert call.status_code == 201, call.json()
    body = call.json()
    assert body["eligibility"] == {
        "organization_kinds": ["enterprise"],
        "region_codes": [],
        "qualifications": ["tsme"],
        "require_clean_integrity": True,
        "max_applications_per_organization": 1,
    }
    assert (body["opens_at"], body["quotas"], len(body["form_definition"])) == (
        "2027-03-01T08:30:00+08:00",
        {"330603": 5},
        13,
    )
    pk = body["id"]
    moved = _send(api, "patch", f"/api/calls/{pk}", {"version": 1, "closes_at": "2027-04-02T17:00:00"})
    assert (moved.status_code, moved.json()["closes_at"], moved.json()["version"]) == (
        200,
        "2027-04-02T17:00:00+08:00",
        2,
    )
    assert moved.json()["quotas"] == {"330603": 5}  # not sent, kept
    stale = _send(api, "patch", f"/api/calls/{pk}", {"version": 1, "title": "旧标题"})
    assert (stale.status_code, stale.json()["detail"]) == (409, "该记录已被他人修改，请刷新后重新编辑。")
    backwards = _send(api, "patch", f"/api/calls/{pk}", {"version": 2, "closes_at": "2027-02-01T00:00:00"})
    assert (backwards.status_code, backwards.json()) == (
        400,
        {"detail": "截止时间须晚于开始时间。", "field": "closes_at"},
    )
    assert Call.objects.get().title == "2027年度科技创新券申报指南"
    assert list(
        AuditLog.objects.filter(content_type__model__in=["program", "call"])
        .order_by("id")
        .values_list("content_type__model", "action")
    ) == [("program", "create"), ("program", "update"), ("call", "create"), ("call", "update")]


def test_a_switched_off_program_takes_no_new_calls_over_the_api(client, world):
    api = _client(client, world["staff"])
    program = _send(api, "post", "/api/programs", _program_body(is_active=False)).json()
    refused = _send(api, "post", "/api/calls", {"program_id": program["id"], **CALL_BODY})
    assert (refused.status_code, refused.json()["detail"]) == (
        400,
        "该计划类别已停用，不能在其下开设申报指南。",
    )


def test_program_and_call_management_refuses_other_users_over_the_api(client, world):
    from kechuang.projects.models import Call, Program

    call = make_call()  # a city program (绍兴市科技局)
    program = call.program
    for who, message in [
        ("ent_a", "只有科技局业务人员可以管理计划类别。"),
        ("kq_officer", "只有科技局业务人员可以管理计划类别。"),
    ]:
        api = _client(client, world[who])
        assert (api.get("/api/programs").status_code, api.get("/api/programs").json()["detail"]) == (
            403,
            message,
        )
        created = _send(api, "post", "/api/programs", _program_body())
        assert (created.status_code, created.json()["detail"]) == (403, message)
        patched = _send(api, "patch", f"/api/programs/{program.pk}", {"version": 1, "name": "x"})
        assert (patched.status_code, patched.json()["detail"]) == (403, message)
        new_call = _send(api, "post", "/api/calls", {"program_id": program.pk, **CALL_BODY})
        assert (new_call.status_code, new_call.json()["detail"]) == (
            403,
            "只有科技局业务人员可以管理申报指南。",
        )
        patched = _send(api, "patch", f"/api/calls/{call.pk}", {"version": 1, "title": "x"})
        assert (patched.status_code, patched.json()["detail"]) == (
            403,
            "只有科技局业务人员可以管理申报指南。",
        )
    # Staff of another bureau (柯桥区) see none of the city's programs and change none of them.
    api = _client(client, world["kq_staff"])
    assert api.get("/api/programs").json() == []
    patched = _send(api, "patch", f"/api/programs/{program.pk}", {"version": 1, "name": "x"})
    assert (patched.status_code, patched.json()["detail"]) == (403, "该区划不属于您的科技局。")
    city = _send(api, "post", "/api/programs", _program_body(code="kq-city"))
    assert (city.status_code, city.json()["detail"]) == (403, "该区划不属于您的科技局。")
    new_call = _send(api, "post", "/api/calls", {"program_id": program.pk, **CALL_BODY})
    assert (new_call.status_code, new_call.json()["detail"]) == (403, "该计划类别不属于您的科技局。")
    patched = _send(api, "patch", f"/api/calls/{call.pk}", {"version": 1, "title": "x"})
    assert (patched.status_code, patched.json()["detail"]) == (403, "该计划类别不属于您的科技局。")
    assert api.get(f"/api/calls/{call.pk}/settings").status_code == 403
    assert (Program.objects.get().name, Call.objects.get().title, Call.objects.get().version) == (
        "重点研发计划",
        "2026年度重点研发计划申报指南",
        1,
    )


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        (
            {"eligibility": {"qualifications": ["nobel"]}},
            {"detail": "不支持的资质要求：nobel", "field": "qualifications"},
        ),
        (
            {"eligibility": {"organization_kinds": ["provider"]}},
            {"detail": "可申报单位类型只能是企业或高校院所。", "field": "organization_kinds"},
        ),
        ({"budget_cap": "3000000"}, {"detail": "单项上限不能超过资助总额。", "field": "budget_cap"}),
        ({"quotas": {"999999": 1}}, {"detail": "区划代码不存在：999999"}),
    ],
)
def test_bad_call_settings_over_the_api_are_refused_like_on_the_page(client, world, change, answer):
    from kechuang.projects.models import Call

    program = make_call().program
    api = _client(client, world["staff"])
    refused = _send(api, "post", "/api/calls", {"program_id": program.pk, **CALL_BODY, **change})
    assert (refused.status_code, refused.json()) == (400, answer)
    assert Call.objects.count() == 1

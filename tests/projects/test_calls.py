import json

import pytest
from django.urls import reverse

from kechuang.core.models import AuditLog
from kechuang.projects.models import Call, Program, RecommendationQuota

from ..factories import make_call, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(world):
    return Program.objects.create(
        name="重点研发计划", code="rd", department="high_tech", region=region("330600")
    )


def _post(program, **changes):
    data = {
        "program": program.pk,
        "title": "2027年度重点研发计划申报指南",
        "year": 2027,
        "guide": "说明",
        "opens_at": "2027-03-01T08:30:00",
        "closes_at": "2027-04-01T17:00:00",
        "is_published": "on",
        "budget_cap": "500000",
        "total_budget": "5000000",
        "organization_kinds": ["enterprise"],
        "region_codes": "330603, 330681",
        "qualifications": ["tsme"],
        "require_clean_integrity": "on",
        "max_applications_per_organization": 2,
        "form_definition": "",
        "review_scheme": json.dumps(
            {
                "criteria": [
                    {"key": "a", "name": "创新性", "weight": 60},
                    {"key": "b", "name": "可行性", "weight": 40},
                ],
                "experts_per_application": 5,
                "aggregation": "trimmed_mean",
                "blind": True,
            }
        ),
        "stage_days": json.dumps({"submitted": 5, "recommended": 7}),
        "quotas": "330603 8\n330681 6",
        "form_token": changes.pop("form_token", "call-1"),
    }
    data.update(changes)
    return data


def test_staff_open_a_call_with_rules_quotas_and_exact_times(client, world, program):
    client.force_login(world["staff"])
    response = client.post(reverse("projects:call_create"), _post(program))
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get()
    assert call.eligibility == {
        "organization_kinds": ["enterprise"],
        "region_codes": ["330603", "330681"],
        "qualifications": ["tsme"],
        "require_clean_integrity": True,
        "max_applications_per_organization": 2,
    }
    assert call.opens_at.isoformat() == "2027-03-01T00:30:00+00:00"  # 08:30:00 Asia/Shanghai
    assert call.closes_at.isoformat() == "2027-04-01T09:00:00+00:00"
    assert len(call.form_definition) == 13  # empty means the standard form
    assert dict(RecommendationQuota.objects.values_list("region_id", "quota")) == {"330603": 8, "330681": 6}
    assert AuditLog.objects.filter(content_type__model="call", action="create").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"review_scheme": "{not json"},
            "JSON 格式错误：第 1 行 Expecting property name enclosed in double quotes",
        ),
        (
            {
                "review_scheme": json.dumps(
                    {
                        "criteria": [{"key": "a", "weight": 50}],
                        "experts_per_application": 5,
                        "aggregation": "mean",
                    }
                )
            },
            "评审指标权重之和应为 100，当前为 50。",
        ),
        ({"closes_at": "2027-02-01T00:00:00"}, "截止时间须晚于开始时间。"),
        ({"quotas": "330603 八"}, "推荐名额第 1 行格式应为“区划代码 名额”。"),
        ({"region_codes": "999999"}, "区划代码不存在：999999"),
        (
            {"form_definition": json.dumps([{"key": "a", "type": "colour"}])},
            "字段 a 的类型 colour 不受支持。",
        ),
    ],
)
def test_bad_call_settings_are_refused_with_a_reason(client, world, program, change, message):
    client.force_login(world["staff"])
    response = client.post(reverse("projects:call_create"), _post(program, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Call.objects.exists()


def test_only_the_programs_bureau_manages_its_calls(client, world, program):
    for who in ("ent_a", "kq_officer", "expert"):
        client.force_login(world[who])
        assert client.get(reverse("projects:call_create")).status_code == 403
    call = make_call()
    client.force_login(world["kq_staff"])
    assert client.get(reverse("projects:call_edit", args=[call.pk])).status_code == 403


def test_changing_the_form_of_a_call_leaves_existing_applications_alone(client, world, program):
    from kechuang.projects.services import application_start

    call = make_call()
    application = application_start(call=call, by=world["ent_a"])
    client.force_login(world["staff"])
    short_form = [{"key": "title", "label": "题目", "type": "text", "required": True}]
    response = client.post(
        reverse("projects:call_edit", args=[call.pk]),
        _post(
            call.program,
            title=call.title,
            form_definition=json.dumps(short_form),
            version=call.version,
            opens_at="2026-01-01T00:00:00",
            closes_at="2030-01-01T00:00:00",
            form_token="call-2",
        ),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    application.refresh_from_db()
    assert call.form_definition == short_form
    assert len(application.form_definition) == 13


# --- Programs (科技计划类别) managed by the bureau's staff on pages ---


def _program_post(**changes):
    data = {
        "name": "科技创新券计划",
        "code": "voucher-2027",
        "department": "achievement",
        "region": "330600",
        "description": "支持中小企业购买科技服务。",
        "is_active": "on",
        "form_token": changes.pop("form_token", "program-1"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_create_and_edit_a_program_on_pages_and_both_are_audited(client, world):
    client.force_login(world["staff"])
    manage = client.get(reverse("projects:call_manage_list")).content.decode()
    assert f'href="{reverse("projects:program_list")}"' in manage
    response = client.post(reverse("projects:program_create"), _program_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("projects:program_list")
    program = Program.objects.get()
    assert (
        program.name,
        program.code,
        program.department,
        program.region_id,
        program.description,
        program.is_active,
        program.version,
    ) == ("科技创新券计划", "voucher-2027", "achievement", "330600", "支持中小企业购买科技服务。", True, 1)
    listed = client.get(reverse("projects:program_list")).content.decode()
    assert listed.count('data-testid="program-row"') == 1
    response = client.post(
        reverse("projects:program_edit", args=[program.pk]),
        _program_post(name="科技创新券计划（2027）", is_active=None, version=1, form_token="program-2"),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.is_active, program.version) == ("科技创新券计划（2027）", False, 2)
    lines = AuditLog.objects.filter(content_type__model="program").order_by("id")
    assert [(line.action, line.actor_id) for line in lines] == [
        ("create", world["staff"].pk),
        ("update", world["staff"].pk),
    ]


def test_a_stale_program_form_is_refused(client, world):
    from kechuang.projects.services import program_save

    client.force_login(world["staff"])
    client.post(reverse("projects:program_create"), _program_post())
    program = Program.objects.get()
    program_save(by=world["admin"], values={"description": "别人先改了"}, program=program, expected_version=1)
    response = client.post(
        reverse("projects:program_edit", args=[program.pk]),
        _program_post(name="我的修改", version=1, form_token="program-3"),
    )
    assert response.status_code == 200
    assert "该记录已被他人修改，请刷新后重新编辑。" in response.content.decode()
    program.refresh_from_db()
    assert (program.name, program.description, program.version) == ("科技创新券计划", "别人先改了", 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "rd"}, "代码 rd 已被其他计划类别使用。"),
        ({"region": "330603L01"}, "计划类别的主管区划应为省、市或区县。"),
        ({"code": "重点"}, "代码只能包含字母、数字、下划线和连字符。"),
    ],
)
def test_bad_program_settings_are_refused_with_a_reason(world, program, change, message):
    from kechuang.core.errors import DomainError
    from kechuang.projects.services import program_save

    values = {
        "name": "新计划",
        "code": "new",
        "department": "high_tech",
        "region": "330600",
        "description": "",
        "is_active": True,
    }
    with pytest.raises(DomainError) as exc:
        program_save(by=world["staff"], values={**values, **change})
    assert exc.value.message == message
    assert list(Program.objects.values_list("code", flat=True)) == ["rd"]


def test_programs_are_managed_by_the_staff_of_their_region_only(client, world, program):
    from kechuang.core.errors import PermissionDenied
    from kechuang.projects.services import program_save

    for who in ("ent_a", "kq_officer", "expert", "leader"):
        client.force_login(world[who])
        assert client.get(reverse("projects:program_list")).status_code == 403
        assert client.get(reverse("projects:program_create")).status_code == 403
    client.force_login(world["kq_staff"])  # 柯桥区科技局: the city's program is not theirs
    assert client.get(reverse("projects:program_edit", args=[program.pk])).status_code == 403
    assert 'data-testid="program-row"' not in client.get(reverse("projects:program_list")).content.decode()
    with pytest.raises(PermissionDenied) as exc:
        program_save(by=world["kq_staff"], values={"name": "改名"}, program=program, expected_version=1)
    assert exc.value.message == "该区划不属于您的科技局。"
    with pytest.raises(PermissionDenied) as exc:
        program_save(
            by=world["kq_staff"],
            values={"name": "市级计划", "code": "city", "department": "high_tech", "region": "330600"},
        )
    assert exc.value.message == "该区划不属于您的科技局。"
    own = program_save(
        by=world["kq_staff"],
        values={"name": "柯桥区科技计划", "code": "kq", "department": "high_tech", "region": "330603"},
    )
    assert sorted(Program.objects.values_list("code", flat=True)) == ["kq", "rd"]
    listed = client.get(reverse("projects:program_list")).content.decode()
    assert listed.count('data-testid="program-row"') == 1 and own.name in listed


def test_a_switched_off_program_takes_no_new_calls_but_keeps_its_calls_listed(client, world, program):
    from kechuang.projects.services import program_save

    client.force_login(world["staff"])
    assert client.post(reverse("projects:call_create"), _post(program)).status_code == 302
    program_save(by=world["staff"], values={"is_active": False}, program=program, expected_version=1)
    response = client.post(reverse("projects:call_create"), _post(program, form_token="call-9"))
    assert response.status_code == 200
    assert Call.objects.count() == 1
    manage = client.get(reverse("projects:call_manage_list")).content.decode()
    assert "2027年度重点研发计划申报指南" in manage

"""The reserve pool (后备库, issue item 4): rules proposals from the stored self-assessments, officers'
curation along the status table, permissions, pages, export and API."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.enterprises.enums import ReserveSource, ReserveStatus
from kechuang.enterprises.models import AssessmentResult, ReserveEntry
from kechuang.enterprises.reserve import (
    proposal_reason,
    reserve_add,
    reserve_mark_recognized,
    reserve_propose,
    reserve_sync_recognized,
    reserve_transition,
)
from kechuang.enterprises.reserve_jobs import reserve_nightly
from kechuang.enterprises.reserve_views import panel
from kechuang.organizations.models import Qualification

from ..factories import OrganizationFactory, audit_for, region

pytestmark = pytest.mark.django_db

S = ReserveStatus
YEAR = timezone.localdate().year + 1


def _check(code, label, passed, *, message="", figure="", threshold="", required=True):
    check = {
        "code": code,
        "rule": "国科发火〔2016〕32号 第十一条",
        "label": label,
        "passed": passed,
        "figure": figure,
        "threshold": threshold,
        "message": message,
    }
    if not required:
        check["required"] = False
    return check


def _assess(organization, *, kind="hnte", failed=0, score=None, eligible=None, checks=(), missing=()):
    """An AssessmentResult shaped like evaluate.serialize writes it."""
    return AssessmentResult.objects.create(
        organization=organization,
        kind=kind,
        assessed_on=timezone.localdate(),
        data_year=YEAR - 2,
        ruleset=f"{kind}-test",
        eligible=eligible,
        score=None if score is None else Decimal(str(score)),
        failed=failed,
        undetermined=0,
        result={"kind": kind, "eligible": eligible, "checks": list(checks), "missing": list(missing)},
    )


def _one_short(organization, **extra):
    """高企: everything met but the share of 科技人员 (工作指引 三（四）: ≥10%)."""
    return _assess(
        organization,
        failed=1,
        score=75,
        eligible=False,
        checks=[
            _check("hnte.ip", "拥有核心自主知识产权", True),
            _check(
                "hnte.st_ratio",
                "科技人员占企业当年职工总数的比例",
                False,
                message="科技人员占比8.00%，低于10%的要求，还差2人",
                figure="8.00%",
                threshold="≥10%",
            ),
            _check("hnte.innovation", "企业创新能力评价", True),
        ],
        missing=["科技人员还差2人"],
        **extra,
    )


def _entry(organization, *, status=S.PROPOSED, kind="hnte", year=YEAR, source=ReserveSource.RULES):
    return ReserveEntry.objects.create(
        organization=organization, kind=kind, target_year=year, status=status, source=source, reason="测试"
    )


# --- the rules ---------------------------------------------------------------------------------------


def test_meeting_all_but_one_condition_is_proposed_with_the_missing_condition_as_reason(world):
    _one_short(world["org_a"])
    run = reserve_propose(target_year=YEAR, kind="hnte")
    assert run.count == 1
    entry = ReserveEntry.objects.get()
    assert (entry.organization, entry.kind, entry.target_year) == (world["org_a"], "hnte", YEAR)
    assert (entry.status, entry.source) == (S.PROPOSED, ReserveSource.RULES)
    assert entry.reason == "仅差一项条件：科技人员占企业当年职工总数的比例（科技人员还差2人）。"


def test_reason_falls_back_to_message_then_to_figures():
    organization = OrganizationFactory.build()
    with_message = AssessmentResult(
        organization=organization,
        kind="tsme",
        failed=1,
        result={
            "checks": [_check("tsme.staff", "职工总数", False, message="职工总数650人，超过500人的上限")]
        },
    )
    assert proposal_reason(with_message) == "仅差一项条件：职工总数（职工总数650人，超过500人的上限）。"
    with_figures = AssessmentResult(
        organization=organization,
        kind="hnte",
        failed=1,
        result={
            "checks": [_check("hnte.hitech", "高新技术产品收入占比", False, figure="52%", threshold="≥60%")]
        },
    )
    assert proposal_reason(with_figures) == "仅差一项条件：高新技术产品收入占比（现为52%，要求≥60%）。"
    odd_shape = AssessmentResult(organization=organization, kind="hnte", failed=1, result=["unexpected"])
    assert proposal_reason(odd_shape) == "仅差一项高新技术企业认定条件未满足。"


def test_two_unmet_conditions_are_not_proposed(world):
    _assess(
        world["org_a"],
        failed=2,
        score=65,
        eligible=False,
        checks=[_check("a", "条件一", False), _check("b", "条件二", False)],
    )
    assert reserve_propose(target_year=YEAR, kind="hnte").count == 0
    assert ReserveEntry.objects.count() == 0


@pytest.mark.parametrize(
    "kind, score, proposed",
    [
        # 高企 passes above 70 (不含70分, 工作指引 三（七）); near = 60 ≤ score ≤ 70 with no condition failed.
        ("hnte", "59.99", False),
        ("hnte", "60", True),
        ("hnte", "70", True),
        ("hnte", "70.01", False),
        # 科小 passes at 60 (不低于60分, 115号 第六条（五）); near = 50 ≤ score < 60.
        ("tsme", "49.99", False),
        ("tsme", "50", True),
        ("tsme", "59.99", True),
        ("tsme", "60", False),
    ],
)
def test_a_score_near_the_pass_mark_without_failures_is_proposed(world, kind, score, proposed):
    _assess(world["org_a"], kind=kind, failed=0, score=score, eligible=None)
    assert reserve_propose(target_year=YEAR, kind=kind).count == (1 if proposed else 0)
    if proposed:
        mark = {"hnte": "70", "tsme": "60"}[kind]
        shown = f"{Decimal(score).quantize(Decimal('0.1')).normalize():f}"
        assert ReserveEntry.objects.get().reason == (
            f"自评得分估计{shown}分，接近{mark}分的认定线，其他条件均未发现不满足。"
        )


def test_eligible_but_not_recognised_is_proposed(world):
    _assess(world["org_a"], failed=0, score=80, eligible=True)
    assert reserve_propose(target_year=YEAR, kind="hnte").count == 1
    assert ReserveEntry.objects.get().reason == "自评已满足高新技术企业全部认定条件，尚未认定，可组织申报。"


def test_margin_is_configurable(world, settings):
    settings.KECHUANG_RESERVE_MARGIN = {"hnte": 5}
    _assess(world["org_a"], failed=0, score=62, eligible=None)
    _assess(world["org_b"], failed=0, score=66, eligible=None)
    run = reserve_propose(target_year=YEAR, kind="hnte")
    assert [e.organization for e in run.created] == [world["org_b"]]


def test_already_qualified_for_the_whole_target_year_is_not_proposed(world):
    today = timezone.localdate()
    _one_short(world["org_a"])
    _one_short(world["org_b"])
    Qualification.objects.create(
        organization=world["org_a"],
        kind="hnte",
        level="national",
        valid_from=today - timedelta(days=100),
        valid_until=date(YEAR + 1, 6, 30),
    )
    # Expiring inside the target year: it must be recognised again, so it stays a candidate.
    Qualification.objects.create(
        organization=world["org_b"],
        kind="hnte",
        level="national",
        valid_from=today - timedelta(days=900),
        valid_until=date(YEAR, 3, 31),
    )
    run = reserve_propose(target_year=YEAR, kind="hnte")
    assert [e.organization for e in run.created] == [world["org_b"]]


def test_a_second_run_proposes_nothing_and_a_removed_entry_is_not_proposed_again(world):
    _one_short(world["org_a"])
    _one_short(world["org_b"])
    assert reserve_propose(target_year=YEAR, kind="hnte").count == 2
    assert reserve_propose(target_year=YEAR, kind="hnte").count == 0
    removed = ReserveEntry.objects.get(organization=world["org_a"])
    reserve_transition(entry=removed, to=S.REMOVED, reason="企业无申报意愿", by=world["kq_staff"])
    assert reserve_propose(target_year=YEAR, kind="hnte").count == 0
    assert ReserveEntry.objects.count() == 2
    assert ReserveEntry.objects.get(pk=removed.pk).status == S.REMOVED
    # Another year or the other kind is a separate entry.
    assert reserve_propose(target_year=YEAR + 1, kind="hnte").count == 2


def test_an_officer_proposes_only_in_their_region_and_only_enterprises(world):
    _one_short(world["org_a"])
    _one_short(world["org_b"])
    institution = world["institution"].organization
    _one_short(institution)
    run = reserve_propose(target_year=YEAR, kind="hnte", by=world["kq_officer"])
    assert [e.organization for e in run.created] == [world["org_a"]]
    assert audit_for(run.created[0], action="create").get().actor == world["kq_officer"]
    # The nightly run covers every region, but never an organization that is not an enterprise.
    assert [e.organization for e in reserve_propose(target_year=YEAR, kind="hnte").created] == [
        world["org_b"]
    ]
    with pytest.raises(PermissionDenied) as exc:
        reserve_propose(target_year=YEAR, kind="hnte", by=world["leader"])
    assert exc.value.message == "只有属地科技局人员或镇街科技干部可以维护后备库。"
    with pytest.raises(PermissionDenied):
        reserve_propose(target_year=YEAR, kind="hnte", by=world["ent_a"])


def test_an_enterprise_rejected_at_verification_is_not_proposed(world):
    world["org_b"].status = "rejected"
    world["org_b"].save()
    _one_short(world["org_a"])
    _one_short(world["org_b"])
    assert [e.organization for e in reserve_propose(target_year=YEAR, kind="hnte").created] == [
        world["org_a"]
    ]


def test_propose_refuses_a_bad_year_or_kind(world):
    with pytest.raises(DomainError) as exc:
        reserve_propose(target_year=1999, kind="hnte")
    assert exc.value.message == f"目标年度应在{YEAR - 2}年至{YEAR + 4}年之间。"
    with pytest.raises(DomainError) as exc:
        reserve_propose(target_year=YEAR, kind="leader")
    assert exc.value.message == "培育方向不正确。"


# --- curation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target",
    [
        (S.PROPOSED, S.CULTIVATING),
        (S.PROPOSED, S.REMOVED),
        (S.CULTIVATING, S.APPLIED),
        (S.CULTIVATING, S.REMOVED),
        (S.APPLIED, S.RECOGNIZED),
        (S.APPLIED, S.CULTIVATING),
        (S.APPLIED, S.REMOVED),
        (S.REMOVED, S.CULTIVATING),
    ],
)
def test_allowed_transitions(world, source, target):
    entry = _entry(world["org_a"], status=source)
    done = reserve_transition(entry=entry, to=target, reason="说明", by=world["kq_officer"])
    assert done.status == target
    assert done.version == entry.version + 1


def test_every_transition_not_in_the_table_is_refused_with_the_states_named(world):
    allowed = {
        (S.PROPOSED, S.CULTIVATING),
        (S.PROPOSED, S.REMOVED),
        (S.CULTIVATING, S.APPLIED),
        (S.CULTIVATING, S.REMOVED),
        (S.APPLIED, S.RECOGNIZED),
        (S.APPLIED, S.CULTIVATING),
        (S.APPLIED, S.REMOVED),
        (S.REMOVED, S.CULTIVATING),
    }
    entry = _entry(world["org_a"])
    for source in S:
        for target in S:
            if (source, target) in allowed:
                continue
            ReserveEntry.objects.filter(pk=entry.pk).update(status=source)
            with pytest.raises(DomainError) as exc:
                reserve_transition(entry=entry, to=target, reason="理由", by=world["staff"])
            assert exc.value.message == f"后备库状态不能从“{source.label}”改为“{target.label}”。"
    assert ReserveEntry.objects.get(pk=entry.pk).version == 1


def test_removal_needs_a_reason_and_the_audit_line_records_who_from_to_and_why(world):
    entry = _entry(world["org_a"])
    with pytest.raises(DomainError) as exc:
        reserve_transition(entry=entry, to=S.REMOVED, reason="  ", by=world["kq_officer"])
    assert (exc.value.message, exc.value.field) == ("移出后备库时请填写理由。", "reason")
    reserve_transition(entry=entry, to=S.REMOVED, reason="企业已搬迁至外市", by=world["kq_officer"])
    line = audit_for(entry, action=AuditLog.Action.TRANSITION).get()
    assert (line.actor, line.from_state, line.to_state, line.reason) == (
        world["kq_officer"],
        "proposed",
        "removed",
        "企业已搬迁至外市",
    )
    assert line.region_code == "330603L01"
    entry.refresh_from_db()
    assert entry.status_since >= line.at - timedelta(seconds=1)


def test_a_stale_version_is_refused(world):
    entry = _entry(world["org_a"])
    reserve_transition(entry=entry, to=S.CULTIVATING, by=world["staff"], expected_version=1)
    with pytest.raises(ConflictError):
        reserve_transition(entry=entry, to=S.APPLIED, by=world["staff"], expected_version=1)


@pytest.mark.parametrize("who", ["zj_officer", "leader", "ent_a", "expert"])
def test_curation_is_refused_outside_the_region_and_to_leaders_and_enterprises(world, who):
    entry = _entry(world["org_a"])
    with pytest.raises(PermissionDenied) as exc:
        reserve_transition(entry=entry, to=S.CULTIVATING, by=world[who])
    assert exc.value.message == "只有属地科技局人员或镇街科技干部可以维护后备库。"
    assert ReserveEntry.objects.get(pk=entry.pk).status == S.PROPOSED


def test_an_officer_adds_an_enterprise_by_hand_with_a_reason(world):
    with pytest.raises(DomainError) as exc:
        reserve_add(
            organization=world["org_a"], kind="tsme", target_year=YEAR, reason="", by=world["kq_officer"]
        )
    assert exc.value.message == "请填写入库理由。"
    entry = reserve_add(
        organization=world["org_a"],
        kind="tsme",
        target_year=YEAR,
        reason="新上研发项目",
        by=world["kq_officer"],
    )
    assert (entry.status, entry.source, entry.reason) == (
        S.CULTIVATING,
        ReserveSource.OFFICER,
        "新上研发项目",
    )
    with pytest.raises(DomainError) as exc:
        reserve_add(
            organization=world["org_a"], kind="tsme", target_year=YEAR, reason="再加", by=world["staff"]
        )
    assert exc.value.message == f"该企业已在{YEAR}年科技型中小企业后备库中（状态：培育中）。"
    with pytest.raises(PermissionDenied):
        reserve_add(
            organization=world["org_b"], kind="tsme", target_year=YEAR, reason="x", by=world["kq_officer"]
        )


def test_a_qualification_closes_the_open_entries(world):
    today = timezone.localdate()
    open_entry = _entry(world["org_a"], status=S.APPLIED, year=today.year)
    later = _entry(world["org_a"], status=S.CULTIVATING, year=today.year + 1)
    assert reserve_mark_recognized(organization_id=world["org_a"].pk, kind="hnte") == 0
    Qualification.objects.create(
        organization=world["org_a"],
        kind="hnte",
        level="national",
        valid_from=today,
        valid_until=today + timedelta(days=3 * 365),
    )
    assert reserve_sync_recognized() == 1
    assert ReserveEntry.objects.get(pk=open_entry.pk).status == S.RECOGNIZED
    assert ReserveEntry.objects.get(pk=later.pk).status == S.CULTIVATING
    line = audit_for(open_entry, action=AuditLog.Action.TRANSITION).get()
    assert (line.from_state, line.to_state, line.reason) == ("applied", "recognized", "已取得资质。")
    assert reserve_sync_recognized() == 0


def test_nightly_job_proposes_for_next_year_and_is_idempotent(world):
    _one_short(world["org_a"])
    _assess(world["org_b"], kind="tsme", failed=0, score=55)
    first = reserve_nightly()
    assert first == {"target_year": YEAR, "proposed": {"hnte": 1, "tsme": 1}, "recognized": 0}
    assert reserve_nightly()["proposed"] == {"hnte": 0, "tsme": 0}


# --- pages ---------------------------------------------------------------------------------------------


def test_list_page_shows_rows_with_score_and_unmet_count(client, world):
    _one_short(world["org_a"])
    reserve_propose(target_year=YEAR, kind="hnte")
    client.force_login(world["kq_officer"])
    response = client.get(reverse("enterprises:reserve_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "柯桥甲纺织有限公司" in html
    assert "仅差一项条件：科技人员占企业当年职工总数的比例（科技人员还差2人）。" in html
    row = response.context["rows"][0][0]
    assert (row.score, row.failed) == (Decimal("75.00"), 1)
    assert response.context["rows"][0][1] is not None  # the officer may act on it
    assert "按规则推荐" in html


def test_leader_reads_without_actions_and_enterprise_users_are_refused(client, world):
    _entry(world["org_a"])
    client.force_login(world["leader"])
    response = client.get(reverse("enterprises:reserve_list"))
    assert response.status_code == 200
    assert [form for _entry, form in response.context["rows"]] == [None]
    assert response.context["propose_form"] is None
    client.force_login(world["ent_a"])
    response = client.get(reverse("enterprises:reserve_list"))
    assert response.status_code == 403
    assert response.context["reason"] == "后备库仅供科技局人员和属地科技干部查看。"


def test_other_county_sees_none_of_the_entries(client, world):
    _entry(world["org_a"])
    _entry(world["org_b"])
    client.force_login(world["zj_officer"])
    response = client.get(reverse("enterprises:reserve_list"))
    assert [entry.organization for entry, _form in response.context["rows"]] == [world["org_b"]]
    entry_a = ReserveEntry.objects.get(organization=world["org_a"])
    response = client.post(
        reverse("enterprises:reserve_transition", args=[entry_a.pk]), {"to": "cultivating", "reason": "x"}
    )
    assert response.status_code == 404
    assert ReserveEntry.objects.get(pk=entry_a.pk).status == S.PROPOSED


def test_list_filters_by_year_kind_status_region_source_and_name(client, world):
    kq_other = OrganizationFactory(name="柯岩丙科技有限公司", region=region("330603L02"))
    _entry(world["org_a"])
    _entry(world["org_b"], kind="tsme", status=S.CULTIVATING, source=ReserveSource.OFFICER)
    _entry(kq_other, year=YEAR + 1)
    client.force_login(world["staff"])

    def names(**params):
        response = client.get(reverse("enterprises:reserve_list"), params)
        return sorted(e.organization.name for e, _f in response.context["rows"])

    assert names() == ["柯岩丙科技有限公司", "柯桥甲纺织有限公司", "诸暨乙机械有限公司"]
    assert names(target_year=YEAR + 1) == ["柯岩丙科技有限公司"]
    assert names(kind="tsme") == ["诸暨乙机械有限公司"]
    assert names(status="cultivating") == ["诸暨乙机械有限公司"]
    assert names(source="officer") == ["诸暨乙机械有限公司"]
    assert names(region="330603") == ["柯岩丙科技有限公司", "柯桥甲纺织有限公司"]
    assert names(region="330603L02") == ["柯岩丙科技有限公司"]
    assert names(q="诸暨") == ["诸暨乙机械有限公司"]


def test_list_page_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client.force_login(world["staff"])
    for _n in range(3):
        _one_short(OrganizationFactory(region=region("330603L01")))
    reserve_propose(target_year=YEAR, kind="hnte")
    url = reverse("enterprises:reserve_list")
    client.get(url)  # warm the per-process caches (regions, content types)
    with django_assert_max_num_queries(6) as few:
        assert client.get(url).status_code == 200
    for n in range(20):
        _one_short(OrganizationFactory(region=region("330681L01") if n % 2 else region("330603L02")))
    reserve_propose(target_year=YEAR, kind="hnte")
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the COUNT of a full first page
        response = client.get(url)
    assert len(response.context["rows"]) == 20


def test_transition_from_the_page_with_and_without_a_reason(client, world):
    entry = _entry(world["org_a"])
    client.force_login(world["kq_officer"])
    url = reverse("enterprises:reserve_transition", args=[entry.pk])
    back = reverse("enterprises:reserve_list") + "?status=proposed"
    response = client.post(url, {"to": "removed", "reason": "", "version": 1, "next": back}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["移出后备库时请填写理由。"]
    assert response.redirect_chain[-1][0] == back
    response = client.post(
        url, {"to": "cultivating", "reason": "已对接研发费用归集辅导", "version": 1}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["柯桥甲纺织有限公司 已改为“培育中”。"]
    assert ReserveEntry.objects.get(pk=entry.pk).status == S.CULTIVATING
    assert response.context["rows"][0][0].last_remark == "已对接研发费用归集辅导"


def test_propose_button_runs_the_rules_for_the_users_region(client, world):
    _one_short(world["org_a"])
    _one_short(world["org_b"])
    client.force_login(world["kq_staff"])
    response = client.post(
        reverse("enterprises:reserve_propose"), {"target_year": YEAR, "kind": "hnte"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"已按规则推荐 1 家企业进入{YEAR}年高新技术企业后备库。"
    ]
    assert list(ReserveEntry.objects.values_list("organization__name", flat=True)) == ["柯桥甲纺织有限公司"]


def test_excel_export_of_the_filtered_list(client, world):
    _one_short(world["org_a"])
    reserve_propose(target_year=YEAR, kind="hnte")
    _entry(world["org_b"], kind="tsme")
    client.force_login(world["staff"])
    response = client.get(reverse("enterprises:reserve_list"), {"kind": "hnte", "format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:8] == (
        "企业名称",
        "统一社会信用代码",
        "属地",
        "培育梯度",
        "培育方向",
        "目标年度",
        "自评得分（估计）",
        "未满足条件数",
    )
    assert len(rows) == 2
    assert rows[1][0] == "柯桥甲纺织有限公司"
    assert rows[1][5:8] == (YEAR, 75, 1)
    assert rows[1][10] == "系统推荐"


def test_add_page(client, world):
    client.force_login(world["kq_officer"])
    url = reverse("enterprises:reserve_add", args=[world["org_a"].pk])
    response = client.post(
        url, {"kind": "tsme", "target_year": YEAR, "reason": "走访发现研发投入大", "note": ""}
    )
    assert response.status_code == 302
    assert ReserveEntry.objects.get().source == ReserveSource.OFFICER
    assert client.get(reverse("enterprises:reserve_add", args=[world["org_b"].pk])).status_code == 404


def test_panel_for_the_enterprise_page(world):
    entry = _entry(world["org_a"])
    reserve_transition(entry=entry, to=S.CULTIVATING, reason="重点培育", by=world["kq_officer"])
    context = panel(user=world["kq_officer"], organization=world["org_a"])
    assert [e for e, _form in context["rows"]] == [ReserveEntry.objects.get()]
    assert context["can_curate"] is True
    assert [(h["from"], h["to"], h["line"].reason) for h in context["history"]] == [
        ("系统推荐", "培育中", "重点培育")
    ]
    assert panel(user=world["leader"], organization=world["org_a"])["can_curate"] is False
    assert panel(user=world["ent_a"], organization=world["org_a"]) is None
    assert panel(user=world["zj_officer"], organization=world["org_a"]) is None


# --- API -----------------------------------------------------------------------------------------------


def _api(client, user):
    client.force_login(user)
    return client


def test_api_list_propose_and_transition(client, world):
    _one_short(world["org_a"])
    api = _api(client, world["kq_staff"])
    response = api.post(
        "/api/enterprises/reserve/propose",
        json.dumps({"target_year": YEAR, "kind": "hnte"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["ids"])) == (1, 1)
    listed = api.get("/api/enterprises/reserve", {"status": "proposed"}).json()
    assert [item["organization_name"] for item in listed["items"]] == ["柯桥甲纺织有限公司"]
    assert listed["items"][0]["failed"] == 1
    pk = body["ids"][0]
    response = api.post(
        f"/api/enterprises/reserve/{pk}/transition",
        json.dumps({"to": "removed", "reason": "", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "移出后备库时请填写理由。", "field": "reason"}
    response = api.post(
        f"/api/enterprises/reserve/{pk}/transition",
        json.dumps({"to": "removed", "reason": "已迁出", "version": 1}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["status"], response.json()["last_remark"]) == (
        200,
        "removed",
        "已迁出",
    )


def test_api_refuses_enterprise_users_and_hides_other_regions(client, world):
    entry = _entry(world["org_a"])
    api = _api(client, world["ent_a"])
    assert api.get("/api/enterprises/reserve").status_code == 403
    api = _api(client, world["zj_officer"])
    assert api.get("/api/enterprises/reserve").json()["count"] == 0
    response = api.post(
        f"/api/enterprises/reserve/{entry.pk}/transition",
        json.dumps({"to": "cultivating"}),
        content_type="application/json",
    )
    assert response.status_code == 404

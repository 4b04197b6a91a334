import threading
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.projects.decision import funding_propose, meeting_record, notice_close, notice_publish
from kechuang.projects.enums import ProjectAction, ProjectState
from kechuang.projects.execution import agreement_save, agreement_transition, disbursement_record
from kechuang.projects.models import Project

from ..factories import make_call
from .test_decision import _reviewed

pytestmark = pytest.mark.django_db


def _approved(world):
    call = make_call()
    application = _reviewed(world, call, "ent_a", "90")
    funding_propose(call=call, by=world["staff"], amounts={application.pk: Decimal("200000")})
    meeting_record(
        call=call, by=world["staff"], held_on=date.today(), members="成员", minutes="通过", votes_for=5
    )
    notice = notice_publish(call=call, by=world["staff"], days=5)
    notice_close(notice=notice, by=world["staff"], at=notice.ends_at + timedelta(seconds=1))
    return Project.objects.get(application=application)


AGREEMENT = {
    "goals": "完成关键技术攻关并实现产业化。",
    "indicators": [{"name": "申请发明专利", "target": "2 项"}],
    "milestones": [{"due": "2027-06-30", "content": "完成样机"}],
    "budget_lines": [{"item": "设备费", "amount": "150000"}, {"item": "材料费", "amount": "50000"}],
    "tranches": [{"condition": "签订后", "amount": "120000"}, {"condition": "中期检查后", "amount": "80000"}],
}


def test_approval_opens_the_project_with_a_prefilled_agreement(world):
    project = _approved(world)
    assert (project.state, project.approved_amount, project.organization) == (
        ProjectState.AGREEMENT,
        Decimal("200000.00"),
        world["org_a"],
    )
    assert project.budget_lines == [
        {"item": "设备费", "amount": "200000.00"},
        {"item": "材料费", "amount": "100000.00"},
    ]
    assert project.start_on == date(2027, 1, 1)


def test_agreement_must_add_up_before_it_is_submitted_then_signed(world):
    project = _approved(world)
    with pytest.raises(DomainError) as exc:
        agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    assert exc.value.message == "请填写至少一项考核指标。"
    wrong = {**AGREEMENT, "tranches": [{"condition": "签订后", "amount": "100000"}]}
    project = agreement_save(
        project=project, by=world["ent_a"], values=wrong, expected_version=project.version
    )
    with pytest.raises(DomainError) as exc:
        agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    assert exc.value.message == "拨款计划合计 100000.00 元，应等于资助金额 200000.00 元。"
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    project = agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    with pytest.raises(PermissionDenied):
        agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SIGN)
    project = agreement_transition(project=project, by=world["staff"], action=ProjectAction.SIGN)
    assert project.state == ProjectState.IN_PROGRESS and project.signed_at is not None


def test_disbursements_never_exceed_the_approved_amount(world):
    project = _approved(world)
    with pytest.raises(DomainError) as exc:
        disbursement_record(project=project, by=world["staff"], amount=Decimal("1"), paid_on=date.today())
    assert exc.value.message == "任务书签订后才能拨付经费。"
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    agreement_transition(project=project, by=world["staff"], action=ProjectAction.SIGN)
    disbursement_record(project=project, by=world["staff"], amount=Decimal("120000"), paid_on=date.today())
    with pytest.raises(DomainError) as exc:
        disbursement_record(
            project=project, by=world["staff"], amount=Decimal("80000.01"), paid_on=date.today()
        )
    assert exc.value.message == "累计拨付将达 200000.01 元，超过资助金额 200000.00 元（已拨 120000.00 元）。"
    with pytest.raises(PermissionDenied):
        disbursement_record(project=project, by=world["ent_a"], amount=Decimal("1"), paid_on=date.today())
    assert project.disbursements.count() == 1


def test_agreement_docx_opens_in_libreoffice(client, world, tmp_path):
    from ..office import libreoffice_convert

    project = _approved(world)
    agreement_save(project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version)
    client.force_login(world["ent_a"])
    response = client.get(reverse("projects:project_docx", args=[project.pk]))
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    document = Document(BytesIO(response.content))
    assert document.paragraphs[0].text == "科技计划项目任务书"
    assert document.tables[0].rows[0].cells[1].text == project.code
    source = tmp_path / "agreement.docx"
    source.write_bytes(response.content)
    text = libreoffice_convert(source, "txt:Text").read_text(encoding="utf-8-sig")
    assert "科技计划项目任务书" in text and "申请发明专利" in text and "200000.00" in text
    client.force_login(world["ent_b"])
    assert client.get(reverse("projects:project_docx", args=[project.pk])).status_code == 403


def test_project_pages_for_applicant_and_bureau(client, world):
    project = _approved(world)
    client.force_login(world["ent_a"])
    post = {
        "version": project.version,
        "goals": AGREEMENT["goals"],
        "start_on": "2027-01-01",
        "end_on": "2028-12-31",
        "then": "submit",
        "indicators-0-name": "申请发明专利",
        "indicators-0-target": "2 项",
        "milestones-0-due": "2027-06-30",
        "milestones-0-content": "完成样机",
        "budget_lines-0-item": "设备费",
        "budget_lines-0-amount": "200000",
        "tranches-0-condition": "签订后",
        "tranches-0-amount": "200000",
    }
    client.post(reverse("projects:project", args=[project.pk]), post)
    project.refresh_from_db()
    assert project.state == ProjectState.AGREEMENT_REVIEW
    client.force_login(world["staff"])
    client.post(reverse("projects:project_decide", args=[project.pk]), {"decision": "sign"})
    client.post(
        reverse("projects:project_pay", args=[project.pk]),
        {"amount": "200000", "paid_on": date.today().isoformat(), "note": "一次拨付"},
    )
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert page.count('data-testid="disbursement"') == 1
    client.force_login(world["ent_b"])
    assert client.get(reverse("projects:project", args=[project.pk])).status_code == 403
    assert client.get(reverse("projects:project_list")).content.decode().count(project.code) == 0


@pytest.mark.postgresql  # row locks
@pytest.mark.django_db(transaction=True)
def test_two_disbursements_at_once_cannot_overspend():
    from ..conftest import build_world

    world = build_world()
    project = _approved(world)
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    agreement_transition(project=project, by=world["staff"], action=ProjectAction.SIGN)
    barrier, outcomes = threading.Barrier(2), []

    def pay():
        from django.db import connections

        barrier.wait()
        try:
            disbursement_record(
                project=project, by=world["staff"], amount=Decimal("150000"), paid_on=date.today()
            )
            outcomes.append("paid")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "refused"]
    assert project.disbursements.count() == 1


def _signed(world):
    project = _approved(world)
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    agreement_transition(project=project, by=world["ent_a"], action=ProjectAction.SUBMIT_AGREEMENT)
    return agreement_transition(project=project, by=world["staff"], action=ProjectAction.SIGN)


def test_midterm_and_change_requests(world):
    from kechuang.projects.execution import (
        change_request_decide,
        change_request_submit,
        midterm_assess,
        midterm_submit,
    )

    project = _signed(world)
    with pytest.raises(DomainError):
        midterm_submit(project=project, by=world["ent_a"], progress="进展", spending=Decimal("200000.01"))
    report = midterm_submit(
        project=project, by=world["ent_a"], progress="完成样机", spending=Decimal("90000")
    )
    with pytest.raises(PermissionDenied):
        midterm_assess(report=report, by=world["ent_a"], satisfactory=True, assessment="自评")
    midterm_assess(report=report, by=world["staff"], satisfactory=True, assessment="进展正常")
    with pytest.raises(DomainError) as exc:
        change_request_submit(
            project=project,
            by=world["ent_a"],
            kind="budget",
            reason="调整",
            new_budget_lines=[{"item": "设备费", "amount": "100000"}],
        )
    assert exc.value.message == "调整后预算合计 100000.00 元，应等于资助金额 200000.00 元。"
    extension = change_request_submit(
        project=project,
        by=world["ent_a"],
        kind="extension",
        reason="设备到货延迟",
        new_end_on=date(2029, 6, 30),
    )
    with pytest.raises(DomainError) as exc:
        change_request_submit(
            project=project, by=world["ent_a"], kind="team", reason="人员调动", team_change="换人"
        )
    assert exc.value.message == "已有待审批的变更申请。"
    change_request_decide(change=extension, by=world["staff"], approve=True, note="同意延期")
    project.refresh_from_db()
    assert project.end_on == date(2029, 6, 30)


def test_acceptance_with_a_conflict_free_panel_and_failure_blocks_the_organization(world):
    from kechuang.projects.execution import acceptance_apply, acceptance_decide
    from kechuang.projects.selectors import eligibility_for
    from kechuang.reviews.models import ExpertConflict
    from kechuang.reviews.services import acceptance_panel_draw

    from ..reviews.test_review_flow import make_expert

    project = _signed(world)
    conflicted = make_expert(99)
    ExpertConflict.objects.create(expert=conflicted, organization=world["org_a"], kind="declared")
    [make_expert(i) for i in range(6)]
    with pytest.raises(DomainError):
        acceptance_panel_draw(project=project, by=world["staff"])
    project = acceptance_apply(project=project, by=world["ent_a"], summary="全部指标完成。")
    with pytest.raises(DomainError) as exc:
        acceptance_decide(project=project, by=world["staff"], result="pass", note="好", grade="good")
    assert exc.value.message == "请先抽取验收专家组。"
    project = acceptance_panel_draw(project=project, by=world["staff"], seed=11)
    assert len(project.acceptance_panel["experts"]) == 5
    assert conflicted.pk not in project.acceptance_panel["experts"]
    failed = acceptance_decide(
        project=project, by=world["staff"], result="fail", note="核心指标未完成", grade="fail"
    )
    assert (failed.state, failed.performance_grade) == (ProjectState.FAILED, "fail")
    problems = eligibility_for(call=make_call(title="下一年度指南"), organization=world["org_a"])
    assert problems and problems[0].startswith("单位有科研失信记录")


def test_project_page_carries_midterm_change_and_acceptance(client, world):
    from ..reviews.test_review_flow import make_expert

    project = _signed(world)
    [make_expert(i) for i in range(6)]
    url = reverse("projects:project_act", args=[project.pk])
    client.force_login(world["ent_a"])
    client.post(url, {"op": "midterm", "progress": "完成样机", "spending": "80000"})
    client.post(url, {"op": "change", "kind": "team", "reason": "人员调动", "team_change": "李四接替王五"})
    client.post(url, {"op": "acceptance", "summary": "指标全部完成"})
    client.force_login(world["staff"])
    client.post(url, {"op": "panel"})
    client.post(url, {"op": "accept_decide", "result": "pass", "grade": "excellent", "note": "完成良好"})
    project.refresh_from_db()
    assert (project.state, project.performance_grade) == (ProjectState.ACCEPTED, "excellent")
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert page.count('data-testid="midterm"') == 1 and page.count('data-testid="change"') == 1
    assert 'data-testid="acceptance-panel"' in page


# 科研失信 (issue 3 §6: misconduct creates an integrity record that blocks the organization's applications).


def test_misconduct_record_blocks_the_organization_for_the_configured_period(world, settings):
    from kechuang.core.models import AuditLog
    from kechuang.projects.execution import integrity_record_create
    from kechuang.projects.selectors import eligibility_facts, eligibility_for

    settings.KECHUANG_INTEGRITY_BLOCK_DAYS = 400
    project = _approved(world)
    with pytest.raises(PermissionDenied) as exc:
        integrity_record_create(organization=world["org_a"], by=world["ent_a"], reason="自报")
    assert exc.value.message == "只有该单位所在地科技局的业务人员可以记录科研失信。"
    with pytest.raises(PermissionDenied):  # 柯桥 staff, 诸暨 organization
        integrity_record_create(organization=world["org_b"], by=world["kq_staff"], reason="数据造假")
    with pytest.raises(DomainError) as exc:
        integrity_record_create(organization=world["org_a"], by=world["staff"], reason=" ")
    assert (exc.value.message, exc.value.field) == ("请填写失信事由。", "reason")
    with pytest.raises(DomainError) as exc:
        integrity_record_create(
            organization=world["org_b"], by=world["staff"], reason="造假", project=project
        )
    assert exc.value.message == "所选项目不是该单位承担的项目。"
    with pytest.raises(DomainError) as exc:
        integrity_record_create(organization=world["org_a"], by=world["staff"], reason="造假", days=0)
    assert exc.value.message == "限制申报期限应为 1—3650 天。"

    record = integrity_record_create(
        organization=world["org_a"], by=world["kq_staff"], reason="中期报告数据造假", project=project
    )
    today = date.today()
    assert (record.kind, record.starts_on, record.ends_on, record.project, record.recorded_by) == (
        "misconduct",
        today,
        today + timedelta(days=399),  # 400 days blocked, today the first (settings in this test: 400)
        project,
        world["kq_staff"],
    )
    call = make_call(title="下一年度指南")
    facts = eligibility_facts(call=call, organization=world["org_a"])
    assert facts.integrity_blocked_until == (today + timedelta(days=399)).isoformat()
    assert eligibility_for(call=call, organization=world["org_a"])[0].startswith("单位有科研失信记录")
    assert eligibility_for(call=call, organization=world["org_b"]) == []
    line = AuditLog.objects.get(content_type__model="integrityrecord", action=AuditLog.Action.CREATE)
    assert (line.object_id, line.actor) == (str(record.pk), world["kq_staff"])
    shorter = integrity_record_create(
        organization=world["org_b"], by=world["staff"], reason="挪用经费", days=30
    )
    assert shorter.ends_on == today + timedelta(days=29)  # 30 days: today and the 29 after it


def test_misconduct_page(client, world):
    from kechuang.projects.models import IntegrityRecord

    project = _approved(world)
    url = reverse("projects:integrity_create")
    client.force_login(world["ent_a"])
    assert client.get(url).status_code == 403
    client.force_login(world["staff"])
    assert (
        client.get(reverse("projects:project", args=[project.pk]))
        .content.decode()
        .count('data-testid="misconduct-link"')
        == 1
    )
    form = client.get(f"{url}?project={project.pk}").content.decode()
    assert f'value="{world["org_a"].credit_code}"' in form and f'value="{project.code}"' in form
    response = client.post(
        f"{url}?project={project.pk}",
        {
            "credit_code": world["org_a"].credit_code,
            "project_code": project.code,
            "reason": "重复申报套取经费",
            "days": "365",
        },
    )
    record = IntegrityRecord.objects.get()
    assert response.status_code == 302
    assert (record.organization, record.project, record.kind, record.ends_on - record.starts_on) == (
        world["org_a"],
        project,
        "misconduct",
        timedelta(days=364),
    )
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="integrity-record"') == 1 and "重复申报套取经费" in page
    refused = client.post(url, {"credit_code": "91330000000000000X", "reason": "x", "days": "1"})
    assert "未找到该统一社会信用代码对应的单位。" in refused.content.decode()
    assert IntegrityRecord.objects.count() == 1


# The project API (issue 3 §9: same permissions as the pages).


def _api(client, user):
    import json

    from kechuang.accounts.services import api_token_create

    _, raw = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def send(method, url, payload=None):
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, json.dumps(payload or {}), content_type="application/json")

    return send


def test_project_lifecycle_over_the_api(client, world):
    from ..reviews.test_review_flow import make_expert

    [make_expert(i) for i in range(6)]
    project = _approved(world)
    base = f"/api/projects/{project.pk}"
    ent = _api(client, world["ent_a"])
    listed = ent("get", "/api/projects").json()
    assert (listed["count"], [p["code"] for p in listed["items"]]) == (1, [project.code])
    stale = ent("patch", f"{base}/agreement", {"version": 0, "goals": "x"})
    assert stale.status_code == 409
    saved = ent("patch", f"{base}/agreement", {"version": project.version, **AGREEMENT})
    assert (saved.status_code, saved.json()["goals"], saved.json()["indicators"]) == (
        200,
        AGREEMENT["goals"],
        AGREEMENT["indicators"],
    )
    submitted = ent("post", f"{base}/agreement/submission")
    assert (submitted.status_code, submitted.json()["state"]) == (200, "agreement_review")
    assert ent("post", f"{base}/agreement/decision", {"decision": "sign"}).status_code == 403
    staff = _api(client, world["staff"])
    returned = staff("post", f"{base}/agreement/decision", {"decision": "return"})
    assert (returned.status_code, returned.json()["detail"]) == (400, "请填写理由。")
    signed = staff("post", f"{base}/agreement/decision", {"decision": "sign"})
    # 实施中 is due 90 days after the agreement's end date, at the day's end in Asia/Shanghai.
    assert (signed.json()["state"], signed.json()["due_at"]) == ("in_progress", "2029-03-31T15:59:59Z")
    ent = _api(client, world["ent_a"])
    report = ent("post", f"{base}/midterm-reports", {"progress": "完成样机", "spending": "90000"})
    assert (report.status_code, report.json()["satisfactory"]) == (201, None)
    change = ent(
        "post", f"{base}/change-requests", {"kind": "extension", "reason": "延迟", "new_end_on": "2029-06-30"}
    )
    assert change.status_code == 201
    staff = _api(client, world["staff"])
    assessed = staff(
        "post",
        f"{base}/midterm-reports/{report.json()['id']}/assessment",
        {"satisfactory": True, "assessment": "进展正常"},
    )
    assert (assessed.status_code, assessed.json()["satisfactory"]) == (200, True)
    refused = staff(
        "post",
        f"{base}/change-requests/{change.json()['id']}/decision",
        {"approve": False, "note": "理由不足"},
    )
    assert (refused.status_code, refused.json()["approved"]) == (200, False)
    ent = _api(client, world["ent_a"])
    applied = ent("post", f"{base}/acceptance", {"summary": "指标全部完成"})
    assert applied.json()["state"] == "acceptance"
    from kechuang.reviews.services import acceptance_panel_draw

    acceptance_panel_draw(project=Project.objects.get(pk=project.pk), by=world["staff"], seed=5)
    staff = _api(client, world["staff"])
    decided = staff(
        "post", f"{base}/acceptance/decision", {"result": "pass", "grade": "good", "note": "良好"}
    )
    body = decided.json()
    assert (body["state"], body["performance_grade"], body["end_on"]) == ("accepted", "good", "2028-12-31")
    assert (
        [m["assessment"] for m in body["midterm_reports"]],
        [c["approved"] for c in body["change_requests"]],
    ) == (
        ["进展正常"],
        [False],
    )


def test_another_organization_cannot_read_or_act_on_a_project_through_the_api(client, world):
    project = _approved(world)
    base = f"/api/projects/{project.pk}"
    other = _api(client, world["ent_b"])
    assert other("get", "/api/projects").json() == {"items": [], "count": 0}
    assert other("get", base).status_code == 403
    attempts = [
        ("patch", f"{base}/agreement", {"version": project.version, "goals": "改"}),
        ("post", f"{base}/agreement/submission", None),
        ("post", f"{base}/agreement/decision", {"decision": "sign"}),
        ("post", f"{base}/midterm-reports", {"progress": "x", "spending": "1"}),
        ("post", f"{base}/change-requests", {"kind": "team", "reason": "x", "team_change": "x"}),
        ("post", f"{base}/acceptance", {"summary": "x"}),
        ("post", f"{base}/acceptance/decision", {"result": "pass", "grade": "good"}),
        ("post", f"{base}/disbursements", {"amount": "1", "paid_on": "2026-01-01"}),
        ("post", "/api/integrity-records", {"organization_id": world["org_a"].pk, "reason": "x"}),
    ]
    assert [other(m, u, p).status_code for m, u, p in attempts] == [403] * len(attempts)
    project.refresh_from_db()
    assert (project.state, project.goals, project.version) == (
        ProjectState.AGREEMENT,
        "研究高性能纤维的连续化制备工艺。",
        1,
    )
    staff = _api(client, world["staff"])
    created = staff(
        "post",
        "/api/integrity-records",
        {"organization_id": world["org_a"].pk, "reason": "数据造假", "days": 10, "project_id": project.pk},
    )
    assert (created.status_code, created.json()["kind"], created.json()["project_id"]) == (
        201,
        "misconduct",
        project.pk,
    )


def test_project_list_api_pages_by_twenty(client, world):
    project = _approved(world)
    for i in range(20):
        Project.objects.create(
            application=project.application.__class__.objects.create(
                call=project.call,
                organization=world["org_a"],
                region=world["org_a"].region,
                created_by=world["ent_a"],
                state="approved",
            ),
            call=project.call,
            organization=world["org_a"],
            region=world["org_a"].region,
            code=f"X-{i:02d}",
            title=f"项目{i}",
            approved_amount=Decimal("1"),
        )
    ent = _api(client, world["ent_a"])
    first, second = ent("get", "/api/projects").json(), ent("get", "/api/projects?page=2").json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (21, 20, 1)

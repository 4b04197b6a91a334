import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.models import Application, IntegrityRecord
from kechuang.projects.selectors import application_timeline, applications_overdue, applications_visible_to
from kechuang.projects.services import (
    application_file_add,
    application_formal_check,
    application_recommend,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
    formal_check_results,
)
from kechuang.projects.workflow import APPLICATION_WORKFLOW

from ..factories import complete_data, make_call

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF"


def _ready(world, call=None, who="ent_a"):
    """A draft with everything filled in and the report attached."""
    call = call or make_call()
    user = world[who]
    application = application_start(call=call, by=user)
    application, errors = application_save(
        application=application, by=user, raw=complete_data(), expected_version=application.version
    )
    assert errors == {}
    application_file_add(
        application=application, by=user, field_key="plan", upload=SimpleUploadedFile("plan.pdf", PDF)
    )
    application.refresh_from_db()
    return application


def _submitted(world, call=None, who="ent_a"):
    application = _ready(world, call, who)
    return application_submit(application=application, by=world[who], started_at=timezone.now())


def test_draft_is_prefilled_from_the_profile_and_keeps_a_copy_of_the_form(world):
    call = make_call()
    application = application_start(call=call, by=world["ent_a"])
    assert application.data["applicant"] == "柯桥甲纺织有限公司"
    assert application.data["credit_code"] == world["org_a"].credit_code
    assert application.state == S.DRAFT
    call.form_definition = [{"key": "title", "label": "新名称", "type": "text"}]
    call.save()
    application.refresh_from_db()
    assert len(application.form_definition) == 13  # the call's later change does not touch it


def test_read_only_prefilled_fields_cannot_be_overwritten(world):
    application = application_start(call=make_call(), by=world["ent_a"])
    application, _ = application_save(
        application=application,
        by=world["ent_a"],
        raw={"applicant": "别的公司", "title": "新项目"},
        expected_version=1,
    )
    assert (application.data["applicant"], application.title) == ("柯桥甲纺织有限公司", "新项目")


def test_autosave_with_a_stale_version_is_refused(world):
    application = application_start(call=make_call(), by=world["ent_a"])
    application_save(application=application, by=world["ent_a"], raw={"title": "一"}, expected_version=1)
    with pytest.raises(ConflictError):
        application_save(application=application, by=world["ent_a"], raw={"title": "二"}, expected_version=1)
    application.refresh_from_db()
    assert application.title == "一"


def test_submission_gets_a_receipt_number_and_moves_to_the_locality(world):
    application = _submitted(world)
    call = application.call
    assert application.state == S.SUBMITTED
    assert application.receipt_number == f"KC2026-{call.pk:04d}-{application.pk:06d}"
    assert application.holder == "locality"
    assert application.due_at is not None
    timeline = list(application_timeline(application).values_list("from_state", "to_state", "actor"))
    assert timeline == [("draft", "submitted", world["ent_a"].pk)]


def test_incomplete_application_cannot_be_submitted(world):
    application = application_start(call=make_call(), by=world["ent_a"])
    with pytest.raises(DomainError) as exc:
        application_submit(application=application, by=world["ent_a"], started_at=timezone.now())
    assert exc.value.message.startswith("申报书还有 ")
    application.refresh_from_db()
    assert application.state == S.DRAFT and application.receipt_number is None


def test_amount_above_the_cap_is_refused(world):
    application = _ready(world)
    data = {**complete_data(), "amount": "600000", "budget": [{"item": "设备费", "amount": "600000"}]}
    application, _ = application_save(
        application=application, by=world["ent_a"], raw=data, expected_version=application.version
    )
    with pytest.raises(DomainError) as exc:
        application_submit(application=application, by=world["ent_a"], started_at=timezone.now())
    assert "申请经费不能超过单项资助上限 500000.00 元。" in exc.value.message


def test_deadline_is_judged_by_when_the_submission_started_on_the_server(world):
    closes = timezone.now() + timedelta(seconds=30)
    call = make_call(closes_at=closes)
    application = _ready(world, call)
    # Started on the deadline second, committed after it: accepted.
    done = application_submit(application=application, by=world["ent_a"], started_at=closes)
    assert done.state == S.SUBMITTED and done.submit_started_at == closes

    late = _ready(world, make_call(closes_at=closes, title="另一指南"), who="ent_a")
    with pytest.raises(DomainError) as exc:
        application_submit(application=late, by=world["ent_a"], started_at=closes + timedelta(microseconds=1))
    assert exc.value.message.startswith("申报已于 ")
    late.refresh_from_db()
    assert late.state == S.DRAFT


def test_after_the_deadline_a_draft_cannot_be_changed(world):
    call = make_call()
    application = application_start(call=call, by=world["ent_a"])
    with pytest.raises(DomainError):
        application_save(
            application=application,
            by=world["ent_a"],
            raw={"title": "迟到"},
            expected_version=1,
            at=call.closes_at + timedelta(seconds=1),
        )


def test_withdraw_before_the_deadline_needs_a_reason_and_is_refused_after(world):
    application = _submitted(world)
    with pytest.raises(DomainError) as exc:
        application_withdraw(application=application, by=world["ent_a"], reason="")
    assert exc.value.message == "请填写理由。"
    with pytest.raises(DomainError):
        application_withdraw(
            application=application,
            by=world["ent_a"],
            reason="不申报了",
            at=application.call.closes_at + timedelta(seconds=1),
        )
    done = application_withdraw(application=application, by=world["ent_a"], reason="不申报了")
    assert done.state == S.WITHDRAWN


def test_ineligible_organizations_are_told_why(world):
    IntegrityRecord.objects.create(
        organization=world["org_a"],
        reason="项目验收不通过",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=365),
    )
    with pytest.raises(DomainError) as exc:
        application_start(call=make_call(), by=world["ent_a"])
    assert exc.value.message.startswith("单位有科研失信记录")


def test_one_application_per_organization_and_call(world):
    call = make_call()
    application_start(call=call, by=world["ent_a"])
    with pytest.raises(DomainError) as exc:
        application_start(call=call, by=world["ent_a"])
    assert exc.value.message == "每个单位最多申报 1 项，本单位已达上限。"


def test_other_organizations_cannot_touch_the_application(world):
    application = application_start(call=make_call(), by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        application_save(application=application, by=world["ent_b"], raw={"title": "x"}, expected_version=1)
    assert list(applications_visible_to(user=world["ent_b"])) == []


def test_recommendation_by_the_locality_within_the_quota(world):
    call = make_call(quotas={"330603": 1})
    first = _submitted(world, call)
    with pytest.raises(PermissionDenied):
        application_recommend(application=first, by=world["zj_officer"], recommend=True)
    done = application_recommend(application=first, by=world["kq_officer"], recommend=True, comment="推荐")
    assert (done.state, done.holder, done.recommendation_comment) == (S.RECOMMENDED, "bureau", "推荐")

    from ..factories import OrganizationFactory, UserFactory, region

    other_org = OrganizationFactory(name="柯桥丙公司", region=region("330603L01"))
    UserFactory(
        role="enterprise",
        organization=other_org,
        region=other_org.region,
        is_org_admin=True,
        username="ent_c",
    )
    from kechuang.accounts.models import User

    world["ent_c"] = User.objects.get(username="ent_c")
    second = _submitted(world, call, who="ent_c")
    with pytest.raises(DomainError) as exc:
        application_recommend(application=second, by=world["kq_officer"], recommend=True)
    assert exc.value.message == "柯桥区 的推荐名额（1 项）已用完。"
    declined = application_recommend(
        application=second, by=world["kq_officer"], recommend=False, comment="名额已满"
    )
    assert declined.state == S.REJECTED


def test_formal_check_lists_the_automatic_checks_and_records_the_decision(world):
    application = application_recommend(application=_submitted(world), by=world["kq_officer"], recommend=True)
    results = formal_check_results(application)
    assert [(r["check"], r["ok"]) for r in results] == [
        ("必填内容与附件", True),
        ("申请经费不超过单项上限", True),
        ("申报资格与科研诚信", True),
        ("未重复申报", True),
    ]
    with pytest.raises(PermissionDenied):
        application_formal_check(application=application, by=world["kq_staff"], decision="pass")
    returned = application_formal_check(
        application=application, by=world["staff"], decision="return", reason="请补充预算说明"
    )
    assert (returned.state, returned.correction_note, returned.holder) == (
        S.RETURNED,
        "请补充预算说明",
        "applicant",
    )
    # The applicant corrects and resubmits: back to the formal check, same receipt number.
    application_save(
        application=returned,
        by=world["ent_a"],
        raw={"summary": "补充了预算说明。"},
        expected_version=returned.version,
    )
    again = application_submit(application=returned, by=world["ent_a"], started_at=timezone.now())
    assert (again.state, again.receipt_number, again.correction_note) == (
        S.RECOMMENDED,
        returned.receipt_number,
        "",
    )
    passed = application_formal_check(application=again, by=world["staff"], decision="pass")
    assert passed.state == S.CHECKED
    states = list(application_timeline(passed).values_list("to_state", flat=True))
    assert states == ["submitted", "recommended", "returned", "recommended", "checked"]


def test_near_duplicate_in_another_call_is_flagged(world):
    first = _submitted(world, make_call(title="指南一"))
    second = _ready(world, make_call(title="指南二", region_code="330603"))
    results = {r["check"]: r for r in formal_check_results(second)}
    assert results["未重复申报"]["ok"] is False
    assert results["未重复申报"]["detail"] == f"指南一：{first.title}"


def test_every_transition_not_in_the_workflow_is_refused(world):
    application = _submitted(world)
    for action in ["pass_check", "return", "reject", "submit"]:
        with pytest.raises(DomainError) as exc:
            APPLICATION_WORKFLOW.apply(instance=application, action=action, by=world["staff"], reason="x")
        label = {"pass_check": "形式审查通过", "return": "退回修改", "reject": "不予受理", "submit": "提交"}[
            action
        ]
        assert exc.value.message == f"当前状态为“已提交，待属地推荐”，不能执行“{label}”。"
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


def test_attachment_type_and_size_are_checked(world):
    application = application_start(call=make_call(), by=world["ent_a"])
    with pytest.raises(DomainError) as exc:
        application_file_add(
            application=application,
            by=world["ent_a"],
            field_key="plan",
            upload=SimpleUploadedFile("plan.png", b"\x89PNG\r\n\x1a\n"),
        )
    assert exc.value.message == "可行性研究报告只接受 PDF 文件。"
    with pytest.raises(DomainError) as exc:
        application_file_add(
            application=application,
            by=world["ent_a"],
            field_key="plan",
            upload=SimpleUploadedFile("plan.pdf", b"not a pdf"),
        )
    assert exc.value.message == "文件内容与扩展名不符，请上传真实的 PDF、PNG 或 JPG 文件。"
    assert application.files.count() == 0


def test_overdue_list_for_officers(world):
    application = _submitted(world)
    Application.objects.filter(pk=application.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(applications_overdue(user=world["kq_officer"])) == [application]
    assert list(applications_overdue(user=world["zj_officer"])) == []


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_cannot_both_win():
    if connection.vendor == "sqlite":
        pytest.skip("needs row locks: runs in the PostgreSQL pass of CI")
    from ..conftest import build_world

    world = build_world()
    application = application_recommend(application=_submitted(world), by=world["kq_officer"], recommend=True)
    outcomes = []
    barrier = threading.Barrier(2)

    def decide(decision):
        from django.db import connections

        barrier.wait()
        try:
            application_formal_check(
                application=application, by=world["staff"], decision=decision, reason="并发"
            )
            outcomes.append(decision)
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(d,)) for d in ("pass", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "refused" or sorted(outcomes)[0] == "refused"
    application.refresh_from_db()
    assert application.state in (S.CHECKED, S.REJECTED)
    assert application_timeline(application).filter(from_state="recommended").count() == 1


def test_workflow_refuses_every_pair_not_in_its_table(world):
    """Exhaustive: for every state and every action, apply succeeds exactly when the table has the pair."""
    from kechuang.projects.enums import ApplicationAction

    root = world["admin"]
    root.is_superuser = True
    root.save()
    application = _submitted(world)
    for state in S.values:
        for action in ApplicationAction.values:
            Application.objects.filter(pk=application.pk).update(state=state)
            allowed = (state, action) in APPLICATION_WORKFLOW.transitions
            try:
                APPLICATION_WORKFLOW.apply(instance=application, action=action, by=root, reason="理由")
                happened = True
            except PermissionDenied:
                happened = None  # the table has it, but the role does not
            except DomainError:
                happened = False
            assert happened is not False if allowed else happened is False, (state, action)

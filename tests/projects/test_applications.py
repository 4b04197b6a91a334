import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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
    assert results["未重复申报"]["detail"] == (
        f"{first.receipt_number}（指南一：{first.title}；标题相似度 100%，内容相似度 100%）"
    )


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


@pytest.mark.postgresql  # row locks
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_cannot_both_win():
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


# --- Formal check: "the same project submitted to another open call (near-duplicate title or content)" ---

COPIED_SUMMARY = (
    "本项目面向纺织印染企业，研发基于机器视觉的布面瑕疵在线检测系统，采用深度卷积网络识别断经、"
    "纬斜、油污和破洞等缺陷，检测速度达到每分钟六十米，准确率不低于百分之九十五，"
    "并与验布机和生产执行系统联动，实现缺陷自动标记与质量追溯。"
)


def _ready_with(world, call, who, **data):
    application = _ready(world, call, who)
    application, errors = application_save(
        application=application, by=world[who], raw=data, expected_version=application.version
    )
    assert errors == {}
    return application


def _two_calls():
    # Two programs, so that both enterprises may apply to the first and 柯桥 enterprises to the second.
    return make_call(title="指南一"), make_call(title="指南二", region_code="330603")


def test_a_copy_of_the_content_under_another_title_and_organization_in_an_open_call_is_flagged(world):
    first_call, second_call = _two_calls()
    original = application_submit(
        application=_ready_with(
            world, first_call, "ent_b", title="布面瑕疵智能检测系统研制", summary=COPIED_SUMMARY
        ),
        by=world["ent_b"],
        started_at=timezone.now(),
    )
    # Another organization sends the same text, one sentence reworded, under a new title.
    copy = _ready_with(
        world,
        second_call,
        "ent_a",
        title="印染面料缺陷视觉识别装备产业化",
        summary=COPIED_SUMMARY.replace("检测速度达到每分钟六十米", "检测速度可达每分钟六十米"),
    )
    results = {r["check"]: r for r in formal_check_results(copy, viewer=world["staff"])}
    assert results["未重复申报"]["ok"] is False
    assert results["未重复申报"]["detail"] == (
        f"{original.receipt_number}（指南一：布面瑕疵智能检测系统研制；标题相似度 0%，内容相似度 99%）"
    )
    # 柯桥's staff are told of the copy, but not the title or receipt number of 诸暨's application.
    results = {r["check"]: r for r in formal_check_results(copy, viewer=world["kq_staff"])}
    assert (results["未重复申报"]["ok"], results["未重复申报"]["detail"]) == (
        False,
        "辖区外另一单位的申报书（指南一；标题相似度 0%，内容相似度 99%）",
    )


def test_a_near_duplicate_in_a_closed_and_decided_call_is_not_flagged(world):
    from kechuang.projects.models import Call

    first_call, second_call = _two_calls()
    original = application_submit(
        application=_ready_with(world, first_call, "ent_b", summary=COPIED_SUMMARY),
        by=world["ent_b"],
        started_at=timezone.now(),
    )
    # The first call has closed and every application in it is decided.
    Call.objects.filter(pk=first_call.pk).update(
        opens_at=timezone.now() - timedelta(days=200), closes_at=timezone.now() - timedelta(days=100)
    )
    Application.objects.filter(pk=original.pk).update(state=S.NOT_APPROVED)
    copy = _ready_with(world, second_call, "ent_a", summary=COPIED_SUMMARY)
    results = {r["check"]: r for r in formal_check_results(copy)}
    assert (results["未重复申报"]["ok"], results["未重复申报"]["detail"]) == (True, "")
    # While a closed call is still being decided, it counts.
    Application.objects.filter(pk=original.pk).update(state=S.IN_REVIEW)
    results = {r["check"]: r for r in formal_check_results(copy)}
    assert results["未重复申报"]["ok"] is False


def test_an_unrelated_application_in_an_open_call_is_not_flagged(world):
    from kechuang.projects.selectors import near_duplicates

    first_call, second_call = _two_calls()
    application_submit(
        application=_ready_with(
            world,
            first_call,
            "ent_b",
            title="数控机床主轴热误差补偿技术研究",
            summary="建立主轴温度场与热变形模型，开发实时补偿控制器，使加工精度提高一个等级。",
        ),
        by=world["ent_b"],
        started_at=timezone.now(),
    )
    mine = _ready_with(world, second_call, "ent_a", summary=COPIED_SUMMARY)
    assert near_duplicates(mine) == []
    results = {r["check"]: r for r in formal_check_results(mine)}
    assert (results["未重复申报"]["ok"], results["未重复申报"]["detail"]) == (True, "")


def test_drafts_and_withdrawn_applications_in_other_calls_are_not_compared(world):
    from kechuang.projects.selectors import near_duplicates

    first_call, second_call = _two_calls()
    draft = _ready_with(world, first_call, "ent_b", summary=COPIED_SUMMARY)
    mine = _ready_with(world, second_call, "ent_a", summary=COPIED_SUMMARY)
    assert near_duplicates(mine) == []
    submitted = application_submit(application=draft, by=world["ent_b"], started_at=timezone.now())
    assert [d.receipt_number for d in near_duplicates(mine)] == [submitted.receipt_number]
    application_withdraw(application=submitted, by=world["ent_b"], reason="不再申报")
    assert near_duplicates(mine) == []


# --- Issue 3 item 10: no lost update between two officers; deadlines judged by the server's arrival stamp ---


@pytest.mark.postgresql  # row locks
@pytest.mark.django_db(transaction=True)
def test_two_different_officers_deciding_at_once_cannot_both_win():
    from ..conftest import build_world

    world = build_world()
    officers = {"pass": world["staff"], "reject": world["admin"]}  # two bureau users of 绍兴市科技局
    application = application_recommend(application=_submitted(world), by=world["kq_officer"], recommend=True)
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def decide(decision):
        from django.db import connections

        try:
            barrier.wait()
            application_formal_check(
                application=application, by=officers[decision], decision=decision, reason="并发处理"
            )
            outcomes[decision] = "won"
        except DomainError as exc:
            outcomes[decision] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(d,)) for d in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [d for d, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1, outcomes
    (winner,) = winners
    (loser,) = set(officers) - {winner}
    application.refresh_from_db()
    assert application.state == {"pass": S.CHECKED, "reject": S.REJECTED}[winner]
    label = {"pass": "形式审查通过", "reject": "不予受理"}[loser]
    assert outcomes[loser] == f"当前状态为“{application.get_state_display()}”，不能执行“{label}”。"
    after_check = application_timeline(application).filter(from_state="recommended")
    assert list(after_check.values_list("actor", "to_state")) == [(officers[winner].pk, application.state)]


def test_a_submission_arriving_at_the_deadline_second_is_judged_by_the_arrival_stamp(
    client, world, monkeypatch
):
    """Deadlines are judged by request.received_at, stamped by ReceivedAtMiddleware when the request arrives.

    The call closed a second ago on the real clock; only the arrival stamp is set, by giving the middleware
    a clock that reads the stamp (services keep the real clock, so the work is done after the deadline).
    """
    from types import SimpleNamespace

    from django.contrib.messages import get_messages
    from django.urls import reverse

    from kechuang.core import middleware
    from kechuang.projects.models import Call

    call = make_call()
    application = _ready(world, call)
    deadline = (timezone.now() - timedelta(seconds=1)).replace(microsecond=0)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    client.force_login(world["ent_a"])
    url = reverse("projects:application_submit", args=[application.pk])

    monkeypatch.setattr(middleware, "timezone", SimpleNamespace(now=lambda: deadline + timedelta(seconds=1)))
    late = client.post(url)
    assert late["Location"] == reverse("projects:application_edit", args=[application.pk]) + "?check=1"
    shown = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S")
    assert [str(m) for m in get_messages(late.wsgi_request)] == [f"申报已于 {shown} 截止，不能再提交或修改。"]
    application.refresh_from_db()
    assert (application.state, application.receipt_number) == (S.DRAFT, None)

    monkeypatch.setattr(middleware, "timezone", SimpleNamespace(now=lambda: deadline))
    on_time = client.post(url)
    assert on_time["Location"] == reverse("projects:application_detail", args=[application.pk])
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert application.submit_started_at == deadline
    assert application.submitted_at > deadline  # committed after the deadline, accepted all the same


def test_near_duplicate_search_is_two_queries_and_ranks_the_copy_before_the_cap(
    world, django_assert_num_queries
):
    from kechuang.projects.selectors import NEAR_DUPLICATE_CANDIDATES, near_duplicates
    from kechuang.projects.similarity import fingerprints

    first_call, second_call = _two_calls()
    others = [
        Application(
            call=first_call,
            organization=world["institution"].organization,
            region=world["institution"].organization.region,
            created_by=world["institution"],
            title=f"纺织印染企业数字化改造第{n}期",
            state=S.SUBMITTED,
            receipt_number=f"KC2026-X-{n:06d}",
            submitted_at=timezone.now(),
            form_definition=first_call.form_definition,
            data={"summary": "面向纺织印染企业开展生产执行系统改造，提升质量追溯能力。"},
            # bulk_create skips the submission service, which fingerprints each application.
            **fingerprints(
                f"纺织印染企业数字化改造第{n}期",
                first_call.form_definition,
                {"summary": "面向纺织印染企业开展生产执行系统改造，提升质量追溯能力。"},
            ),
        )
        for n in range(NEAR_DUPLICATE_CANDIDATES + 10)
    ]
    Application.objects.bulk_create(others)
    copy = application_submit(
        application=_ready_with(world, first_call, "ent_b", title="布面瑕疵检测", summary=COPIED_SUMMARY),
        by=world["ent_b"],
        started_at=timezone.now() - timedelta(days=1),
    )
    # The copy is the oldest candidate: only the ranking by fingerprint distance keeps it under the cap.
    Application.objects.filter(pk=copy.pk).update(submitted_at=timezone.now() - timedelta(days=1))
    mine = _ready_with(world, second_call, "ent_a", summary=COPIED_SUMMARY)
    # The live calls, then the nearest ones' texts (distances computed by the database): however many.
    with django_assert_num_queries(2):
        hits = near_duplicates(mine)
    assert [(h.receipt_number, round(h.content_similarity, 2)) for h in hits] == [(copy.receipt_number, 1.0)]


def test_rejected_ones_are_not_duplicates_and_approved_ones_are_in_any_call(world):
    from kechuang.projects.selectors import near_duplicates

    first_call, second_call = _two_calls()
    original = application_submit(
        application=_ready_with(world, first_call, "ent_b", summary=COPIED_SUMMARY),
        by=world["ent_b"],
        started_at=timezone.now(),
    )
    mine = _ready_with(world, second_call, "ent_a", summary=COPIED_SUMMARY)
    Application.objects.filter(pk=original.pk).update(state=S.REJECTED)
    assert near_duplicates(mine) == []
    # Funded last year in a call long decided: still the same project funded twice.
    Application.objects.filter(pk=original.pk).update(state=S.APPROVED)
    first_call.applications.exclude(pk=original.pk).delete()
    type(first_call).objects.filter(pk=first_call.pk).update(
        opens_at=timezone.now() - timedelta(days=400), closes_at=timezone.now() - timedelta(days=360)
    )
    assert [d.receipt_number for d in near_duplicates(mine)] == [original.receipt_number]

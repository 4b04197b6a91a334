"""The project workflow (issue 3 §7): one table holds every state and transition; everything else is refused
on the server, and every transition is in the audit trail."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.projects.enums import ProjectAction as A
from kechuang.projects.enums import ProjectState as S
from kechuang.projects.execution import (
    acceptance_apply,
    acceptance_decide,
    agreement_save,
    agreement_transition,
    change_request_decide,
    change_request_submit,
)
from kechuang.projects.models import Call, IntegrityRecord, Project
from kechuang.projects.selectors import projects_overdue
from kechuang.projects.workflow import ACCEPTANCE_APPLICATION_DAYS, PROJECT_STAGE_DAYS, PROJECT_WORKFLOW

from .test_execution import AGREEMENT, _approved, _signed

pytestmark = pytest.mark.django_db


def _transitions(project):
    return AuditLog.objects.filter(
        content_type__model="project", object_id=str(project.pk), action=AuditLog.Action.TRANSITION
    ).order_by("id")


def test_project_workflow_refuses_every_pair_not_in_its_table(world):
    """Exhaustive: for every state and every action, apply succeeds exactly when the table has the pair."""
    root = world["admin"]
    root.is_superuser = True
    root.save()
    project = _approved(world)
    for state in S.values:
        for action in A.values:
            Project.objects.filter(pk=project.pk).update(state=state)
            allowed = (state, action) in PROJECT_WORKFLOW.transitions
            try:
                PROJECT_WORKFLOW.apply(instance=project, action=action, by=root, reason="理由")
                happened = True
            except PermissionDenied:
                happened = None  # the table has it, but the role does not (applicant's steps)
            except DomainError as exc:
                assert exc.message.startswith("当前状态为"), (state, action, exc.message)
                happened = False
            assert happened is not False if allowed else happened is False, (state, action)
            if not allowed:
                assert Project.objects.get(pk=project.pk).state == state


def test_every_allowed_transition_writes_an_audit_line(world):
    project = _approved(world)
    for (state, action), transition in PROJECT_WORKFLOW.transitions.items():
        Project.objects.filter(pk=project.pk).update(state=state)
        project.refresh_from_db()
        who = world["ent_a"] if transition.allowed(world["ent_a"], project) else world["staff"]
        done = PROJECT_WORKFLOW.apply(instance=project, action=action, by=who, reason=f"{action} 理由")
        assert done.state == transition.target
        line = _transitions(project).last()
        assert (line.from_state, line.to_state, line.actor, line.reason) == (
            state,
            transition.target,
            who,
            f"{action} 理由",
        ), (state, action)
    assert _transitions(project).count() == len(PROJECT_WORKFLOW.transitions)


def test_the_other_role_is_refused_on_every_transition(world):
    """Applicant steps refuse bureau staff and vice versa; another organization is refused everything."""
    project = _approved(world)
    for (state, action), transition in PROJECT_WORKFLOW.transitions.items():
        Project.objects.filter(pk=project.pk).update(state=state)
        project.refresh_from_db()
        applicant_step = bool(transition.allowed(world["ent_a"], project))
        for who in ("ent_b", "kq_officer", "expert", "staff" if applicant_step else "ent_a"):
            with pytest.raises(PermissionDenied):
                PROJECT_WORKFLOW.apply(instance=project, action=action, by=world[who], reason="理由")
            assert Project.objects.get(pk=project.pk).state == state


def test_returned_agreement_goes_back_to_drafting_with_its_reason(world):
    project = _approved(world)
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    agreement_transition(project=project, by=world["ent_a"], action=A.SUBMIT_AGREEMENT)
    with pytest.raises(DomainError) as exc:
        agreement_transition(project=project, by=world["staff"], action=A.RETURN_AGREEMENT, reason=" ")
    assert exc.value.message == "请填写理由。"
    done = agreement_transition(
        project=project, by=world["staff"], action=A.RETURN_AGREEMENT, reason="指标不具体"
    )
    assert done.state == S.AGREEMENT
    assert [(t.from_state, t.to_state, t.reason) for t in _transitions(project)] == [
        (S.AGREEMENT, S.AGREEMENT_REVIEW, ""),
        (S.AGREEMENT_REVIEW, S.AGREEMENT, "指标不具体"),
    ]


def test_conditional_pass_needs_a_reason_and_does_not_block_the_organization(world):
    from kechuang.reviews.services import acceptance_panel_draw

    from ..reviews.test_review_flow import make_expert

    [make_expert(i) for i in range(6)]
    project = _signed(world)
    project = acceptance_apply(project=project, by=world["ent_a"], summary="主要指标完成，专利尚在审查。")
    project = acceptance_panel_draw(project=project, by=world["staff"], seed=3)
    with pytest.raises(PermissionDenied):
        acceptance_decide(project=project, by=world["ent_a"], result="conditional", note="自评", grade="pass")
    with pytest.raises(DomainError) as exc:
        acceptance_decide(project=project, by=world["staff"], result="conditional", note="", grade="pass")
    assert exc.value.message == "请填写理由。"
    done = acceptance_decide(
        project=project,
        by=world["staff"],
        result="conditional",
        note="三个月内补交专利受理通知书",
        grade="pass",
    )
    assert (done.state, done.performance_grade, done.acceptance_note, done.due_at) == (
        S.CONDITIONAL,
        "pass",
        "三个月内补交专利受理通知书",
        None,
    )
    line = _transitions(project).last()
    assert (line.from_state, line.to_state, line.actor, line.reason) == (
        S.ACCEPTANCE,
        S.CONDITIONAL,
        world["staff"],
        "三个月内补交专利受理通知书",
    )
    assert IntegrityRecord.objects.filter(organization=world["org_a"]).count() == 0
    with pytest.raises(DomainError) as exc:
        acceptance_decide(project=done, by=world["staff"], result="fail", note="改判", grade="fail")
    assert exc.value.message == "当前状态为“结题（整改后通过）”，不能执行“验收不通过”。"


def test_refused_change_request_changes_nothing_and_is_recorded(world):
    project = _signed(world)
    change = change_request_submit(
        project=project,
        by=world["ent_a"],
        kind="extension",
        reason="设备到货延迟",
        new_end_on=date(2029, 6, 30),
    )
    with pytest.raises(PermissionDenied):
        change_request_decide(change=change, by=world["ent_a"], approve=True, note="自批")
    with pytest.raises(DomainError) as exc:
        change_request_decide(change=change, by=world["staff"], approve=False, note="")
    assert (exc.value.message, exc.value.field) == ("请填写审批意见。", "note")
    refused = change_request_decide(change=change, by=world["staff"], approve=False, note="延期理由不充分")
    assert (refused.approved, refused.decided_by, refused.decision_note) == (
        False,
        world["staff"],
        "延期理由不充分",
    )
    project.refresh_from_db()
    assert project.end_on == date(2028, 12, 31)
    with pytest.raises(DomainError) as exc:
        change_request_decide(change=change, by=world["staff"], approve=True, note="改为同意")
    assert exc.value.message == "该变更申请已审批。"
    update = AuditLog.objects.filter(
        content_type__model="changerequest", object_id=str(change.pk), action=AuditLog.Action.UPDATE
    ).get()
    assert (update.actor, update.changes["approved"]) == (world["staff"], ["None", "False"])
    # A refused request no longer blocks a new one.
    again = change_request_submit(
        project=project, by=world["ent_a"], kind="team", reason="人员调动", team_change="换人"
    )
    assert again.approved is None


# Time limits of the project stages (issue 3 §2: every stage has a time limit; officers see what is overdue).


def test_each_timed_stage_gets_its_due_date_and_untimed_stages_none(world):
    before = timezone.now()
    project = _approved(world)
    assert before + timedelta(days=30) <= project.due_at <= timezone.now() + timedelta(days=30)
    project = agreement_save(
        project=project, by=world["ent_a"], values=AGREEMENT, expected_version=project.version
    )
    # A call may set its own limits under the project states' names.
    Call.objects.filter(pk=project.call_id).update(stage_days={"agreement_review": 3})
    project = Project.objects.get(pk=project.pk)
    at = timezone.now()
    project = agreement_transition(project=project, by=world["ent_a"], action=A.SUBMIT_AGREEMENT)
    assert at + timedelta(days=3) <= project.due_at <= timezone.now() + timedelta(days=3)
    project = agreement_transition(project=project, by=world["staff"], action=A.SIGN)
    # 实施中 runs to the agreement's end date, then 90 days to apply for acceptance.
    assert timezone.localtime(project.due_at) == timezone.make_aware(
        datetime.combine(project.end_on + timedelta(days=ACCEPTANCE_APPLICATION_DAYS), time(23, 59, 59))
    )
    # An approved extension moves that limit with the end date.
    from kechuang.projects.execution import change_request_decide, change_request_submit

    change = change_request_submit(
        project=project,
        by=world["ent_a"],
        kind="extension",
        reason="设备到货延迟",
        new_end_on=project.end_on + timedelta(days=180),
    )
    change_request_decide(change=change, by=world["staff"], approve=True, note="同意延期")
    project = Project.objects.get(pk=project.pk)
    assert timezone.localtime(project.due_at).date() == project.end_on + timedelta(
        days=ACCEPTANCE_APPLICATION_DAYS
    )
    at = timezone.now()
    project = acceptance_apply(project=project, by=world["ent_a"], summary="完成")
    days = PROJECT_STAGE_DAYS[S.ACCEPTANCE]
    assert at + timedelta(days=days) <= project.due_at <= timezone.now() + timedelta(days=days)


def test_overdue_projects_are_listed_for_officers_and_counted_on_the_workbench(client, world):
    from kechuang.accounts.workbench import tiles_for

    late = _approved(world)
    Project.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert list(projects_overdue(user=world["staff"])) == [late]
    assert list(projects_overdue(user=world["kq_staff"])) == [late]  # the project's county
    assert list(projects_overdue(user=world["ent_b"])) == []
    Project.objects.filter(pk=late.pk).update(state=S.ACCEPTED)
    assert list(projects_overdue(user=world["staff"])) == []  # only timed stages can be overdue
    Project.objects.filter(pk=late.pk).update(state=S.AGREEMENT_REVIEW)

    client.force_login(world["staff"])
    listed = client.get(reverse("projects:project_list") + "?overdue=1").content.decode()
    assert listed.count('data-testid="project-row"') == 1 and late.code in listed
    Project.objects.filter(pk=late.pk).update(due_at=timezone.now() + timedelta(days=1))
    listed = client.get(reverse("projects:project_list") + "?overdue=1").content.decode()
    assert listed.count('data-testid="project-row"') == 0
    assert (
        client.get(reverse("projects:project_list")).content.decode().count('data-testid="project-row"') == 1
    )
    Project.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    tile = next(t for t in tiles_for(world["staff"]) if str(t.title) == "立项项目")
    assert tile.count == 1
    page = client.get(reverse("projects:project", args=[late.pk])).content.decode()
    assert page.count('data-testid="project-overdue"') == 1


def test_the_public_notice_stage_is_due_when_the_notice_ends_plus_closing_days(world):
    from decimal import Decimal

    from kechuang.projects.decision import funding_propose, meeting_record, notice_publish
    from kechuang.projects.workflow import NOTICE_CLOSE_DAYS

    from ..factories import make_call
    from .test_decision import _reviewed

    call = make_call()
    application = _reviewed(world, call, "ent_a", "90")
    funding_propose(call=call, by=world["staff"], amounts={application.pk: Decimal("200000")})
    meeting_record(
        call=call, by=world["staff"], held_on=date.today(), members="成员", minutes="通过", votes_for=5
    )
    notice = notice_publish(call=call, by=world["staff"], days=7)
    application.refresh_from_db()
    assert (application.state, application.holder, application.due_at) == (
        "in_notice",
        "bureau",
        notice.ends_at + timedelta(days=NOTICE_CLOSE_DAYS),
    )

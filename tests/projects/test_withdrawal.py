"""Withdrawal (issue 3 §2): before the deadline the applicant withdraws; once the application is accepted
into processing and until approval (立项), only through a recorded request (撤回申请) the bureau decides."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.accounts.services import api_token_create
from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.models import Application, Call, WithdrawalRequest
from kechuang.projects.selectors import application_timeline
from kechuang.projects.services import (
    application_recommend,
    application_withdraw,
    withdrawal_request_decide,
    withdrawal_request_submit,
)

from .test_applications import _submitted

pytestmark = pytest.mark.django_db


def _recommended(world):
    application = _submitted(world)
    return application_recommend(
        application=application, by=world["kq_officer"], recommend=True, comment="同意"
    )


def test_before_the_deadline_the_applicant_withdraws_directly_and_needs_no_request(world):
    application = _submitted(world)
    with pytest.raises(PermissionDenied) as exc:
        withdrawal_request_submit(application=application, by=world["ent_a"], reason="不再申报")
    assert exc.value.message == "申报截止前可直接撤回，无需提出撤回申请。"
    done = application_withdraw(application=application, by=world["ent_a"], reason="不再申报")
    assert done.state == S.WITHDRAWN


def test_after_the_deadline_a_submitted_application_is_withdrawn_only_on_request(world):
    application = _submitted(world)
    Call.objects.filter(pk=application.call_id).update(closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError) as exc:
        application_withdraw(application=application, by=world["ent_a"], reason="不再申报")
    assert exc.value.message == "申报已截止，撤回须向科技局提出申请。"
    request = withdrawal_request_submit(application=application, by=world["ent_a"], reason="合作方退出")
    done = withdrawal_request_decide(withdrawal=request, by=world["staff"], approve=True)
    assert done.application.state == Application.objects.get(pk=application.pk).state == S.WITHDRAWN


def test_accepted_application_cannot_be_withdrawn_by_the_applicant_itself(world):
    application = _recommended(world)
    with pytest.raises(DomainError) as exc:
        application_withdraw(application=application, by=world["ent_a"], reason="不做了")
    assert exc.value.message == "当前状态为“已推荐，待形式审查”，不能执行“撤回”。"


def test_request_refused_then_granted_both_recorded_and_audited(world):
    application = _recommended(world)
    with pytest.raises(DomainError) as exc:
        withdrawal_request_submit(application=application, by=world["ent_a"], reason="  ")
    assert (exc.value.message, exc.value.field) == ("请填写撤回理由。", "reason")
    with pytest.raises(PermissionDenied):
        withdrawal_request_submit(application=application, by=world["ent_b"], reason="别人的")
    first = withdrawal_request_submit(application=application, by=world["ent_a"], reason="团队负责人调离")
    with pytest.raises(DomainError) as exc:
        withdrawal_request_submit(application=application, by=world["ent_a"], reason="再次申请")
    assert exc.value.message == "已有待审批的撤回申请。"
    # Only the bureau running the program decides: not the applicant, not a county bureau.
    for who in ("ent_a", "kq_staff", "kq_officer"):
        with pytest.raises(PermissionDenied):
            withdrawal_request_decide(withdrawal=first, by=world[who], approve=True)
    with pytest.raises(DomainError) as exc:
        withdrawal_request_decide(withdrawal=first, by=world["staff"], approve=False, note="")
    assert (exc.value.message, exc.value.field) == ("不同意撤回时请填写理由。", "note")
    refused = withdrawal_request_decide(
        withdrawal=first, by=world["staff"], approve=False, note="已进入形式审查，请说明调离证明"
    )
    assert (refused.approved, refused.decided_by, refused.decision_note) == (
        False,
        world["staff"],
        "已进入形式审查，请说明调离证明",
    )
    assert refused.decided_at is not None
    assert Application.objects.get(pk=application.pk).state == S.RECOMMENDED
    with pytest.raises(DomainError) as exc:
        withdrawal_request_decide(withdrawal=first, by=world["staff"], approve=True)
    assert exc.value.message == "该撤回申请已审批。"

    Application.objects.filter(pk=application.pk).update(state=S.IN_REVIEW)
    second = withdrawal_request_submit(application=application, by=world["ent_a"], reason="附调离证明")
    granted = withdrawal_request_decide(withdrawal=second, by=world["staff"], approve=True, note="同意")
    assert (granted.approved, granted.decided_by) == (True, world["staff"])
    application.refresh_from_db()
    assert (application.state, application.holder, application.due_at) == (S.WITHDRAWN, "", None)
    last = application_timeline(application).last()
    assert (last.from_state, last.to_state, last.actor, last.reason) == (
        S.IN_REVIEW,
        S.WITHDRAWN,
        world["staff"],
        "撤回申请：附调离证明；同意",
    )
    assert list(application.withdrawal_requests.values_list("approved", flat=True)) == [False, True]
    created = AuditLog.objects.filter(
        content_type__model="withdrawalrequest", action=AuditLog.Action.CREATE
    ).order_by("id")
    assert [(a.object_id, a.actor) for a in created] == [
        (str(first.pk), world["ent_a"]),
        (str(second.pk), world["ent_a"]),
    ]


@pytest.mark.parametrize(
    "state", [S.RECOMMENDED, S.RETURNED, S.CHECKED, S.IN_REVIEW, S.REVIEWED, S.PROPOSED, S.IN_NOTICE]
)
def test_every_processing_state_before_approval_can_be_withdrawn_on_request(world, state):
    application = _submitted(world)
    Application.objects.filter(pk=application.pk).update(state=state)
    request = withdrawal_request_submit(application=application, by=world["ent_a"], reason="理由")
    withdrawal_request_decide(withdrawal=request, by=world["staff"], approve=True)
    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN


@pytest.mark.parametrize(
    "state,message",
    [
        (S.APPROVED, "项目已立项，不能撤回；如需终止或调整，请提交项目变更申请。"),
        (S.NOT_APPROVED, "当前状态不能申请撤回。"),
        (S.REJECTED, "当前状态不能申请撤回。"),
        (S.WITHDRAWN, "当前状态不能申请撤回。"),
        (S.DRAFT, "当前状态不能申请撤回。"),
    ],
)
def test_no_request_outside_processing(world, state, message):
    application = _submitted(world)
    Application.objects.filter(pk=application.pk).update(state=state)
    with pytest.raises(PermissionDenied) as exc:
        withdrawal_request_submit(application=application, by=world["ent_a"], reason="理由")
    assert exc.value.message == message


def test_a_request_granted_after_approval_is_refused_and_changes_nothing(world):
    application = _recommended(world)
    request = withdrawal_request_submit(application=application, by=world["ent_a"], reason="理由")
    Application.objects.filter(pk=application.pk).update(state=S.APPROVED)
    with pytest.raises(DomainError) as exc:
        withdrawal_request_decide(withdrawal=request, by=world["staff"], approve=True)
    assert exc.value.message == "当前状态为“已立项”，不能执行“准予撤回”。"
    request.refresh_from_db()
    assert (request.approved, request.decided_by) == (None, None)


def test_withdrawal_request_on_the_detail_page(client, world):
    application = _recommended(world)
    detail = reverse("projects:application_detail", args=[application.pk])
    client.force_login(world["ent_a"])
    page = client.get(detail).content.decode()
    assert page.count('data-testid="request-withdrawal"') == 1
    client.post(
        reverse("projects:withdrawal_request_create", args=[application.pk]), {"reason": "团队负责人调离"}
    )
    page = client.get(detail).content.decode()
    assert (
        page.count('data-testid="withdrawal-request"'),
        page.count('data-testid="request-withdrawal"'),
    ) == (
        1,
        0,
    )
    assert "团队负责人调离" in page and "待科技局审批" in page
    request = WithdrawalRequest.objects.get()
    decide = reverse("projects:withdrawal_request_decide", args=[request.pk])
    client.post(decide, {"decision": "approve", "reason": ""})
    assert WithdrawalRequest.objects.get().approved is None  # the applicant cannot decide
    client.force_login(world["staff"])
    assert client.get(detail).content.decode().count(f'action="{decide}"') == 1
    client.post(decide, {"decision": "approve", "reason": "同意撤回"})
    application.refresh_from_db()
    assert application.state == S.WITHDRAWN
    page = client.get(detail).content.decode()
    assert 'data-testid="withdrawal-decision">同意撤回<' in page
    assert "撤回申请：团队负责人调离；同意撤回" in page  # the timeline line


def test_withdrawal_request_over_the_api(client, world):
    application = _recommended(world)

    def api(user):
        _, raw = api_token_create(user=user, name="t")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    def post(url, payload):
        return client.post(url, json.dumps(payload), content_type="application/json")

    url = f"/api/applications/{application.pk}/withdrawal-requests"
    api(world["ent_b"])
    assert (post(url, {"reason": "x"}).status_code, client.get(url).status_code) == (403, 403)
    api(world["ent_a"])
    created = post(url, {"reason": "合作方退出"})
    assert created.status_code == 201
    body = created.json()
    assert (body["reason"], body["approved"], body["requested_by"]) == (
        "合作方退出",
        None,
        world["ent_a"].username,
    )
    assert post(f"/api/withdrawal-requests/{body['id']}/decision", {"approve": True}).status_code == 403
    api(world["staff"])
    refused = post(f"/api/withdrawal-requests/{body['id']}/decision", {"approve": False})
    assert (refused.status_code, refused.json()["detail"]) == (400, "不同意撤回时请填写理由。")
    granted = post(f"/api/withdrawal-requests/{body['id']}/decision", {"approve": True, "note": "同意"})
    assert (granted.status_code, granted.json()["approved"], granted.json()["decided_by"]) == (
        200,
        True,
        world["staff"].username,
    )
    assert [r["id"] for r in client.get(url).json()] == [body["id"]]
    assert client.get(f"/api/applications/{application.pk}").json()["state"] == "withdrawn"

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.projects.decision import (
    funding_propose,
    meeting_record,
    notice_close,
    notice_publish,
    objection_resolve,
    objection_submit,
    ranking,
)
from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.models import Application

from ..factories import make_call
from .test_applications import _submitted

pytestmark = pytest.mark.django_db


def _reviewed(world, call, who, score):
    application = _submitted(world, call, who)
    Application.objects.filter(pk=application.pk).update(state=S.REVIEWED, review_score=Decimal(score))
    application.refresh_from_db()
    return application


@pytest.fixture
def two_reviewed(world):
    call = make_call(total_budget=Decimal("500000"))
    a = _reviewed(world, call, "ent_a", "88.50")
    b = _reviewed(world, call, "ent_b", "91.00")
    return call, a, b


def _meeting(call, by):
    return meeting_record(
        call=call,
        by=by,
        held_on=date.today(),
        members="局长、分管副局长、高新处处长",
        minutes="审议通过拟立项名单",
        votes_for=5,
    )


def test_ranking_is_by_review_score(two_reviewed):
    call, a, b = two_reviewed
    assert list(ranking(call)) == [b, a]


def test_proposals_respect_cap_request_and_total_budget(world, two_reviewed):
    call, a, b = two_reviewed
    with pytest.raises(DomainError) as exc:
        funding_propose(call=call, by=world["staff"], amounts={a.pk: Decimal("500001")})
    assert exc.value.message == f"{a.title} 的拟资助金额超过单项上限 500000.00 元。"
    with pytest.raises(DomainError) as exc:
        funding_propose(call=call, by=world["staff"], amounts={a.pk: Decimal("300001")})
    assert exc.value.message == f"{a.title} 的拟资助金额超过申请金额。"
    with pytest.raises(DomainError) as exc:
        funding_propose(
            call=call, by=world["staff"], amounts={a.pk: Decimal("300000"), b.pk: Decimal("200001")}
        )
    assert exc.value.message == "拟资助合计 500001.00 元，超过本指南资助总额 500000.00 元。"
    assert set(Application.objects.values_list("state", flat=True)) == {S.REVIEWED}  # nothing half-done
    with pytest.raises(PermissionDenied):
        funding_propose(call=call, by=world["kq_staff"], amounts={a.pk: Decimal("1")})


def test_from_proposal_through_notice_and_objection_to_approval(world, two_reviewed):
    call, a, b = two_reviewed
    funding_propose(call=call, by=world["staff"], amounts={a.pk: Decimal("300000"), b.pk: Decimal("200000")})
    with pytest.raises(DomainError) as exc:
        notice_publish(call=call, by=world["staff"], days=7)
    assert exc.value.message == "请先记录决策会议。"
    _meeting(call, world["staff"])
    notice = notice_publish(call=call, by=world["staff"], days=7)
    assert set(Application.objects.values_list("state", flat=True)) == {S.IN_NOTICE}
    objection = objection_submit(
        notice=notice,
        application_id=b.pk,
        name="王五",
        contact="13900000000",
        text="该项目与已结题项目内容重复。",
    )
    with pytest.raises(DomainError) as exc:
        notice_close(notice=notice, by=world["staff"], at=notice.ends_at + timedelta(seconds=1))
    assert exc.value.message == "还有未处理的异议，不能立项。"
    objection_resolve(
        objection=objection, by=world["staff"], upheld=True, resolution="经核查属实，撤销立项。"
    )
    with pytest.raises(DomainError) as exc:
        notice_close(notice=notice, by=world["staff"])
    assert exc.value.message.startswith("公示期未满")
    late = notice.ends_at + timedelta(seconds=1)
    with pytest.raises(DomainError):
        objection_submit(
            notice=notice, application_id=a.pk, name="赵六", contact="x", text="迟到的异议", at=late
        )
    approved = notice_close(notice=notice, by=world["staff"], at=late)
    assert [x.pk for x in approved] == [a.pk]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, a.proposed_amount, b.state) == (S.APPROVED, Decimal("300000.00"), S.NOT_APPROVED)


def test_a_meeting_that_voted_it_down_blocks_the_notice(world, two_reviewed):
    call, a, _b = two_reviewed
    funding_propose(call=call, by=world["staff"], amounts={a.pk: Decimal("100000")})
    meeting_record(
        call=call,
        by=world["staff"],
        held_on=date.today(),
        members="成员",
        minutes="未通过",
        votes_for=2,
        votes_against=3,
    )
    with pytest.raises(DomainError) as exc:
        notice_publish(call=call, by=world["staff"], days=7)
    assert exc.value.message == "决策会议未通过拟立项名单，不能公示。"


def test_public_notice_page_and_objection_form_need_no_login(client, world, two_reviewed):
    call, a, b = two_reviewed
    funding_propose(call=call, by=world["staff"], amounts={a.pk: Decimal("300000")})
    _meeting(call, world["staff"])
    notice = notice_publish(call=call, by=world["staff"], days=7)
    page = client.get(reverse("projects:notice", args=[notice.pk])).content.decode()
    assert a.title in page and "300000.00" in page and "柯桥甲纺织有限公司" in page
    assert "诸暨乙机械有限公司" not in page  # not proposed: not on the list
    response = client.post(
        reverse("projects:notice", args=[notice.pk]),
        {
            "application": a.pk,
            "name": "王五",
            "contact": "13900000000",
            "text": "有异议",
            "form_token": "o1",
        },
        follow=True,
    )
    assert "异议已提交" in response.content.decode()
    assert notice.objections.count() == 1
    listing = client.get(reverse("projects:notice_list")).content.decode()
    assert notice.title in listing


def test_decision_page_walks_the_bureau_through(client, world, two_reviewed):
    call, a, b = two_reviewed
    client.force_login(world["staff"])
    url = reverse("projects:decision", args=[call.pk])
    page = client.get(url).content.decode()
    assert page.index("诸暨乙机械有限公司") < page.index("柯桥甲纺织有限公司")  # ranked by score
    client.post(
        url,
        {
            "step": "propose",
            f"amount_{a.pk}": "250000",
            f"decline_{b.pk}": "排名靠后，预算不足",
            "form_token": "p1",
        },
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == (S.PROPOSED, S.NOT_APPROVED)
    client.post(
        url,
        {
            "step": "meeting",
            "held_on": date.today().isoformat(),
            "members": "局务会成员",
            "minutes": "通过",
            "votes_for": "5",
            "votes_against": "0",
            "abstentions": "0",
            "form_token": "m1",
        },
    )
    client.post(url, {"step": "publish", "days": "7", "form_token": "n1"})
    a.refresh_from_db()
    assert a.state == S.IN_NOTICE
    client.force_login(world["ent_a"])
    assert client.get(url).status_code == 403
    assert timezone.now() < a.call.notices.get().ends_at

"""Liaison (挂联/帮扶, issue item 5): assignments, visits with needs and follow-ups, the need that becomes a tech
demand, region scoping (a town officer sees their town), and refusal of enterprise users."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kechuang.accounts.enums import Role
from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.models import AuditLog, Notification
from kechuang.enterprises.enums import NeedKind, NeedStatus
from kechuang.enterprises.liaison import (
    assignment_create,
    assignment_end,
    assignments_of,
    follow_up_complete,
    follow_up_create,
    follow_ups_open_for,
    need_to_demand,
    need_update_status,
    visit_log,
    visits_visible_to,
)
from kechuang.enterprises.liaison_jobs import follow_up_reminders
from kechuang.enterprises.liaison_views import panel
from kechuang.enterprises.models import FollowUp, LiaisonAssignment, Need, Visit

from ..factories import OrganizationFactory, UserFactory, audit_for, region

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _visit(world, organization=None, by="kq_officer", **extra):
    organization = organization or world["org_a"]
    defaults = {
        "visited_on": TODAY - timedelta(days=1),
        "visitors": [world[by]],
        "met": "王总经理",
        "summary": "了解企业研发投入和新产品开发情况。",
        "needs": [{"kind": NeedKind.TECHNICAL, "description": "需要高强纤维染色工艺的技术合作"}],
    }
    defaults.update(extra)
    return visit_log(organization=organization, by=world[by], **defaults)


# --- visits ---------------------------------------------------------------------------------------------


def test_a_visit_is_logged_with_people_needs_and_follow_ups(world):
    visit = _visit(
        world,
        visitors=[world["kq_officer"], world["kq_staff"]],
        needs=[
            {"kind": NeedKind.TECHNICAL, "description": "染色工艺技术合作"},
            {"kind": NeedKind.FINANCIAL, "description": "设备更新贷款贴息"},
        ],
        follow_ups=[
            {
                "action": "对接浙江理工大学染整团队",
                "owner": world["kq_staff"],
                "due_on": TODAY + timedelta(days=14),
                "need": 1,
            },
            {"action": "送达贴息政策", "owner": world["kq_officer"], "due_on": TODAY + timedelta(days=7)},
        ],
    )
    assert list(visit.visitors.order_by("pk")) == [world["kq_staff"], world["kq_officer"]]
    assert [(n.kind, n.description, n.status) for n in visit.needs.all()] == [
        ("technical", "染色工艺技术合作", "open"),
        ("financial", "设备更新贷款贴息", "open"),
    ]
    technical = visit.needs.get(kind="technical")
    assert [(f.action, f.owner, f.need) for f in visit.follow_ups.order_by("pk")] == [
        ("对接浙江理工大学染整团队", world["kq_staff"], technical),
        ("送达贴息政策", world["kq_officer"], None),
    ]
    assert visit.recorded_by == world["kq_officer"]
    assert audit_for(visit, action="create").get().actor == world["kq_officer"]


@pytest.mark.parametrize(
    "follow_up, message",
    [
        ({"action": "", "owner": "kq_officer", "due_on": 7}, "第1项跟进事项：请填写跟进事项。"),
        (
            {"action": "回访", "owner": "ent_a", "due_on": 7},
            "第1项跟进事项：责任人：张三 不是该企业属地的科技局人员或科技干部。",
        ),
        (
            {"action": "回访", "owner": "kq_officer", "due_on": -5},
            "第1项跟进事项：完成期限不能早于走访日期。",
        ),
        ({"action": "回访", "owner": "kq_officer", "due_on": None}, "第1项跟进事项：请填写完成期限。"),
        (
            {"action": "回访", "owner": "kq_officer", "due_on": 7, "need": 3},
            "第1项跟进事项对应的需求3未填写。",
        ),
    ],
)
def test_a_bad_follow_up_rolls_the_whole_visit_back(world, follow_up, message):
    item = dict(follow_up)
    item["owner"] = world[item["owner"]]
    item["due_on"] = None if item["due_on"] is None else TODAY + timedelta(days=item["due_on"])
    with pytest.raises(DomainError) as exc:
        _visit(world, follow_ups=[item])
    assert exc.value.message == message
    assert (Visit.objects.count(), Need.objects.count(), FollowUp.objects.count()) == (0, 0, 0)


def test_visit_checks_date_summary_visitors_and_needs(world):
    cases = [
        ({"visited_on": TODAY + timedelta(days=1)}, "走访日期不能晚于今天。"),
        ({"summary": "  "}, "请填写走访情况。"),
        ({"visitors": []}, "请选择走访人员。"),
        ({"visitors": [world["zj_officer"]]}, "张三 不是该企业属地的科技局人员或科技干部。"),
        ({"needs": [{"kind": "money", "description": "x"}]}, "第1项需求的类型不正确。"),
        ({"needs": [{"kind": "talent", "description": ""}]}, "请填写第1项需求的描述。"),
    ]
    for change, message in cases:
        with pytest.raises(DomainError) as exc:
            _visit(world, **change)
        assert exc.value.message == message
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("who", ["ent_a", "zj_officer", "expert", "leader"])
def test_visits_are_logged_only_by_the_bureau_and_officers_of_the_region(world, who):
    with pytest.raises(PermissionDenied) as exc:
        visit_log(
            organization=world["org_a"],
            visited_on=TODAY,
            visitors=[world["kq_officer"]],
            summary="走访",
            by=world[who],
        )
    assert exc.value.message == "只有属地科技局人员或镇街科技干部可以记录走访。"


def test_a_town_officer_sees_the_visits_of_their_town_only(world):
    other_town = OrganizationFactory(name="柯岩丙科技有限公司", region=region("330603L02"))
    in_town = _visit(world)
    in_county = _visit(world, organization=other_town, by="kq_staff")
    in_zhuji = _visit(world, organization=world["org_b"], by="zj_officer")
    assert list(visits_visible_to(user=world["kq_officer"])) == [in_town]
    assert set(visits_visible_to(user=world["kq_staff"])) == {in_town, in_county}
    assert list(visits_visible_to(user=world["zj_officer"])) == [in_zhuji]
    assert set(visits_visible_to(user=world["staff"])) == {in_town, in_county, in_zhuji}
    assert set(visits_visible_to(user=world["leader"])) == {in_town, in_county, in_zhuji}
    assert list(visits_visible_to(user=world["ent_a"])) == []


# --- needs and follow-ups ---------------------------------------------------------------------------------


def test_need_status_moves_along_its_table_with_an_audit_line(world):
    need = _visit(world).needs.get()
    done = need_update_status(
        need=need, status=NeedStatus.IN_PROGRESS, reason="已联系高校", by=world["kq_officer"]
    )
    line = audit_for(need, action=AuditLog.Action.TRANSITION).get()
    assert (line.from_state, line.to_state, line.reason, line.actor) == (
        "open",
        "in_progress",
        "已联系高校",
        world["kq_officer"],
    )
    with pytest.raises(DomainError) as exc:
        need_update_status(need=done, status=NeedStatus.TO_MARKET, by=world["kq_officer"])
    assert exc.value.message == "需求状态不能从“跟进中”改为“已转技术需求”。"
    with pytest.raises(PermissionDenied):
        need_update_status(need=done, status=NeedStatus.RESOLVED, by=world["ent_a"])


def test_a_technical_need_becomes_a_tech_demand_through_one_hook(world):
    need = _visit(world).needs.get()
    draft = need_to_demand(need=need, by=world["kq_officer"])
    assert draft.title == "柯桥甲纺织有限公司技术需求：需要高强纤维染色工艺的技术合作"
    assert (draft.description, draft.organization_id, draft.region_code, draft.need_id) == (
        "需要高强纤维染色工艺的技术合作",
        world["org_a"].pk,
        "330603L01",
        need.pk,
    )
    need.refresh_from_db()
    assert (need.status, need.demand_ref) == (NeedStatus.TO_MARKET, f"need:{need.pk}")
    with pytest.raises(DomainError) as exc:
        need_to_demand(need=need, by=world["kq_officer"])
    assert exc.value.message == f"该需求已转为技术需求（need:{need.pk}）。"

    created = []
    second = _visit(world).needs.get()
    need_to_demand(need=second, by=world["staff"], create_demand=lambda d: created.append(d) or "XQ2026-0001")
    second.refresh_from_db()
    assert (second.demand_ref, [d.need_id for d in created]) == ("XQ2026-0001", [second.pk])


def test_only_a_technical_need_becomes_a_demand(world):
    need = _visit(world, needs=[{"kind": NeedKind.TALENT, "description": "引进染整工程师"}]).needs.get()
    with pytest.raises(DomainError) as exc:
        need_to_demand(need=need, by=world["kq_officer"])
    assert exc.value.message == "只有技术类需求可以转为技术市场的技术需求。"
    assert Need.objects.get(pk=need.pk).status == NeedStatus.OPEN


def test_follow_ups_have_owners_and_are_completed_by_them(world):
    visit = _visit(world)
    follow_up = follow_up_create(
        visit=visit,
        action="回访",
        owner=world["kq_staff"],
        due_on=TODAY + timedelta(days=3),
        by=world["kq_officer"],
    )
    assert list(follow_ups_open_for(user=world["kq_staff"])) == [follow_up]
    assert list(follow_ups_open_for(user=world["kq_officer"])) == []
    with pytest.raises(DomainError) as exc:
        follow_up_complete(follow_up=follow_up, result="", by=world["kq_staff"])
    assert exc.value.message == "请填写办理结果。"
    with pytest.raises(PermissionDenied) as exc:
        follow_up_complete(follow_up=follow_up, result="完成", by=world["ent_a"])
    assert exc.value.message == "只有责任人或属地科技局人员、科技干部可以办结跟进事项。"
    done = follow_up_complete(follow_up=follow_up, result="已回访，问题解决", by=world["kq_staff"])
    assert (done.done_on, done.result) == (TODAY, "已回访，问题解决")
    assert list(follow_ups_open_for(user=world["kq_staff"])) == []
    with pytest.raises(DomainError) as exc:
        follow_up_complete(follow_up=done, result="再办", by=world["kq_staff"])
    assert exc.value.message == "该跟进事项已办结。"


def test_follow_up_reminders_once_a_day(world):
    visit = _visit(world)
    follow_up_create(
        visit=visit,
        action="回访企业",
        owner=world["kq_officer"],
        due_on=visit.visited_on,
        by=world["kq_officer"],
    )
    follow_up_create(
        visit=visit,
        action="送政策",
        owner=world["kq_officer"],
        due_on=TODAY + timedelta(days=2),
        by=world["kq_officer"],
    )
    follow_up_create(
        visit=visit,
        action="远期",
        owner=world["kq_staff"],
        due_on=TODAY + timedelta(days=30),
        by=world["kq_officer"],
    )
    assert follow_up_reminders() == 1
    message = Notification.objects.get()
    assert (message.recipient, message.subject) == (
        world["kq_officer"],
        "跟进事项提醒：1项已逾期，1项即将到期",
    )
    assert message.body.splitlines() == [
        f"{visit.visited_on:%Y-%m-%d} 柯桥甲纺织有限公司：回访企业（已逾期）",
        f"{TODAY + timedelta(days=2):%Y-%m-%d} 柯桥甲纺织有限公司：送政策",
    ]
    assert len(mail.outbox) == 1
    assert follow_up_reminders() == 0


# --- assignments ------------------------------------------------------------------------------------------


def test_bureau_staff_assign_and_end_a_liaison(world):
    assignment = assignment_create(
        organization=world["org_a"],
        staff=world["kq_officer"],
        since=TODAY - timedelta(days=30),
        by=world["kq_staff"],
        note="重点联系",
    )
    assert list(assignments_of(user=world["kq_officer"])) == [assignment]
    with pytest.raises(DomainError) as exc:
        assignment_create(
            organization=world["org_a"], staff=world["kq_officer"], since=TODAY, by=world["staff"]
        )
    assert exc.value.message == "张三 已挂联该企业。"
    with pytest.raises(DomainError) as exc:
        assignment_create(
            organization=world["org_a"], staff=world["zj_officer"], since=TODAY, by=world["staff"]
        )
    assert exc.value.message == "张三 不是该企业属地的科技局人员或科技干部。"
    ended = assignment_end(assignment=assignment, until=TODAY - timedelta(days=1), by=world["kq_staff"])
    assert ended.until == TODAY - timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        assignment_end(assignment=ended, by=world["kq_staff"])
    assert exc.value.message == "该挂联已结束。"
    assert list(assignments_of(user=world["kq_officer"])) == []


@pytest.mark.parametrize("who", ["kq_officer", "leader", "zj_officer", "ent_a"])
def test_only_bureau_staff_of_the_region_assign(world, who):
    with pytest.raises(PermissionDenied) as exc:
        assignment_create(organization=world["org_a"], staff=world["kq_officer"], since=TODAY, by=world[who])
    assert exc.value.message == "只有属地科技局业务人员可以安排挂联。"
    assert LiaisonAssignment.objects.count() == 0


# --- pages --------------------------------------------------------------------------------------------------


def test_visit_form_page_logs_a_visit_with_formsets(client, world):
    client.force_login(world["kq_officer"])
    url = reverse("enterprises:liaison_visit_create") + f"?organization={world['org_a'].pk}"
    page = client.get(url)
    assert page.status_code == 200
    offered = {
        choice.instance for choice, _label in list(page.context["form"].fields["visitors"].choices)[0:]
    }
    assert world["kq_officer"] in offered and world["zj_officer"] not in offered
    data = {
        "visited_on": TODAY.isoformat(),
        "visitors": [world["kq_officer"].pk, world["staff"].pk],
        "met": "李经理",
        "summary": "座谈研发项目。",
        "needs-TOTAL_FORMS": 3,
        "needs-INITIAL_FORMS": 0,
        "needs-0-kind": "",
        "needs-0-description": "",
        "needs-1-kind": "policy",
        "needs-1-description": "咨询研发费用加计扣除",
        "needs-2-kind": "",
        "needs-2-description": "",
        "follow_ups-TOTAL_FORMS": 2,
        "follow_ups-INITIAL_FORMS": 0,
        "follow_ups-0-action": "送达加计扣除政策解读",
        "follow_ups-0-owner": world["kq_officer"].pk,
        "follow_ups-0-due_on": (TODAY + timedelta(days=5)).isoformat(),
        "follow_ups-0-need": "2",
        "follow_ups-1-action": "",
        "follow_ups-1-owner": "",
        "follow_ups-1-due_on": "",
        "follow_ups-1-need": "",
    }
    response = client.post(url, data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "enterprises:liaison_visit", args=[visit.pk]
    )
    need = visit.needs.get()
    assert (need.kind, need.description) == ("policy", "咨询研发费用加计扣除")
    assert [(f.action, f.need) for f in visit.follow_ups.all()] == [("送达加计扣除政策解读", need)]
    detail = client.get(response["Location"])
    assert "咨询研发费用加计扣除" in detail.content.decode()


def test_visit_form_refers_to_an_empty_need_row_and_keeps_nothing(client, world):
    client.force_login(world["kq_officer"])
    url = reverse("enterprises:liaison_visit_create") + f"?organization={world['org_a'].pk}"
    data = {
        "visited_on": TODAY.isoformat(),
        "visitors": [world["kq_officer"].pk],
        "summary": "座谈。",
        "needs-TOTAL_FORMS": 1,
        "needs-INITIAL_FORMS": 0,
        "needs-0-kind": "",
        "needs-0-description": "",
        "follow_ups-TOTAL_FORMS": 1,
        "follow_ups-INITIAL_FORMS": 0,
        "follow_ups-0-action": "回访",
        "follow_ups-0-owner": world["kq_officer"].pk,
        "follow_ups-0-due_on": TODAY.isoformat(),
        "follow_ups-0-need": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["第1项跟进事项对应的需求1未填写。"]
    assert Visit.objects.count() == 0


def test_enterprise_users_see_none_of_liaison(client, world):
    visit = _visit(world)
    client.force_login(world["ent_a"])
    for url in [
        reverse("enterprises:liaison_visits"),
        reverse("enterprises:liaison_visit", args=[visit.pk]),
        reverse("enterprises:liaison_follow_ups"),
        reverse("enterprises:liaison_mine"),
        reverse("enterprises:liaison_assignments"),
        reverse("enterprises:liaison_visit_create") + f"?organization={world['org_a'].pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
    assert client.get("/api/enterprises/liaison/visits").status_code == 403
    assert client.get("/api/enterprises/liaison/follow-ups").status_code == 403
    assert panel(user=world["ent_a"], organization=world["org_a"]) is None


def test_visits_page_for_a_town_officer_filters_and_counts_queries(
    client, world, django_assert_max_num_queries
):
    other_town = OrganizationFactory(name="柯岩丙科技有限公司", region=region("330603L02"))
    _visit(world, organization=other_town, by="kq_staff")
    for n in range(3):
        _visit(
            world,
            needs=[
                {"kind": "talent", "description": f"人才{n}"},
                {"kind": "technical", "description": "技术"},
            ],
        )
    client.force_login(world["kq_officer"])
    url = reverse("enterprises:liaison_visits")
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        response = client.get(url)
    assert [v.organization.name for v in response.context["page"]] == ["柯桥甲纺织有限公司"] * 3
    for _n in range(25):
        _visit(world, visitors=[world["kq_officer"], world["kq_staff"]])
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        response = client.get(url)
    assert len(response.context["page"]) == 20
    response = client.get(url, {"need_kind": "talent"})
    assert response.context["page"].paginator.count == 3
    client.force_login(world["staff"])
    response = client.get(url, {"region": "330603L02"})
    assert [v.organization.name for v in response.context["page"]] == ["柯岩丙科技有限公司"]


def test_my_follow_ups_page_flags_overdue_and_completes(client, world):
    visit = _visit(world, visited_on=TODAY - timedelta(days=10))
    late = follow_up_create(
        visit=visit,
        action="补交材料",
        owner=world["kq_officer"],
        due_on=TODAY - timedelta(days=2),
        by=world["kq_officer"],
    )
    client.force_login(world["kq_officer"])
    response = client.get(reverse("enterprises:liaison_follow_ups"))
    html = response.content.decode()
    assert f"已逾期（期限 {late.due_on:%Y-%m-%d}）" in html
    response = client.post(
        reverse("enterprises:liaison_follow_up_complete", args=[late.pk]),
        {"result": "材料已收齐", "version": late.version},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["跟进事项已办结：补交材料"]
    assert FollowUp.objects.get(pk=late.pk).done_on == TODAY


def test_assignment_pages_and_my_enterprises(client, world):
    client.force_login(world["kq_staff"])
    url = reverse("enterprises:liaison_assignment_create") + f"?organization={world['org_a'].pk}"
    response = client.post(url, {"staff": world["kq_officer"].pk, "since": TODAY.isoformat(), "note": ""})
    assert response.status_code == 302
    picker = client.get(reverse("enterprises:liaison_assignment_create"), {"q": "柯桥"})
    assert [org.name for org, _link in picker.context["hits"]] == ["柯桥甲纺织有限公司"]
    client.force_login(world["kq_officer"])
    response = client.get(reverse("enterprises:liaison_mine"))
    assert [a.organization for a in response.context["assignments"]] == [world["org_a"]]
    assert client.get(url).status_code == 403  # officers do not assign


def test_panel_for_the_enterprise_page(world):
    assignment_create(
        organization=world["org_a"], staff=world["kq_officer"], since=TODAY, by=world["kq_staff"]
    )
    visit = _visit(world, follow_ups=[{"action": "回访", "owner": world["kq_officer"], "due_on": TODAY}])
    context = panel(user=world["kq_officer"], organization=world["org_a"])
    assert [a.staff for a in context["assignments"]] == [world["kq_officer"]]
    assert context["visits"] == [visit]
    assert [f.action for f in context["open_follow_ups"]] == ["回访"]
    assert (context["can_log_visit"], context["can_assign"]) == (True, False)
    assert panel(user=world["zj_officer"], organization=world["org_a"]) is None


# --- API ----------------------------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_visits_and_follow_ups(client, world):
    client.force_login(world["kq_officer"])
    response = _post(
        client,
        "/api/enterprises/liaison/visits",
        {
            "organization_id": world["org_a"].pk,
            "visited_on": TODAY.isoformat(),
            "visitor_ids": [world["kq_officer"].pk],
            "summary": "走访座谈",
            "needs": [{"kind": "technical", "description": "智能验布技术"}],
            "follow_ups": [
                {
                    "action": "对接验布设备厂商",
                    "owner_id": world["kq_officer"].pk,
                    "due_on": TODAY.isoformat(),
                    "need": 1,
                }
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [n["description"] for n in body["needs"]] == ["智能验布技术"]
    follow_up = body["follow_ups"][0]
    assert (follow_up["need_id"], follow_up["overdue"]) == (body["needs"][0]["id"], False)
    listed = client.get("/api/enterprises/liaison/visits", {"need_kind": "technical"}).json()
    assert [v["id"] for v in listed["items"]] == [body["id"]]
    mine = client.get("/api/enterprises/liaison/follow-ups").json()
    assert [f["id"] for f in mine["items"]] == [follow_up["id"]]
    response = _post(
        client, f"/api/enterprises/liaison/follow-ups/{follow_up['id']}/complete", {"result": "已对接"}
    )
    assert (response.status_code, response.json()["done_on"]) == (200, TODAY.isoformat())
    need_id = body["needs"][0]["id"]
    response = _post(client, f"/api/enterprises/liaison/needs/{need_id}/demand", {})
    # The market's draft demand (kechuang.market.listings.demand_from_need) is the reference.
    assert response.json()["demand_ref"] == str(Need.objects.get(pk=need_id).listings.get().pk)
    client.force_login(world["zj_officer"])
    assert client.get("/api/enterprises/liaison/visits").json()["count"] == 0


def test_api_bad_follow_up_is_refused_and_nothing_is_kept(client, world):
    client.force_login(world["kq_officer"])
    outsider = UserFactory(role=Role.OFFICER, region=region("330681"))
    response = _post(
        client,
        "/api/enterprises/liaison/visits",
        {
            "organization_id": world["org_a"].pk,
            "visited_on": TODAY.isoformat(),
            "visitor_ids": [world["kq_officer"].pk],
            "summary": "走访",
            "follow_ups": [{"action": "回访", "owner_id": outsider.pk, "due_on": TODAY.isoformat()}],
        },
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "第1项跟进事项：责任人：张三 不是该企业属地的科技局人员或科技干部。"
    assert Visit.objects.count() == 0


def test_every_page_and_both_panels_render_for_a_town_officer(client, world):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from kechuang.enterprises.reserve import reserve_add
    from kechuang.enterprises.reserve_views import panel as reserve_panel

    assignment_create(
        organization=world["org_a"], staff=world["kq_officer"], since=TODAY, by=world["kq_staff"]
    )
    visit = _visit(world, follow_ups=[{"action": "回访", "owner": world["kq_officer"], "due_on": TODAY}])
    reserve_add(
        organization=world["org_a"],
        kind="hnte",
        target_year=TODAY.year + 1,
        reason="培育",
        by=world["kq_officer"],
    )
    client.force_login(world["kq_officer"])
    for url in [
        reverse("enterprises:liaison_visits"),
        reverse("enterprises:liaison_visits") + f"?organization={world['org_a'].pk}",
        reverse("enterprises:liaison_visit", args=[visit.pk]),
        reverse("enterprises:liaison_visit_create"),
        reverse("enterprises:liaison_visit_create") + "?q=柯桥",
        reverse("enterprises:liaison_follow_ups"),
        reverse("enterprises:liaison_mine"),
        reverse("enterprises:liaison_assignments"),
        reverse("enterprises:reserve_list"),
        reverse("enterprises:reserve_add_pick") + "?q=柯桥",
        reverse("enterprises:reserve_add", args=[world["org_a"].pk]),
    ]:
        assert client.get(url).status_code == 200, url
    # The panels the enterprise page includes, rendered as it does (the page itself belongs to qualifications).
    request = RequestFactory().get(reverse("enterprises:detail", args=[world["org_a"].pk]))
    request.user = world["kq_officer"]
    context = {
        "reserve": reserve_panel(user=world["kq_officer"], organization=world["org_a"]),
        "liaison": panel(user=world["kq_officer"], organization=world["org_a"]),
    }
    html = render_to_string("enterprises/reserve/_panel.html", context, request=request)
    assert "培育中" in html and 'data-testid="reserve-transition"' in html
    html = render_to_string("enterprises/liaison/_panel.html", context, request=request)
    assert 'data-testid="panel-visit"' in html and "回访" in html

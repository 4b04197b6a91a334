"""Pages and API of matchmaking events: the bureau creates, opens, pairs and schedules; organizations register
and see their own meetings only; print page, .docx download, figures; query counts of the key pages."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse

from kechuang.accounts.enums import Role
from kechuang.market.enums import EventState, ListingKind
from kechuang.market.events import event_schedule, meetings_add
from kechuang.market.models import EventRegistration, MatchmakingEvent, Meeting

from .events_helpers import TODAY, enterprise_user, listing, make_event, populated_event, register

pytestmark = pytest.mark.django_db


def _post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _scheduled(world):
    staff = world["staff"]
    event, listings = populated_event(world)
    meetings_add(
        event=event,
        pairs=[(listings["a1"].pk, listings["s1"].pk), (listings["b1"].pk, listings["s2"].pk)],
        by=staff,
    )
    event_schedule(event=event, by=staff)
    event.refresh_from_db()
    return event, listings


# --- pages -----------------------------------------------------------------------------------------------


def test_the_bureau_creates_and_opens_an_event_through_the_pages(client, world):
    client.force_login(world["staff"])
    page = client.get(reverse("market:event_create"))
    assert page.status_code == 200
    held = TODAY + timedelta(days=20)
    response = client.post(
        reverse("market:event_create"),
        {
            "title": "新材料产学研对接会",
            "theme": "碳纤维",
            "tech_fields": ["new_materials"],
            "region": "330600",
            "held_on": held.isoformat(),
            "place": "绍兴国际会展中心",
            "starts_at": "13:30",
            "slot_minutes": "30",
            "slot_count": "6",
            "tables": "8",
            "registration_closes_on": (held - timedelta(days=3)).isoformat(),
            "form_token": "t-create",
        },
    )
    event = MatchmakingEvent.objects.get(title="新材料产学研对接会")
    assert response.status_code == 302 and response["Location"] == reverse(
        "market:event_detail", args=[event.pk]
    )
    assert (event.state, event.slot_count, event.tables, str(event.starts_at)) == ("draft", 6, 8, "13:30:00")
    detail = client.get(response["Location"]).content.decode()
    assert "13:30–16:30" in detail and 'data-testid="event-open"' in detail
    client.post(
        reverse("market:event_transition", args=[event.pk]),
        {"action": "open", "version": event.version, "form_token": "t-open"},
    )
    event.refresh_from_db()
    assert event.state == EventState.OPEN
    listed = client.get(reverse("market:event_list")).content.decode()
    assert "新材料产学研对接会" in listed and "报名中" in listed


def test_an_enterprise_registers_through_the_page_with_its_published_listings(client, world):
    event = make_event(world["staff"])
    own = listing(world["org_a"], title="印染废水回用")
    listing(world["org_b"], title="别家的需求")
    client.force_login(world["ent_a"])
    detail = client.get(reverse("market:event_detail", args=[event.pk])).content.decode()
    assert 'data-testid="register"' in detail
    form = client.get(reverse("market:event_register", args=[event.pk])).content.decode()
    assert "印染废水回用" in form and "别家的需求" not in form
    response = client.post(
        reverse("market:event_register", args=[event.pk]),
        {"listings": [own.pk], "attendee": "王经理", "phone": "0575-88888888", "form_token": "t-reg"},
    )
    assert response.status_code == 302
    registration = EventRegistration.objects.get(event=event)
    assert (registration.organization, registration.attendee, registration.phone) == (
        world["org_a"],
        "王经理",
        "0575-88888888",
    )
    detail = client.get(reverse("market:event_detail", args=[event.pk])).content.decode()
    assert "王经理" in detail and 'data-testid="withdraw"' in detail
    # Another organization's listing posted by hand is refused by the form.
    other = listing(world["org_b"], title="诸暨的需求")
    response = client.post(
        reverse("market:event_register", args=[event.pk]),
        {"listings": [other.pk], "attendee": "王经理", "phone": "13800000000", "form_token": "t-reg2"},
    )
    assert response.status_code == 200
    assert list(EventRegistration.objects.get(event=event).listings.all()) == [own]


def test_a_closed_registration_is_refused_on_the_page(client, world):
    event = make_event(world["staff"])
    MatchmakingEvent.objects.filter(pk=event.pk).update(registration_closes_on=TODAY - timedelta(days=1))
    client.force_login(world["ent_a"])
    detail = client.get(reverse("market:event_detail", args=[event.pk])).content.decode()
    assert 'data-testid="register-refusal"' in detail and "截止" in detail
    assert client.get(reverse("market:event_register", args=[event.pk])).status_code == 403


def test_the_bureau_keeps_proposals_schedules_prints_and_downloads(client, world):
    from docx import Document

    event, listings = populated_event(world)
    client.force_login(world["staff"])
    page = client.get(reverse("market:event_proposals", args=[event.pk])).content.decode()
    key = f"{listings['a1'].pk}-{listings['s1'].pk}"
    assert f'value="{key}" checked' in page
    response = client.post(
        reverse("market:event_proposals", args=[event.pk]), {"pairs": [key], "form_token": "t-keep"}
    )
    assert response.status_code == 302
    client.post(
        reverse("market:event_pair_add", args=[event.pk]),
        {"demand": listings["b1"].pk, "achievement": listings["s2"].pk, "form_token": "t-add"},
    )
    assert Meeting.objects.filter(event=event).count() == 2
    response = client.post(
        reverse("market:event_schedule_run", args=[event.pk]), {"version": event.version, "form_token": "t-s"}
    )
    assert response["Location"] == reverse("market:event_schedule", args=[event.pk])
    assert not Meeting.objects.filter(event=event, slot__isnull=True).exists()
    schedule = client.get(response["Location"]).content.decode()
    assert schedule.count('data-testid="meeting"') == 2
    printed = client.get(reverse("market:event_schedule_print", args=[event.pk])).content.decode()
    assert "@media print" in printed and printed.count('data-testid="print-row"') == 2
    per_org = client.get(reverse("market:event_schedule_print", args=[event.pk]), {"by": "organization"})
    assert per_org.content.decode().count('data-testid="print-sheet"') == 3
    download = client.get(reverse("market:event_schedule_docx", args=[event.pk]))
    assert download["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    document = Document(BytesIO(download.content))
    cells = {c.text for row in document.tables[1].rows for c in row.cells}
    assert {world["org_a"].name, world["org_b"].name, "绍兴测试研究院", listings["a1"].title} <= cells


def test_an_organization_sees_only_its_own_meetings_and_records_their_outcome(client, world):
    event, listings = _scheduled(world)
    b_meeting = Meeting.objects.get(event=event, demand=listings["b1"])
    a_meeting = Meeting.objects.get(event=event, demand=listings["a1"])
    client.force_login(world["ent_a"])
    schedule = client.get(reverse("market:event_schedule", args=[event.pk])).content.decode()
    assert schedule.count('data-testid="meeting"') == 1
    assert world["org_b"].name not in schedule and listings["b1"].title not in schedule
    # The whole schedule, another organization's view, the registrations: not for a party.
    other = client.get(reverse("market:event_schedule", args=[event.pk]), {"organization": world["org_b"].pk})
    assert world["org_b"].name not in other.content.decode()
    assert client.get(reverse("market:event_registrations", args=[event.pk])).status_code == 403
    assert client.get(reverse("market:event_proposals", args=[event.pk])).status_code == 403
    assert client.get(reverse("market:event_outcome", args=[event.pk, b_meeting.pk])).status_code == 404
    printed = client.get(reverse("market:event_schedule_print", args=[event.pk])).content.decode()
    assert listings["a1"].title in printed and world["org_b"].name not in printed
    docx = client.get(reverse("market:event_schedule_docx", args=[event.pk])).content
    from docx import Document

    text = "".join(c.text for t in Document(BytesIO(docx)).tables for row in t.rows for c in row.cells)
    assert listings["a1"].title in text and world["org_b"].name not in text
    response = client.post(
        reverse("market:event_outcome", args=[event.pk, a_meeting.pk]),
        {"outcome": "signed", "amount": "", "note": "", "version": a_meeting.version, "form_token": "t-o1"},
    )
    assert "签约须填写签约金额" in response.content.decode()
    response = client.post(
        reverse("market:event_outcome", args=[event.pk, a_meeting.pk]),
        {
            "outcome": "signed",
            "amount": "650000",
            "note": "",
            "version": a_meeting.version,
            "form_token": "t-o2",
        },
    )
    assert response.status_code == 302
    a_meeting.refresh_from_db()
    assert (a_meeting.outcome, str(a_meeting.amount)) == ("signed", "650000.00")
    # A user of no registered organization and an anonymous visitor see no schedule at all.
    client.force_login(world["expert"])
    assert client.get(reverse("market:event_schedule", args=[event.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("market:event_schedule", args=[event.pk])).status_code == 302


def test_anonymous_visitors_see_open_events_but_not_drafts_nor_registration(client, world):
    open_event = make_event(world["staff"])
    draft = make_event(world["staff"], open_it=False, title="筹备中的活动")
    listed = client.get(reverse("market:event_list")).content.decode()
    assert open_event.title in listed and "筹备中的活动" not in listed
    detail = client.get(reverse("market:event_detail", args=[open_event.pk]))
    assert detail.status_code == 200 and 'data-testid="register"' not in detail.content.decode()
    assert client.get(reverse("market:event_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("market:event_register", args=[open_event.pk])).status_code == 302
    assert client.get("/api/market/events").status_code == 401


def test_a_county_bureau_cannot_manage_a_city_event_and_cannot_see_other_drafts(client, world, make_user):
    event = make_event(world["staff"])
    client.force_login(world["kq_staff"])
    assert client.get(reverse("market:event_edit", args=[event.pk])).status_code == 403
    assert client.get(reverse("market:event_proposals", args=[event.pk])).status_code == 403
    response = client.post(
        reverse("market:event_transition", args=[event.pk]),
        {"action": "cancel", "reason": "x", "form_token": "t-c"},
        follow=True,
    )
    assert "只有科技局业务人员" in response.content.decode()
    assert MatchmakingEvent.objects.get(pk=event.pk).state == EventState.OPEN
    zj_staff = make_user(Role.BUREAU_STAFF, region_code="330681")
    draft = make_event(zj_staff, open_it=False, title="诸暨筹备中的活动")
    assert client.get(reverse("market:event_detail", args=[draft.pk])).status_code == 404
    assert "诸暨筹备中的活动" not in client.get(reverse("market:event_list")).content.decode()


def test_the_figures_page_states_the_report_sentence_for_the_users_region(client, world):
    from decimal import Decimal

    from kechuang.market.events import event_transition, meeting_record_outcome

    event, listings = _scheduled(world)
    for meeting in Meeting.objects.filter(event=event):
        meeting_record_outcome(meeting=meeting, outcome="intent", amount=Decimal("1000"), by=world["staff"])
    MatchmakingEvent.objects.filter(pk=event.pk).update(held_on=TODAY - timedelta(days=1))
    event.refresh_from_db()
    event_transition(event=event, action="finish", by=world["staff"])
    year = (TODAY - timedelta(days=1)).year
    client.force_login(world["leader"])
    page = client.get(reverse("market:event_figures"), {"year": year}).content.decode()
    assert "举办对接活动1场，达成意向合作2项" in page
    client.force_login(world["kq_staff"])  # 柯桥: the city's event is not the county's
    page = client.get(reverse("market:event_figures"), {"year": year}).content.decode()
    assert "举办对接活动0场，达成意向合作0项" in page
    client.force_login(world["ent_a"])
    assert client.get(reverse("market:event_figures")).status_code == 403


# --- query counts ----------------------------------------------------------------------------------------


def _more_meetings(world, event, n):
    """n more enterprises, each with a demand paired with the institution's achievement."""
    offer = event.meetings.first().achievement
    for i in range(n):
        user = enterprise_user(f"绍兴加量{i}号纺织有限公司")
        demand = listing(user.organization, title=f"加量需求{i}", keywords="印染")
        register(event, user, [demand])
        meetings_add(event=event, pairs=[(demand.pk, offer.pk)], by=world["staff"])


def test_key_pages_do_not_grow_queries_with_their_rows(client, world, django_assert_max_num_queries):
    event, listings = _scheduled(world)
    for i in range(3):
        make_event(world["staff"], title=f"另一场活动{i}")
    client.force_login(world["staff"])
    urls = [
        reverse("market:event_list"),
        reverse("market:event_schedule", args=[event.pk]),
        reverse("market:event_schedule_print", args=[event.pk]),
        reverse("market:event_registrations", args=[event.pk]),
        reverse("market:event_proposals", args=[event.pk]),
        reverse("market:event_detail", args=[event.pk]),
    ]
    baseline = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(16) as captured:
            assert client.get(url).status_code == 200
        baseline[url] = len(captured.captured_queries)
    print("event page queries:", {url.split("/events/")[-1] or "list": n for url, n in baseline.items()})
    for i in range(3, 6):
        make_event(world["staff"], title=f"另一场活动{i}")
    MatchmakingEvent.objects.filter(pk=event.pk).update(state=EventState.OPEN)
    _more_meetings(world, event, 4)
    event.refresh_from_db()
    event_schedule(event=event, by=world["staff"])
    for url in urls:
        with django_assert_max_num_queries(baseline[url]) as captured:
            assert client.get(url).status_code == 200
    # An organization's own schedule page, too.
    client.force_login(world["institution"])
    url = reverse("market:event_schedule", args=[event.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


# --- API -------------------------------------------------------------------------------------------------


def test_api_runs_an_event_from_creation_to_figures(client, world):
    staff = world["staff"]
    client.force_login(staff)
    held = TODAY + timedelta(days=12)
    response = _post_json(
        client,
        "/api/market/events",
        {"title": "接口对接会", "held_on": held.isoformat(), "place": "越城区", "slot_count": 3, "tables": 2},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["region_code"], body["starts_at"], body["registration_count"]) == (
        "draft",
        "330600",
        "09:00:00",
        0,
    )
    pk = body["id"]
    response = _post_json(
        client, f"/api/market/events/{pk}/transition", {"action": "open", "version": body["version"]}
    )
    assert response.json()["state"] == "open"

    demand = listing(world["org_a"], title="印染废水回用", keywords="印染,废水")
    offer = listing(
        world["institution"].organization, ListingKind.ACHIEVEMENT, "印染废水处理", keywords="印染,废水"
    )
    foreign = listing(world["org_b"], title="别家的需求")
    client.force_login(world["ent_a"])
    refused = _post_json(
        client,
        f"/api/market/events/{pk}/registration",
        {"listing_ids": [demand.pk, foreign.pk], "attendee": "王经理", "phone": "13800000000"},
        method="put",
    )
    assert refused.status_code == 400 and "不是本单位发布的信息" in refused.json()["detail"]
    ok = _post_json(
        client,
        f"/api/market/events/{pk}/registration",
        {"listing_ids": [demand.pk], "attendee": "王经理", "phone": "13800000000"},
        method="put",
    )
    assert ok.status_code == 200 and ok.json()["listing_ids"] == [demand.pk]
    assert client.get(f"/api/market/events/{pk}/proposals").status_code == 403
    assert client.get(f"/api/market/events/{pk}/registrations").status_code == 403
    client.force_login(world["institution"])
    _post_json(
        client,
        f"/api/market/events/{pk}/registration",
        {"listing_ids": [offer.pk], "attendee": "陈教授", "phone": "13700000000"},
        method="put",
    )

    client.force_login(staff)
    proposals = client.get(f"/api/market/events/{pk}/proposals").json()
    assert [(p["demand_id"], p["achievement_id"], p["source"], p["suggested"]) for p in proposals] == [
        (demand.pk, offer.pk, "keywords", True)
    ]
    added = _post_json(
        client,
        f"/api/market/events/{pk}/meetings",
        {"pairs": [{"demand_id": demand.pk, "achievement_id": offer.pk}]},
    )
    assert added.status_code == 201 and added.json()[0]["slot"] is None
    scheduled = client.post(f"/api/market/events/{pk}/schedule")
    assert scheduled.status_code == 200, scheduled.content
    result = scheduled.json()
    assert (result["placed"], result["unscheduled"], result["event"]["state"]) == (1, [], "scheduled")
    meetings = client.get(f"/api/market/events/{pk}/meetings").json()
    assert [(m["slot"], m["table"], m["time"]) for m in meetings] == [(0, 1, "09:00–09:20")]
    meeting_id = meetings[0]["id"]

    client.force_login(world["ent_b"])  # not a party
    assert client.get(f"/api/market/events/{pk}/meetings").json() == []
    refused = _post_json(
        client, f"/api/market/events/{pk}/meetings/{meeting_id}/outcome", {"outcome": "intent"}
    )
    assert refused.status_code == 404
    client.force_login(world["ent_a"])
    assert [m["id"] for m in client.get(f"/api/market/events/{pk}/meetings").json()] == [meeting_id]
    stale = _post_json(
        client, f"/api/market/events/{pk}/meetings/{meeting_id}/outcome", {"outcome": "intent", "version": 1}
    )
    assert stale.status_code == 409
    done = _post_json(
        client,
        f"/api/market/events/{pk}/meetings/{meeting_id}/outcome",
        {"outcome": "signed", "amount": "420000.00", "note": "当场签约"},
    )
    assert (done.json()["outcome"], done.json()["amount"]) == ("signed", "420000.00")

    client.force_login(staff)
    MatchmakingEvent.objects.filter(pk=pk).update(held_on=TODAY - timedelta(days=1))
    version = client.get(f"/api/market/events/{pk}").json()["version"]
    finished = _post_json(
        client, f"/api/market/events/{pk}/transition", {"action": "finish", "version": version}
    )
    assert finished.json()["state"] == "finished"
    year = (TODAY - timedelta(days=1)).year
    figures = client.get("/api/market/events/figures", {"year": year}).json()
    assert (figures["events"], figures["total"]["intents"], figures["total"]["signed"]) == (1, 1, 1)
    assert figures["total"]["signed_amount"] == "420000.00"
    assert figures["sentence"] == "举办对接活动1场，达成意向合作1项"
    assert client.get("/api/market/events/figures", {"year": year, "region": "330000"}).status_code == 400
    client.force_login(world["kq_staff"])
    assert client.get("/api/market/events/figures", {"year": year}).json()["events"] == 0


def test_api_lists_only_public_events_and_withdraws_a_registration(client, world):
    open_event = make_event(world["staff"])
    make_event(world["staff"], open_it=False, title="筹备中")
    own = listing(world["org_a"])
    register(open_event, world["ent_a"], [own])
    client.force_login(world["ent_a"])
    items = client.get("/api/market/events").json()["items"]
    assert [i["id"] for i in items] == [open_event.pk]
    assert client.get(f"/api/market/events/{open_event.pk}/registration").json()["listing_ids"] == [own.pk]
    assert client.delete(f"/api/market/events/{open_event.pk}/registration").status_code == 204
    assert not EventRegistration.objects.filter(event=open_event).exists()
    assert client.get(f"/api/market/events/{open_event.pk}/registration").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/market/events",
        "/api/market/events/{pk}",
        "/api/market/events/{pk}/registration",
        "/api/market/events/{pk}/proposals",
        "/api/market/events/{pk}/schedule",
        "/api/market/events/{pk}/meetings/{meeting_pk}/outcome",
        "/api/market/events/figures",
    } <= set(schema["paths"])

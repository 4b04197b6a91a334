"""Matchmaking events (对接活动, issue 5 item 5): lifecycle, registration rules, proposals, scheduling into
meetings, outcomes, visibility of the schedule, figures for the report, and the Word schedule."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest

from kechuang.accounts.enums import Role
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog, Notification
from kechuang.market.enums import EventState, ListingKind, ListingState, MeetingOutcome
from kechuang.market.event_export import schedule_docx
from kechuang.market.event_jobs import event_notify
from kechuang.market.events import (
    event_figures,
    event_proposals,
    event_save,
    event_schedule,
    event_transition,
    events_visible_to,
    meeting_record_outcome,
    meeting_remove,
    meetings_add,
    meetings_visible_to,
    registration_withdraw,
    report_sentence,
    slot_label,
)
from kechuang.market.models import EventRegistration, Match, MatchmakingEvent, Meeting

from ..factories import audit_for
from .events_helpers import TODAY, listing, make_event, populated_event, register

pytestmark = pytest.mark.django_db


def _finish(event, by):
    """Scheduled → finished, as if the event had been held yesterday."""
    MatchmakingEvent.objects.filter(pk=event.pk).update(held_on=TODAY - timedelta(days=1))
    event.refresh_from_db()
    return event_transition(event=event, action="finish", by=by)


# --- lifecycle -------------------------------------------------------------------------------------------


def test_an_event_goes_draft_open_scheduled_finished_and_every_transition_is_recorded(world):
    staff = world["staff"]
    event = make_event(staff, open_it=False)
    assert (event.state, event.organizer, event.region_id) == (EventState.DRAFT, staff, "330600")
    event, listings = populated_event(world)
    meetings_add(event=event, pairs=[(listings["a1"].pk, listings["s1"].pk)], by=staff)
    event_schedule(event=event, by=staff)
    event.refresh_from_db()
    assert event.state == EventState.SCHEDULED
    event = _finish(event, staff)
    assert event.state == EventState.FINISHED
    transitions = audit_for(event, action=AuditLog.Action.TRANSITION).order_by("at", "id")
    assert [(t.from_state, t.to_state, t.actor) for t in transitions] == [
        ("draft", "open", staff),
        ("open", "scheduled", staff),
        ("scheduled", "finished", staff),
    ]


def test_cancel_needs_a_reason_and_a_finished_event_cannot_be_cancelled(world):
    staff = world["staff"]
    event = make_event(staff)
    with pytest.raises(DomainError, match="请填写理由"):
        event_transition(event=event, action="cancel", by=staff)
    event = event_transition(event=event, action="cancel", reason="场地临时改作他用", by=staff)
    assert event.state == EventState.CANCELLED
    line = audit_for(event, action=AuditLog.Action.TRANSITION).latest("id")
    assert (line.to_state, line.reason) == ("cancelled", "场地临时改作他用")

    held, listings = populated_event(world)
    meetings_add(event=held, pairs=[(listings["a1"].pk, listings["s1"].pk)], by=staff)
    event_schedule(event=held, by=staff)
    held = _finish(MatchmakingEvent.objects.get(pk=held.pk), staff)
    with pytest.raises(DomainError, match="已结束"):
        event_transition(event=held, action="cancel", reason="x", by=staff)


def test_an_event_not_yet_held_cannot_be_finished_and_a_stale_version_is_refused(world):
    staff = world["staff"]
    event, listings = populated_event(world)
    meetings_add(event=event, pairs=[(listings["a1"].pk, listings["s1"].pk)], by=staff)
    event_schedule(event=event, by=staff)
    event.refresh_from_db()
    with pytest.raises(DomainError, match="尚未举办"):
        event_transition(event=event, action="finish", by=staff)
    with pytest.raises(ConflictError):
        event_save(event=event, values={**_values(event), "place": "新址"}, by=staff, expected_version=1)


def _values(event):
    return {
        name: getattr(event, name)
        for name in (
            "title",
            "theme",
            "tech_fields",
            "held_on",
            "place",
            "starts_at",
            "slot_minutes",
            "slot_count",
            "tables",
            "registration_closes_on",
        )
    } | {"region": event.region_id}


def test_event_values_are_checked(world):
    staff = world["staff"]
    with pytest.raises(DomainError, match="报名截止日期不能晚于举办日期") as refused:
        make_event(staff, registration_closes_on=TODAY + timedelta(days=30))
    assert refused.value.field == "registration_closes_on"
    with pytest.raises(DomainError, match="第二天"):
        make_event(staff, slot_count=40, slot_minutes=30)
    with pytest.raises(DomainError, match="技术领域不正确"):
        make_event(staff, tech_fields=["cooking"])
    with pytest.raises(DomainError, match="洽谈桌数应在1到200之间"):
        make_event(staff, tables=0)


def test_a_county_bureau_cannot_manage_or_see_the_draft_of_another_countys_event(world, make_user):
    zj_staff = make_user(Role.BUREAU_STAFF, region_code="330681")
    zj_event = make_event(zj_staff, open_it=False)
    kq_staff = world["kq_staff"]
    with pytest.raises(PermissionDenied):
        event_save(event=zj_event, values=_values(zj_event) | {"place": "柯桥"}, by=kq_staff)
    with pytest.raises(PermissionDenied):
        event_transition(event=zj_event, action="open", by=kq_staff)
    with pytest.raises(PermissionDenied):
        make_event(kq_staff, region_code="330681", open_it=False)
    assert list(events_visible_to(user=kq_staff)) == []
    # The city bureau sees and runs the county's event; once open it is public.
    assert list(events_visible_to(user=world["staff"])) == [zj_event]
    event_transition(event=zj_event, action="open", by=world["staff"])
    assert list(events_visible_to(user=kq_staff)) == [zj_event]
    assert list(events_visible_to(user=world["ent_a"])) == [zj_event]
    # Officers and leaders do not run events.
    with pytest.raises(PermissionDenied):
        make_event(world["leader"], open_it=False)


# --- registration ----------------------------------------------------------------------------------------


def test_an_organization_registers_with_its_own_published_listings_only(world):
    event = make_event(world["staff"])
    own = listing(world["org_a"], title="印染废水深度处理")
    draft = listing(world["org_a"], title="未发布的需求", state=ListingState.PENDING)
    other = listing(world["org_b"], title="诸暨的需求")
    with pytest.raises(DomainError, match="不是本单位发布的信息") as refused:
        register(event, world["ent_a"], [own, other])
    assert refused.value.field == "listings"
    with pytest.raises(DomainError, match="尚未发布或已过期"):
        register(event, world["ent_a"], [draft])
    with pytest.raises(DomainError, match="至少选择一项"):
        register(event, world["ent_a"], [])
    with pytest.raises(DomainError, match="联系电话"):
        register(event, world["ent_a"], [own], phone="电话")
    registration = register(event, world["ent_a"], [own])
    assert (registration.organization, list(registration.listings.all()), registration.registered_by) == (
        world["org_a"],
        [own],
        world["ent_a"],
    )
    assert EventRegistration.objects.filter(event=event).count() == 1


@pytest.mark.parametrize("who", ["provider", "staff", "expert", "broker"])
def test_only_enterprise_and_institution_users_register(world, who):
    event = make_event(world["staff"])
    with pytest.raises(PermissionDenied, match="只有企业和高校院所的用户可以为本单位报名"):
        register(event, world[who], [listing(world["org_a"])])


def test_registration_closes_after_the_deadline_and_outside_the_open_state(world):
    staff = world["staff"]
    event = make_event(staff, registration_closes_on=TODAY - timedelta(days=1), open_it=False)
    own = listing(world["org_a"])
    with pytest.raises(PermissionDenied, match="不在报名期内"):
        register(event, world["ent_a"], [own])
    with pytest.raises(DomainError, match="报名截止日期已过"):
        event_transition(event=event, action="open", by=staff)
    # Opened while registration ran, the deadline passes afterwards.
    event = make_event(staff)
    MatchmakingEvent.objects.filter(pk=event.pk).update(registration_closes_on=TODAY - timedelta(days=1))
    event.refresh_from_db()
    with pytest.raises(PermissionDenied, match=f"报名已于{(TODAY - timedelta(days=1)).isoformat()}截止"):
        register(event, world["ent_a"], [own])
    # The last day itself is still open.
    MatchmakingEvent.objects.filter(pk=event.pk).update(registration_closes_on=TODAY)
    event.refresh_from_db()
    assert register(event, world["ent_a"], [own]).pk


def test_changing_or_withdrawing_a_registration_takes_its_pairs_away(world):
    staff = world["staff"]
    event, listings = populated_event(world)
    meetings_add(
        event=event,
        pairs=[(listings["a1"].pk, listings["s1"].pk), (listings["a2"].pk, listings["s2"].pk)],
        by=staff,
    )
    registration = register(event, world["ent_a"], [listings["a1"]])
    assert registration.version == 2
    assert list(Meeting.objects.filter(event=event).values_list("demand_id", flat=True)) == [
        listings["a1"].pk
    ]
    change = (
        audit_for(registration, action=AuditLog.Action.UPDATE)
        .filter(changes__has_key="listings")
        .latest("id")
    )
    assert change.changes["listings"] == [
        sorted([listings["a1"].pk, listings["a2"].pk]),
        [listings["a1"].pk],
    ]
    with pytest.raises(DomainError, match="只能撤回本单位的报名"):
        registration_withdraw(registration=registration, by=world["ent_b"])
    registration_withdraw(registration=registration, by=world["ent_a"])
    assert not Meeting.objects.filter(event=event).exists()
    assert not EventRegistration.objects.filter(pk=registration.pk).exists()


# --- proposals and pairs ---------------------------------------------------------------------------------


def test_proposals_score_by_stored_matches_else_by_shared_keywords(world):
    event, listings = populated_event(world)
    a1, a2, b1, s1, s2 = (listings[k] for k in ("a1", "a2", "b1", "s1", "s2"))
    proposals = {(p.demand.pk, p.achievement.pk): p for p in event_proposals(event=event)}
    # No match stored yet: the fallback, from the shared keywords and title words and the same field.
    first = proposals[(a1.pk, s1.pk)]
    assert (first.scored.source, first.scored.same_field) == ("keywords", True)
    assert {"印染", "废水"} <= set(first.scored.shared)
    assert first.suggested
    # 数控机床 shares nothing with either achievement and is in another field: not proposed.
    assert (b1.pk, s1.pk) not in proposals and (b1.pk, s2.pk) not in proposals
    ranked = [(p.demand.pk, p.achievement.pk) for p in event_proposals(event=event)]
    assert ranked[0] in {(a1.pk, s1.pk), (a2.pk, s2.pk)}
    # A stored match (either direction) replaces the fallback.
    Match.objects.create(listing=b1, target_kind="listing", target_listing=s2, rank=1, score=0.91)
    Match.objects.create(listing=s1, target_kind="listing", target_listing=a2, rank=3, score=0.42)
    proposals = {(p.demand.pk, p.achievement.pk): p for p in event_proposals(event=event)}
    assert (proposals[(b1.pk, s2.pk)].score, proposals[(b1.pk, s2.pk)].scored.source) == (0.91, "match")
    assert (proposals[(a2.pk, s1.pk)].score, proposals[(a2.pk, s1.pk)].scored.source) == (0.42, "match")
    assert [(p.demand.pk, p.achievement.pk) for p in event_proposals(event=event)][0] == (b1.pk, s2.pk)


def test_pairs_are_kept_added_and_removed_by_the_bureau_only(world):
    staff = world["staff"]
    event, listings = populated_event(world)
    a1, b1, s1, s2 = (listings[k] for k in ("a1", "b1", "s1", "s2"))
    with pytest.raises(PermissionDenied):
        meetings_add(event=event, pairs=[(a1.pk, s1.pk)], by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        meetings_add(event=event, pairs=[(a1.pk, s1.pk)], by=world["kq_staff"])  # a city event
    stranger = listing(world["org_b"], ListingKind.ACHIEVEMENT, "未报名的成果")
    with pytest.raises(DomainError, match="不是本活动报名的成果"):
        meetings_add(event=event, pairs=[(a1.pk, stranger.pk)], by=staff)
    with pytest.raises(DomainError, match="不是本活动报名的需求"):
        meetings_add(event=event, pairs=[(s1.pk, s2.pk)], by=staff)
    created = meetings_add(event=event, pairs=[(a1.pk, s1.pk), (b1.pk, s2.pk), (a1.pk, s1.pk)], by=staff)
    assert [(m.demand, m.achievement, m.demand_party, m.supply_party, m.slot) for m in created] == [
        (a1, s1, world["org_a"], world["institution"].organization, None),
        (b1, s2, world["org_b"], world["institution"].organization, None),
    ]
    assert created[1].score == 0.0  # added by hand: no shared words, different field
    assert meetings_add(event=event, pairs=[(a1.pk, s1.pk)], by=staff) == []
    meeting_remove(meeting=created[1], by=staff)
    assert list(Meeting.objects.filter(event=event)) == [created[0]]


def test_an_organization_with_both_demands_and_achievements_is_not_paired_with_itself(world):
    event = make_event(world["staff"])
    inst = world["institution"]
    demand = listing(inst.organization, title="实验室废水处理需求", keywords="废水")
    offer = listing(inst.organization, ListingKind.ACHIEVEMENT, "废水处理成果", keywords="废水")
    register(event, inst, [demand, offer])
    assert event_proposals(event=event) == []
    with pytest.raises(DomainError, match="同一单位"):
        meetings_add(event=event, pairs=[(demand.pk, offer.pk)], by=world["staff"])


# --- scheduling ------------------------------------------------------------------------------------------


def test_scheduling_places_the_kept_pairs_and_reports_those_that_do_not_fit(world):
    staff = world["staff"]
    event = make_event(staff, slot_count=1, tables=1)
    inst = world["institution"]
    offer = listing(inst.organization, ListingKind.ACHIEVEMENT, "印染废水处理", keywords="印染,废水")
    high = listing(world["org_a"], title="印染废水回用", keywords="印染,废水")
    low = listing(world["org_b"], title="废水除臭", keywords="废水,除臭")
    register(event, inst, [offer])
    register(event, world["ent_a"], [high])
    register(event, world["ent_b"], [low])
    meetings_add(event=event, pairs=[(low.pk, offer.pk), (high.pk, offer.pk)], by=staff)
    with pytest.raises(PermissionDenied):
        event_schedule(event=event, by=world["ent_a"])
    result = event_schedule(event=event, by=staff)
    assert result.event.state == EventState.SCHEDULED
    assert result.placed == 1
    placed = Meeting.objects.get(event=event, slot__isnull=False)
    assert (placed.demand, placed.slot, placed.table) == (high, 0, 1)
    assert [(m.demand, reason) for m, reason in result.unscheduled] == [(low, "双方在各场次均已有洽谈")]
    assert Meeting.objects.get(event=event, demand=low).slot is None


def test_rescheduling_keeps_recorded_outcomes_in_place(world):
    staff = world["staff"]
    event, listings = populated_event(world)
    a1, a2, b1, s1, s2 = (listings[k] for k in ("a1", "a2", "b1", "s1", "s2"))
    meetings_add(event=event, pairs=[(a1.pk, s1.pk), (a2.pk, s2.pk)], by=staff)
    event_schedule(event=event, by=staff)
    # Both meet the institution and the same enterprise, so one is later than slot 0.
    signed = Meeting.objects.filter(event=event).order_by("-slot").first()
    assert signed.slot > 0
    meeting_record_outcome(
        meeting=signed, outcome=MeetingOutcome.SIGNED, amount=Decimal("800000"), note="技术转让", by=staff
    )
    seat = (signed.slot, signed.table)
    # A late pair with the institution, then a re-schedule.
    meetings_add(event=event, pairs=[(b1.pk, s2.pk)], by=staff)
    result = event_schedule(event=MatchmakingEvent.objects.get(pk=event.pk), by=staff)
    assert result.placed == 3 and result.unscheduled == []
    signed.refresh_from_db()
    assert ((signed.slot, signed.table), signed.outcome, signed.amount, signed.note) == (
        seat,
        "signed",
        Decimal("800000.00"),
        "技术转让",
    )
    slots = {}
    for m in Meeting.objects.filter(event=event):
        for party in (m.demand_party_id, m.supply_party_id):
            assert (party, m.slot) not in slots
            slots[(party, m.slot)] = m
    rescheduled = audit_for(event, action=AuditLog.Action.UPDATE).filter(reason="重新排期")
    assert rescheduled.count() == 1
    # A meeting with an outcome is not removed; a smaller grid that would drop it is refused.
    with pytest.raises(DomainError, match="已登记结果"):
        meeting_remove(meeting=signed, by=staff)
    event.refresh_from_db()
    with pytest.raises(DomainError, match="不能减少场次或洽谈桌"):
        event_save(event=event, values=_values(event) | {"slot_count": 1}, by=staff)


def test_slot_times_follow_the_start_and_the_slot_length(world):
    event = make_event(world["staff"], slot_minutes=25)
    assert [slot_label(event, s) for s in range(3)] == ["09:00–09:25", "09:25–09:50", "09:50–10:15"]
    assert slot_label(event, None) == "—"


# --- outcomes and visibility -----------------------------------------------------------------------------


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


def test_outcomes_are_recorded_by_the_bureau_or_the_parties_and_audited(world):
    event, listings = _scheduled(world)
    meeting = Meeting.objects.get(event=event, demand=listings["a1"])
    with pytest.raises(PermissionDenied, match="洽谈双方"):
        meeting_record_outcome(meeting=meeting, outcome="intent", by=world["ent_b"])
    with pytest.raises(DomainError, match="签约须填写签约金额") as refused:
        meeting_record_outcome(meeting=meeting, outcome="signed", by=world["ent_a"])
    assert refused.value.field == "amount"
    done = meeting_record_outcome(
        meeting=meeting, outcome="intent", amount=Decimal("300000"), note="下月再谈", by=world["ent_a"]
    )
    assert (done.outcome, done.amount, done.version) == ("intent", Decimal("300000"), 3)
    with pytest.raises(ConflictError):
        meeting_record_outcome(
            meeting=meeting, outcome="signed", amount=Decimal(1), by=world["institution"], expected_version=2
        )
    done = meeting_record_outcome(
        meeting=meeting, outcome="absent", amount=Decimal("5"), by=world["institution"]
    )
    assert (done.outcome, done.amount) == ("absent", None)
    lines = (
        audit_for(meeting, action=AuditLog.Action.UPDATE).filter(changes__has_key="outcome").order_by("id")
    )
    assert [(line.changes["outcome"], line.actor) for line in lines] == [
        (["pending", "intent"], world["ent_a"]),
        (["intent", "absent"], world["institution"]),
    ]


def test_an_organization_sees_its_own_meetings_only_and_nothing_before_scheduling(world):
    staff = world["staff"]
    event, listings = populated_event(world)
    meetings_add(
        event=event,
        pairs=[(listings["a1"].pk, listings["s1"].pk), (listings["b1"].pk, listings["s2"].pk)],
        by=staff,
    )
    assert list(meetings_visible_to(user=world["ent_a"], event=event)) == []
    assert meetings_visible_to(user=staff, event=event).count() == 2
    event_schedule(event=event, by=staff)
    event.refresh_from_db()
    mine = list(meetings_visible_to(user=world["ent_a"], event=event))
    assert [(m.demand_party, m.demand) for m in mine] == [(world["org_a"], listings["a1"])]
    assert meetings_visible_to(user=world["institution"], event=event).count() == 2
    assert meetings_visible_to(user=world["provider"], event=event).count() == 0
    assert meetings_visible_to(user=world["expert"], event=event).count() == 0
    # The county's officer of another county sees nothing of a city event; the city's leader sees all.
    assert meetings_visible_to(user=world["zj_officer"], event=event).count() == 0
    assert meetings_visible_to(user=world["leader"], event=event).count() == 2


def test_registered_organizations_are_told_their_own_meetings(world):
    event, listings = _scheduled(world)
    assert event_notify(event_id=event.pk, occasion="scheduled") == 3
    assert event_notify(event_id=event.pk, occasion="scheduled") == 0  # a job run twice sends once
    message = Notification.objects.get(recipient=world["ent_b"])
    assert message.subject == f"对接日程已发布：{event.title}"
    assert "本单位共安排1场洽谈" in message.body and "绍兴测试研究院" in message.body
    assert world["org_a"].name not in message.body
    assert "本单位共安排2场洽谈" in Notification.objects.get(recipient=world["institution"]).body


# --- figures ---------------------------------------------------------------------------------------------


def test_figures_count_finished_events_of_the_year_in_the_region(world, make_user, django_assert_num_queries):
    staff = world["staff"]
    event, listings = _scheduled(world)
    signed = Meeting.objects.get(event=event, demand=listings["a1"])
    intent = Meeting.objects.get(event=event, demand=listings["b1"])
    meeting_record_outcome(meeting=signed, outcome="signed", amount=Decimal("1200000.50"), by=staff)
    meeting_record_outcome(meeting=intent, outcome="intent", amount=Decimal("50000"), by=staff)
    _finish(event, staff)
    # A county event of the same year, finished, with one intent; a cancelled one; one still open.
    zj_staff = make_user(Role.BUREAU_STAFF, region_code="330681")
    county = make_event(zj_staff, title="诸暨机械对接会")
    demand = listing(world["org_b"], title="机床主轴", keywords="主轴,机床")
    offer = listing(world["institution"].organization, ListingKind.ACHIEVEMENT, "主轴动平衡", keywords="主轴")
    register(county, world["ent_b"], [demand])
    register(county, world["institution"], [offer])
    meetings_add(event=county, pairs=[(demand.pk, offer.pk)], by=zj_staff)
    event_schedule(event=county, by=zj_staff)
    meeting_record_outcome(meeting=Meeting.objects.get(event=county), outcome="intent", by=zj_staff)
    county = _finish(MatchmakingEvent.objects.get(pk=county.pk), zj_staff)
    event_transition(event=make_event(staff, title="取消的活动"), action="cancel", reason="x", by=staff)
    make_event(staff, title="报名中的活动")
    year = (TODAY - timedelta(days=1)).year

    event_figures(year=year, region_code="330600")  # the region's codes are cached per process
    with django_assert_num_queries(3):
        city = event_figures(year=year, region_code="330600")
    assert (city.events, city.total.registrations, city.total.meetings) == (2, 5, 3)
    assert (city.total.intents, city.total.signed) == (3, 1)
    assert (city.total.signed_amount, city.total.intent_amount) == (Decimal("1200000.50"), Decimal("50000"))
    assert [(f.event.title, f.registrations, f.meetings, f.intents, f.signed) for f in city.per_event] == [
        ("2026年绍兴市纺织印染技术对接会", 3, 2, 2, 1),
        ("诸暨机械对接会", 2, 1, 1, 0),
    ]
    assert report_sentence(city) == "举办对接活动2场，达成意向合作3项"
    zhuji = event_figures(year=year, region_code="330681")
    assert (zhuji.events, zhuji.total.intents, zhuji.total.signed) == (1, 1, 0)
    assert event_figures(year=year, region_code="330603").events == 0
    assert event_figures(year=year - 1).events == 0


# --- the Word schedule -----------------------------------------------------------------------------------


def test_the_schedule_docx_opens_and_holds_the_meetings(world):
    from docx import Document

    event, listings = _scheduled(world)
    meetings = list(meetings_visible_to(user=world["staff"], event=event))
    whole = Document(BytesIO(schedule_docx(event, meetings)))
    text = "\n".join(p.text for p in whole.paragraphs)
    assert f"{event.title} 对接日程" in text
    rows = [[c.text for c in row.cells] for row in whole.tables[1].rows]
    assert rows[0] == ["场次", "时间", "桌号", "需求方", "技术需求", "成果方", "科技成果"]
    assert sorted(rows[1:]) == sorted(
        [
            [
                str(m.slot + 1),
                slot_label(event, m.slot),
                str(m.table),
                m.demand_party.name,
                m.demand.title,
                m.supply_party.name,
                m.achievement.title,
            ]
            for m in meetings
        ]
    )
    assert whole.sections[0].page_width > whole.sections[0].page_height  # landscape
    own = Document(BytesIO(schedule_docx(event, meetings, organization_id=world["org_b"].pk)))
    own_rows = [[c.text for c in row.cells] for row in own.tables[1].rows]
    assert [r[3:] for r in own_rows[1:]] == [["绍兴测试研究院", listings["b1"].title, listings["s2"].title]]
    assert world["org_a"].name not in "".join(c.text for t in own.tables for row in t.rows for c in row.cells)

"""API of matchmaking events (对接活动), mounted at /api/market: events, registration, proposals, the
schedule, outcomes and the year's figures. The same selectors and services as the pages."""

from datetime import date, time
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.core.scoping import region_within_user_scope

from .events import (
    event_figures,
    event_get_visible,
    event_proposals,
    event_save,
    event_schedule,
    event_transition,
    events_listed,
    meeting_record_outcome,
    meeting_remove,
    meetings_add,
    meetings_visible_to,
    registration_of,
    registration_save,
    registration_withdraw,
    registrations_of_event,
    report_sentence,
    slot_label,
)
from .models import Listing, Meeting
from .permissions import can_manage_event, can_view_event_schedule, can_view_market_figures

router = Router(tags=["market"])


class EventOut(Schema):
    id: int
    title: str
    theme: str
    tech_fields: list[str]
    region_code: str
    region_name: str
    held_on: date
    place: str
    starts_at: time
    slot_minutes: int
    slot_count: int
    tables: int
    registration_closes_on: date | None
    state: str
    state_label: str
    registration_count: int | None = None
    meeting_count: int | None = None
    version: int

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_registration_count(obj):
        return getattr(obj, "registration_count", None)

    @staticmethod
    def resolve_meeting_count(obj):
        return getattr(obj, "meeting_count", None)


class EventIn(Schema):
    title: str
    theme: str = ""
    tech_fields: list[str] = []
    region_code: str | None = None
    held_on: date
    place: str
    starts_at: time = time(9, 0)
    slot_minutes: int = 20
    slot_count: int = 9
    tables: int = 10
    registration_closes_on: date | None = None
    version: int | None = None

    def values(self) -> dict:
        data = self.dict(exclude={"version", "region_code"})
        data["region"] = self.region_code
        return data


class TransitionIn(Schema):
    action: str
    reason: str = ""
    version: int | None = None


class RegistrationOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    listing_ids: list[int]
    attendee: str
    phone: str
    version: int

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_listing_ids(obj):
        return sorted(listing.pk for listing in obj.listings.all())


class RegistrationIn(Schema):
    listing_ids: list[int]
    attendee: str
    phone: str
    version: int | None = None


class ProposalOut(Schema):
    demand_id: int
    demand_title: str
    demand_party_id: int
    demand_party_name: str
    achievement_id: int
    achievement_title: str
    supply_party_id: int
    supply_party_name: str
    score: float
    source: str
    shared_keywords: list[str]
    same_field: bool
    suggested: bool
    meeting_id: int | None


class PairIn(Schema):
    demand_id: int
    achievement_id: int


class PairsIn(Schema):
    pairs: list[PairIn]


class MeetingOut(Schema):
    id: int
    demand_id: int
    demand_title: str
    demand_party_id: int
    demand_party_name: str
    achievement_id: int
    achievement_title: str
    supply_party_id: int
    supply_party_name: str
    slot: int | None
    table: int | None
    time: str | None
    score: float
    outcome: str
    amount: Decimal | None
    note: str
    version: int


class UnscheduledOut(Schema):
    meeting: MeetingOut
    reason: str


class ScheduleOut(Schema):
    event: EventOut
    placed: int
    unscheduled: list[UnscheduledOut]


class OutcomeIn(Schema):
    outcome: str
    amount: Decimal | None = None
    note: str = ""
    version: int | None = None


class FiguresQuery(Schema):
    year: int | None = None
    region: str | None = None


class EventFiguresOut(Schema):
    event_id: int | None
    title: str | None
    held_on: date | None
    registrations: int
    meetings: int
    intents: int
    signed: int
    signed_amount: Decimal
    intent_amount: Decimal


class FiguresOut(Schema):
    year: int
    region_code: str | None
    events: int
    sentence: str
    total: EventFiguresOut
    per_event: list[EventFiguresOut]


def _meeting_out(event, m: Meeting) -> dict:
    return {
        "id": m.pk,
        "demand_id": m.demand_id,
        "demand_title": m.demand.title,
        "demand_party_id": m.demand_party_id,
        "demand_party_name": m.demand_party.name,
        "achievement_id": m.achievement_id,
        "achievement_title": m.achievement.title,
        "supply_party_id": m.supply_party_id,
        "supply_party_name": m.supply_party.name,
        "slot": m.slot,
        "table": m.table,
        "time": slot_label(event, m.slot) if m.slot is not None else None,
        "score": m.score,
        "outcome": m.outcome,
        "amount": m.amount,
        "note": m.note,
        "version": m.version,
    }


def _figures_out(f) -> dict:
    return {
        "event_id": f.event.pk if f.event else None,
        "title": f.event.title if f.event else None,
        "held_on": f.event.held_on if f.event else None,
        "registrations": f.registrations,
        "meetings": f.meetings,
        "intents": f.intents,
        "signed": f.signed,
        "signed_amount": f.signed_amount,
        "intent_amount": f.intent_amount,
    }


def _event(request, pk: int):
    event = event_get_visible(user=request.user, pk=pk)
    if event is None:
        raise Http404
    return event


def _managed(request, pk: int):
    event = _event(request, pk)
    require(can_manage_event(request.user, event))
    return event


def _listed(request, pk: int):
    return events_listed(user=request.user).get(pk=pk)


# --- events


@router.get("/events", response=list[EventOut], summary="对接活动列表")
@paginate(PageNumberPagination, page_size=20)
def event_list(request):
    """Every event but drafts; a bureau user also sees the drafts of their region."""
    return events_listed(user=request.user)


@router.post("/events", response={201: EventOut}, summary="新建对接活动")
def event_create_api(request, payload: EventIn):
    event = event_save(values=payload.values(), by=request.user)
    return Status(201, _listed(request, event.pk))


@router.get("/events/figures", response=FiguresOut, summary="对接活动统计")
def event_figures_api(request, filters: Query[FiguresQuery]):
    """Events finished and held in `year` in the caller's region (or `region` within it), with the report's
    sentence: 举办对接活动N场，达成意向合作M项."""
    from django.utils import timezone

    user = request.user
    require(can_view_market_figures(user))
    region = filters.region or (None if user.is_superuser and not user.region_id else user.region_id)
    if filters.region and not region_within_user_scope(user, filters.region):
        raise DomainError(_("该区划不在您的属地范围内。"), field="region")
    figures = event_figures(year=filters.year or timezone.localdate().year, region_code=region)
    return {
        "year": figures.year,
        "region_code": figures.region_code,
        "events": figures.events,
        "sentence": report_sentence(figures),
        "total": _figures_out(figures.total),
        "per_event": [_figures_out(f) for f in figures.per_event],
    }


@router.get("/events/{pk}", response=EventOut, summary="对接活动详情")
def event_detail_api(request, pk: int):
    _event(request, pk)
    return _listed(request, pk)


@router.put("/events/{pk}", response=EventOut, summary="修改对接活动")
def event_update_api(request, pk: int, payload: EventIn):
    event = _managed(request, pk)
    event_save(event=event, values=payload.values(), by=request.user, expected_version=payload.version)
    return _listed(request, pk)


@router.post("/events/{pk}/transition", response=EventOut, summary="活动流转（开放报名、结束、取消）")
def event_transition_api(request, pk: int, payload: TransitionIn):
    event = _event(request, pk)
    event_transition(
        event=event,
        action=payload.action,
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )
    return _listed(request, pk)


# --- registration


@router.get("/events/{pk}/registrations", response=list[RegistrationOut], summary="报名单位")
def registration_list_api(request, pk: int):
    event = _event(request, pk)
    require(can_view_event_schedule(request.user, event))
    return list(registrations_of_event(event=event))


@router.get("/events/{pk}/registration", response=RegistrationOut, summary="本单位的报名")
def registration_get_api(request, pk: int):
    registration = registration_of(event=_event(request, pk), user=request.user)
    if registration is None:
        raise Http404
    return registration


@router.put("/events/{pk}/registration", response=RegistrationOut, summary="报名或修改报名")
def registration_put_api(request, pk: int, payload: RegistrationIn):
    """Register the caller's organization with some of its published listings (only its own)."""
    event = _event(request, pk)
    listings = list(Listing.objects.filter(pk__in=payload.listing_ids))
    missing = set(payload.listing_ids) - {listing.pk for listing in listings}
    if missing:
        raise DomainError(
            _("供需信息编号不存在：%(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))},
            field="listing_ids",
        )
    done = registration_save(
        event=event,
        listings=listings,
        attendee=payload.attendee,
        phone=payload.phone,
        by=request.user,
        expected_version=payload.version,
    )
    return registration_of(event=done.event, user=request.user)


@router.delete("/events/{pk}/registration", response={204: None}, summary="撤回报名")
def registration_delete_api(request, pk: int, version: int | None = None):
    event = _event(request, pk)
    registration = registration_of(event=event, user=request.user)
    if registration is None:
        raise Http404
    registration_withdraw(registration=registration, by=request.user, expected_version=version)
    return Status(204, None)


# --- pairs and schedule


@router.get("/events/{pk}/proposals", response=list[ProposalOut], summary="对接建议")
def proposal_list_api(request, pk: int):
    """Every registered demand × achievement of two organizations with a positive score, best first."""
    event = _managed(request, pk)
    return [
        {
            "demand_id": p.demand.pk,
            "demand_title": p.demand.title,
            "demand_party_id": p.demand.organization_id,
            "demand_party_name": p.demand.organization.name,
            "achievement_id": p.achievement.pk,
            "achievement_title": p.achievement.title,
            "supply_party_id": p.achievement.organization_id,
            "supply_party_name": p.achievement.organization.name,
            "score": p.score,
            "source": p.scored.source,
            "shared_keywords": list(p.scored.shared),
            "same_field": p.scored.same_field,
            "suggested": p.suggested,
            "meeting_id": p.meeting.pk if p.meeting else None,
        }
        for p in event_proposals(event=event)
    ]


@router.get("/events/{pk}/meetings", response=list[MeetingOut], summary="对接日程")
def meeting_list_api(request, pk: int):
    """The whole schedule for the event's bureau; a registered organization gets its own meetings only."""
    event = _event(request, pk)
    meetings = meetings_visible_to(user=request.user, event=event).order_by("slot", "table", "pk")
    return [_meeting_out(event, m) for m in meetings]


@router.post("/events/{pk}/meetings", response={201: list[MeetingOut]}, summary="保留或添加对接组合")
def meeting_add_api(request, pk: int, payload: PairsIn):
    event = _managed(request, pk)
    created = meetings_add(
        event=event, pairs=[(p.demand_id, p.achievement_id) for p in payload.pairs], by=request.user
    )
    fresh = meetings_visible_to(user=request.user, event=event).filter(pk__in=[m.pk for m in created])
    return Status(201, [_meeting_out(event, m) for m in fresh.order_by("pk")])


@router.delete("/events/{pk}/meetings/{meeting_pk}", response={204: None}, summary="删除对接组合")
def meeting_delete_api(request, pk: int, meeting_pk: int):
    event = _managed(request, pk)
    meeting = Meeting.objects.filter(event=event, pk=meeting_pk).first()
    if meeting is None:
        raise Http404
    meeting_remove(meeting=meeting, by=request.user)
    return Status(204, None)


@router.post("/events/{pk}/schedule", response=ScheduleOut, summary="排期或重新排期")
def schedule_api(request, pk: int, version: int | None = None):
    """Place the kept pairs into slots and tables; pairs that do not fit come back as `unscheduled`."""
    event = _managed(request, pk)
    result = event_schedule(event=event, by=request.user, expected_version=version)
    meetings = {m.pk: m for m in meetings_visible_to(user=request.user, event=event)}
    return {
        "event": _listed(request, pk),
        "placed": result.placed,
        "unscheduled": [
            {"meeting": _meeting_out(event, meetings[m.pk]), "reason": reason}
            for m, reason in result.unscheduled
        ],
    }


@router.post("/events/{pk}/meetings/{meeting_pk}/outcome", response=MeetingOut, summary="登记洽谈结果")
def outcome_api(request, pk: int, meeting_pk: int, payload: OutcomeIn):
    event = _event(request, pk)
    meeting = meetings_visible_to(user=request.user, event=event).filter(pk=meeting_pk).first()
    if meeting is None:
        raise Http404
    meeting_record_outcome(
        meeting=meeting,
        outcome=payload.outcome,
        amount=payload.amount,
        note=payload.note,
        by=request.user,
        expected_version=payload.version,
    )
    return _meeting_out(event, meetings_visible_to(user=request.user, event=event).get(pk=meeting_pk))

"""对接活动 (matchmaking events): the bureau creates an event, enterprises and institutions register with their
published demands and achievements, the bureau reviews the proposed demand × achievement pairs, schedules
them into time slots and tables, and records what came of each meeting.

Lifecycle (EVENT_WORKFLOW, every transition audited): 筹备中 draft → 报名中 open → 已排期 scheduled → 已结束
finished; 取消 (with a reason) from any state but finished.

* Registration: while the event is open and up to `registration_closes_on` (else the day it is held), a user
  of an enterprise or institution registers their own organization with some of its published listings; they
  may change or withdraw it while registration is open.
* Pairs: each registered demand × registered achievement of two different organizations gets a score: the
  stored `Match` between them (demand → achievement or the reverse; the higher) when the matching has one,
  otherwise a fallback from shared keywords and the same tech field, so events work before matching has run.
  The bureau keeps the proposals it wants (each becomes a `Meeting` without a slot) and may add a pair by hand.
* Scheduling (`scheduling.schedule`) gives each kept pair a slot and a table, no party and no table twice in
  a slot; pairs that do not fit are reported as unscheduled (their meeting keeps slot None). Re-scheduling
  keeps the meetings whose outcome is recorded where they were, with their outcome.
* Outcomes (no deal, intent, signed with its amount, absent) are recorded by the bureau or either party.
* Figures (`event_figures`): events held (finished, held in the year), registrations, meetings, intents
  (意向, counting signed ones), signed, amounts; per event and in total.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.audit import acting, record
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require
from kechuang.core.scoping import user_region_codes
from kechuang.core.workflow import Transition, Workflow
from kechuang.organizations.enums import TechField
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from . import event_jobs, scheduling  # noqa: F401  event_jobs registers market.event_notify
from .enums import EventState, ListingKind, ListingState, MatchTargetKind, MeetingOutcome
from .models import EventRegistration, Listing, Match, MatchmakingEvent, Meeting
from .permissions import (
    can_manage_event,
    can_manage_market,
    can_record_meeting_outcome,
    can_register_for_event,
    can_view_event,
    in_region,
)
from .segment import normalize, words

S = EventState


class EventAction(models.TextChoices):
    OPEN = "open", gettext_lazy("开放报名")
    SCHEDULE = "schedule", gettext_lazy("排期")
    FINISH = "finish", gettext_lazy("结束活动")
    CANCEL = "cancel", gettext_lazy("取消活动")


def _bureau_may(user, event):
    return can_manage_event(user, event)


EVENT_WORKFLOW = Workflow(
    "matchmaking_event",
    {
        (S.DRAFT, EventAction.OPEN): Transition(S.OPEN, _bureau_may),
        (S.OPEN, EventAction.SCHEDULE): Transition(S.SCHEDULED, _bureau_may),
        (S.SCHEDULED, EventAction.FINISH): Transition(S.FINISHED, _bureau_may),
        **{
            (state, EventAction.CANCEL): Transition(S.CANCELLED, _bureau_may, needs_reason=True)
            for state in (S.DRAFT, S.OPEN, S.SCHEDULED)
        },
    },
    state_labels={s.value: s.label for s in S},
    action_labels={a.value: a.label for a in EventAction},
)

# Pairs are kept and scheduled while the event is open or scheduled; outcomes once it is scheduled.
PAIRING_STATES = (S.OPEN, S.SCHEDULED)
OUTCOME_STATES = (S.SCHEDULED, S.FINISHED)
EDITABLE_STATES = (S.DRAFT, S.OPEN, S.SCHEDULED)

# A proposal is suggested (pre-selected for the bureau) when it is among the best few of its demand or of
# its achievement.
SUGGEST_PER_LISTING = 3
LIMITS = {"slot_minutes": (5, 240), "slot_count": (1, 48), "tables": (1, 200)}
_KEYWORD_SPLIT = re.compile(r"[,，、;；/\s]+")


# ---------------------------------------------------------------------------------------------------------
# Times


def slot_start(event: MatchmakingEvent, slot: int) -> time:
    """When slot `slot` (0-based) begins: starts_at + slot × slot_minutes."""
    start = datetime.combine(event.held_on, _as_time(event.starts_at))
    return (start + timedelta(minutes=slot * event.slot_minutes)).time()


def slot_label(event: MatchmakingEvent, slot: int | None) -> str:
    """'09:20–09:40' for a slot; '—' for a meeting not scheduled."""
    if slot is None:
        return "—"
    start = datetime.combine(event.held_on, _as_time(event.starts_at)) + timedelta(
        minutes=slot * event.slot_minutes
    )
    end = start + timedelta(minutes=event.slot_minutes)
    return f"{start:%H:%M}–{end:%H:%M}"


def _as_time(value) -> time:
    return time.fromisoformat(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------------------------------------------
# Reads


def events_visible_to(*, user) -> QuerySet[MatchmakingEvent]:
    """Events open to the public (every state but draft), and the drafts of the user's region."""
    qs = MatchmakingEvent.objects.select_related("region")
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        codes = user_region_codes(user)
        if codes is None:
            return qs
        return qs.filter(~Q(state=S.DRAFT) | Q(region_id__in=codes))
    return qs.exclude(state=S.DRAFT)


def _count(qs: QuerySet) -> Coalesce:
    return Coalesce(Subquery(qs.values("event_id").annotate(n=Count("pk")).values("n")[:1]), 0)


def events_listed(*, user) -> QuerySet[MatchmakingEvent]:
    """The event list: each event with how many organizations registered and how many meetings it holds."""
    return events_visible_to(user=user).annotate(
        registration_count=_count(EventRegistration.objects.filter(event=OuterRef("pk"))),
        meeting_count=_count(Meeting.objects.filter(event=OuterRef("pk"), slot__isnull=False)),
    )


def event_get_visible(*, user, pk) -> MatchmakingEvent | None:
    event = events_visible_to(user=user).filter(pk=pk).first()
    return event if event is not None and can_view_event(user, event) else None


def registrations_of_event(*, event: MatchmakingEvent) -> QuerySet[EventRegistration]:
    """The registrations with their organizations and listings (bureau pages; two queries)."""
    return (
        EventRegistration.objects.filter(event=event)
        .select_related("organization", "organization__region", "registered_by")
        .prefetch_related(models.Prefetch("listings", queryset=Listing.objects.order_by("kind", "pk")))
        .order_by("organization__name", "pk")
    )


def registration_of(*, event: MatchmakingEvent, user) -> EventRegistration | None:
    """The registration of the user's organization for `event`, if any."""
    if not user.is_authenticated or user.active_organization_id is None:
        return None
    return (
        EventRegistration.objects.filter(event=event, organization_id=user.active_organization_id)
        .prefetch_related("listings")
        .first()
    )


def registrable_listings(*, organization_id: int) -> QuerySet[Listing]:
    """The listings an organization may bring to an event: its own, published, not expired."""
    return Listing.objects.filter(
        organization_id=organization_id,
        state=ListingState.PUBLISHED,
        expires_on__gte=timezone.localdate(),
    ).order_by("kind", "-published_at", "pk")


def _meetings(event) -> QuerySet[Meeting]:
    return Meeting.objects.filter(event=event).select_related(
        "demand", "achievement", "demand_party", "supply_party"
    )


def meetings_visible_to(*, user, event: MatchmakingEvent) -> QuerySet[Meeting]:
    """The meetings of `event` the user may see: all of them (kept pairs not yet scheduled too) for the
    region's bureau and officers; once the event is scheduled, the scheduled meetings of their own
    organization for a party; none for anybody else."""
    qs = _meetings(event)
    if in_region(user, event.region_id):
        return qs
    organization_id = user.active_organization_id if user.is_authenticated else None
    if organization_id is None or event.state not in OUTCOME_STATES:
        return qs.none()
    return qs.filter(slot__isnull=False).filter(
        Q(demand_party_id=organization_id) | Q(supply_party_id=organization_id)
    )


def meetings_of_organization(*, event: MatchmakingEvent, organization_id: int) -> QuerySet[Meeting]:
    return _meetings(event).filter(Q(demand_party_id=organization_id) | Q(supply_party_id=organization_id))


@dataclass
class SlotRow:
    """One slot of the schedule: its time and its meetings, by table."""

    slot: int
    label: str
    meetings: list[Meeting]


@dataclass
class Agenda:
    """An event's schedule as pages and the Word export show it."""

    slots: list[SlotRow]
    unscheduled: list[Meeting]

    @property
    def scheduled_count(self) -> int:
        return sum(len(row.meetings) for row in self.slots)


def agenda(event: MatchmakingEvent, meetings: Iterable[Meeting], *, every_slot: bool = False) -> Agenda:
    """Meetings grouped by slot in table order (slots without meetings left out unless `every_slot`), and
    the meetings not scheduled, best score first."""
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    unscheduled = []
    for meeting in meetings:
        if meeting.slot is None:
            unscheduled.append(meeting)
        else:
            by_slot[meeting.slot].append(meeting)
    slots = range(event.slot_count) if every_slot else sorted(by_slot)
    return Agenda(
        slots=[
            SlotRow(slot, slot_label(event, slot), sorted(by_slot.get(slot, []), key=lambda m: m.table))
            for slot in slots
        ],
        unscheduled=sorted(unscheduled, key=lambda m: (-m.score, m.pk)),
    )


def agendas_by_organization(event: MatchmakingEvent, meetings: Iterable[Meeting]) -> list[tuple]:
    """(organization, its Agenda) for every organization with a meeting, by name: one sheet per attendee."""
    own: dict[int, list[Meeting]] = defaultdict(list)
    organizations = {}
    for meeting in meetings:
        for party in (meeting.demand_party, meeting.supply_party):
            own[party.pk].append(meeting)
            organizations[party.pk] = party
    return [
        (organizations[pk], agenda(event, own[pk]))
        for pk in sorted(organizations, key=lambda pk: (organizations[pk].name, pk))
    ]


# ---------------------------------------------------------------------------------------------------------
# Events


def _clean_event(values: dict, *, by) -> dict:
    """The event's fields, checked; raises DomainError naming the field."""
    clean = dict(values)
    for name in ("title", "place"):
        clean[name] = (clean.get(name) or "").strip()
    clean["theme"] = (clean.get("theme") or "").strip()
    if not clean["title"]:
        raise DomainError(_("请填写活动名称。"), field="title")
    if len(clean["title"]) > 120:
        raise DomainError(_("活动名称不能超过120个字。"), field="title")
    if not clean["place"]:
        raise DomainError(_("请填写活动地点。"), field="place")
    if len(clean["place"]) > 200:
        raise DomainError(_("活动地点不能超过200个字。"), field="place")
    if not clean.get("held_on"):
        raise DomainError(_("请填写举办日期。"), field="held_on")
    fields = list(dict.fromkeys(clean.get("tech_fields") or []))
    unknown = [f for f in fields if f not in TechField.values]
    if unknown:
        raise DomainError(
            _("技术领域不正确：%(fields)s") % {"fields": "、".join(unknown)}, field="tech_fields"
        )
    clean["tech_fields"] = fields
    region = clean.get("region")
    if isinstance(region, str):
        region = Region.objects.filter(pk=region).first()
    if region is None:
        region = by.region
    if region is None:
        raise DomainError(_("请选择主办区划。"), field="region")
    clean["region"] = region
    clean["starts_at"] = _as_time(clean.get("starts_at") or time(9, 0))
    for name, (low, high) in LIMITS.items():
        value = clean.get(name)
        if value is None or not low <= int(value) <= high:
            label = MatchmakingEvent._meta.get_field(name).verbose_name
            raise DomainError(
                _("%(label)s应在%(low)s到%(high)s之间。") % {"label": label, "low": low, "high": high},
                field=name,
            )
        clean[name] = int(value)
    start = clean["starts_at"].hour * 60 + clean["starts_at"].minute
    if start + clean["slot_count"] * clean["slot_minutes"] > 24 * 60:
        raise DomainError(_("洽谈场次排到了第二天，请减少场次或缩短每场时长。"), field="slot_count")
    closes = clean.get("registration_closes_on")
    if closes is not None and closes > clean["held_on"]:
        raise DomainError(_("报名截止日期不能晚于举办日期。"), field="registration_closes_on")
    return clean


EVENT_FIELDS = (
    "title",
    "theme",
    "tech_fields",
    "region",
    "held_on",
    "place",
    "starts_at",
    "slot_minutes",
    "slot_count",
    "tables",
    "registration_closes_on",
)


@acting
@transaction.atomic
def event_save(
    *, by, values: dict, event: MatchmakingEvent | None = None, expected_version: int | None = None
) -> MatchmakingEvent:
    """Create an event (筹备中) or change one that is not finished or cancelled.

    Once scheduled, a smaller grid (fewer slots or tables) takes the meetings that no longer fit off the
    schedule (to be scheduled again); it is refused if a meeting whose outcome is recorded would not fit.
    """
    clean = _clean_event(values, by=by)
    require(can_manage_market(by, clean["region"].pk))
    if event is None:
        return MatchmakingEvent.objects.create(
            organizer=by, **{name: clean.get(name) for name in EVENT_FIELDS}
        )
    locked = MatchmakingEvent.objects.select_for_update().get(pk=event.pk)
    require(can_manage_event(by, locked))
    locked.check_version(expected_version)
    if locked.state not in EDITABLE_STATES:
        raise DomainError(_("活动%(state)s，不能再修改。") % {"state": locked.get_state_display()})
    outside = Meeting.objects.filter(event=locked, slot__isnull=False).filter(
        Q(slot__gte=clean["slot_count"]) | Q(table__gt=clean["tables"])
    )
    if outside.exclude(outcome=MeetingOutcome.PENDING).exists():
        raise DomainError(
            _("已登记洽谈结果的洽谈不在新的场次或洽谈桌范围内，不能减少场次或洽谈桌。"), field="slot_count"
        )
    for meeting in outside.select_for_update():
        meeting.slot = meeting.table = None
        meeting.bump_version()
        meeting.save()
    for name in EVENT_FIELDS:
        setattr(locked, name, clean.get(name))
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def event_transition(
    *, event: MatchmakingEvent, action: str, by, reason: str = "", expected_version: int | None = None
) -> MatchmakingEvent:
    """Open registration, finish or cancel an event (scheduling is `event_schedule`)."""
    if action == EventAction.SCHEDULE:
        return event_schedule(event=event, by=by, expected_version=expected_version).event

    def check(locked):
        if action == EventAction.OPEN:
            last_day = locked.registration_closes_on or locked.held_on
            if last_day < timezone.localdate():
                raise DomainError(_("报名截止日期已过，请先修改活动的日期。"))
        if action == EventAction.FINISH and locked.held_on > timezone.localdate():
            raise DomainError(_("活动尚未举办，不能结束。"))

    done = EVENT_WORKFLOW.apply(
        instance=event,
        action=action,
        by=by,
        reason=(reason or "").strip(),
        expected_version=expected_version,
        check=check,
    )
    if action == EventAction.CANCEL:
        enqueue("market.event_notify", event_id=done.pk, occasion="cancelled")
    return done


# ---------------------------------------------------------------------------------------------------------
# Registration


def _locked_event(event) -> MatchmakingEvent:
    return MatchmakingEvent.objects.select_for_update().get(pk=event.pk)


def _release_listings(event, listing_ids: Iterable[int]) -> int:
    """Remove the meetings (none has an outcome while registration is open) of listings that left the event."""
    ids = list(listing_ids)
    if not ids:
        return 0
    gone = 0
    for meeting in Meeting.objects.filter(event=event).filter(
        Q(demand_id__in=ids) | Q(achievement_id__in=ids)
    ):
        if meeting.outcome != MeetingOutcome.PENDING:
            raise DomainError(_("该供需信息已有洽谈结果，不能撤下。"), field="listings")
        meeting.delete()
        gone += 1
    return gone


@acting
@transaction.atomic
def registration_save(
    *,
    event: MatchmakingEvent,
    by,
    listings: Iterable[Listing],
    attendee: str,
    phone: str,
    expected_version: int | None = None,
) -> EventRegistration:
    """Register the user's organization for an open event with some of its published listings, or change
    its registration (taking a listing away removes the pairs proposed for it)."""
    locked = _locked_event(event)
    require(can_register_for_event(by, locked))
    organization_id = by.active_organization_id
    chosen = list(listings)
    if not chosen:
        raise DomainError(_("请至少选择一项本单位的技术需求或科技成果。"), field="listings")
    today = timezone.localdate()
    for listing in chosen:
        if listing.organization_id != organization_id:
            raise DomainError(
                _("“%(title)s”不是本单位发布的信息。") % {"title": listing.title}, field="listings"
            )
        if listing.state != ListingState.PUBLISHED or listing.expires_on < today:
            raise DomainError(
                _("“%(title)s”尚未发布或已过期，不能报名。") % {"title": listing.title}, field="listings"
            )
    attendee, phone = (attendee or "").strip(), (phone or "").strip()
    if not attendee:
        raise DomainError(_("请填写参会人。"), field="attendee")
    if not re.fullmatch(r"[0-9+\-() ]{7,30}", phone):
        raise DomainError(_("请填写正确的联系电话。"), field="phone")
    registration = (
        EventRegistration.objects.select_for_update()
        .filter(event=locked, organization_id=organization_id)
        .first()
    )
    new_ids = sorted({listing.pk for listing in chosen})
    if registration is None:
        registration = EventRegistration.objects.create(
            event=locked,
            organization_id=organization_id,
            attendee=attendee[:50],
            phone=phone,
            registered_by=by,
        )
        old_ids: list[int] = []
    else:
        registration.check_version(expected_version)
        old_ids = sorted(registration.listings.values_list("pk", flat=True))
        _release_listings(locked, set(old_ids) - set(new_ids))
        registration.attendee, registration.phone = attendee[:50], phone
        registration.bump_version()
        registration.save()
    registration.listings.set(new_ids)
    if old_ids != new_ids:
        # Many-to-many changes are not caught by the audit signals: record them here.
        record(
            action=AuditLog.Action.UPDATE,
            instance=registration,
            by=by,
            changes={"listings": [old_ids or None, new_ids]},
        )
    return registration


@acting
@transaction.atomic
def registration_withdraw(
    *, registration: EventRegistration, by, expected_version: int | None = None
) -> None:
    """Withdraw an organization's registration while registration is open; its proposed pairs go with it."""
    locked_event = _locked_event(registration.event)
    require(can_register_for_event(by, locked_event))
    locked = EventRegistration.objects.select_for_update().get(pk=registration.pk)
    if locked.organization_id != by.active_organization_id:
        raise DomainError(_("只能撤回本单位的报名。"))
    locked.check_version(expected_version)
    _release_listings(locked_event, locked.listings.values_list("pk", flat=True))
    locked.delete()


# ---------------------------------------------------------------------------------------------------------
# Pairs: scores, proposals, kept pairs


def _listing_terms(listing: Listing) -> set[str]:
    """A listing's keywords and the words of its title, as the fallback score compares them."""
    keywords = {normalize(k) for k in _KEYWORD_SPLIT.split(listing.keywords or "") if k.strip()}
    return keywords | set(words(listing.title))


@dataclass(frozen=True)
class PairScore:
    score: float
    source: str  # "match": a stored Match; "keywords": the fallback
    shared: tuple[str, ...] = ()
    same_field: bool = False


def fallback_score(demand: Listing, achievement: Listing, *, terms=None) -> PairScore:
    """0.7 × the share of the smaller listing's terms (keywords and title words) found in the other
    + 0.3 when both are in the same tech field; between 0 and 1."""
    a = terms[demand.pk] if terms else _listing_terms(demand)
    b = terms[achievement.pk] if terms else _listing_terms(achievement)
    shared = tuple(sorted(a & b))
    overlap = len(shared) / min(len(a), len(b)) if a and b else 0.0
    same_field = demand.tech_field == achievement.tech_field
    return PairScore(
        score=round(0.7 * overlap + (0.3 if same_field else 0.0), 4),
        source="keywords",
        shared=shared,
        same_field=same_field,
    )


def pair_scores(demands: list[Listing], achievements: list[Listing]) -> dict[tuple[int, int], PairScore]:
    """The score of every demand × achievement of two different organizations: the stored match between them
    (either direction, the higher) when there is one, else the fallback. One query for the matches."""
    demand_ids = [d.pk for d in demands]
    achievement_ids = [a.pk for a in achievements]
    stored: dict[tuple[int, int], float] = {}
    if demand_ids and achievement_ids:
        rows = Match.objects.filter(target_kind=MatchTargetKind.LISTING).filter(
            Q(listing_id__in=demand_ids, target_listing_id__in=achievement_ids)
            | Q(listing_id__in=achievement_ids, target_listing_id__in=demand_ids)
        )
        demand_set = set(demand_ids)
        for listing_id, target_id, score in rows.values_list("listing_id", "target_listing_id", "score"):
            key = (listing_id, target_id) if listing_id in demand_set else (target_id, listing_id)
            stored[key] = max(stored.get(key, float("-inf")), float(score))
    terms = {listing.pk: _listing_terms(listing) for listing in [*demands, *achievements]}
    scores = {}
    for demand in demands:
        for achievement in achievements:
            if demand.organization_id == achievement.organization_id:
                continue
            key = (demand.pk, achievement.pk)
            if key in stored:
                scores[key] = PairScore(
                    score=round(stored[key], 4),
                    source="match",
                    same_field=demand.tech_field == achievement.tech_field,
                )
            else:
                scores[key] = fallback_score(demand, achievement, terms=terms)
    return scores


def registered_listings(*, event: MatchmakingEvent) -> tuple[list[Listing], list[Listing]]:
    """The published demands and achievements the registered organizations brought (one query)."""
    listings = list(
        Listing.objects.filter(
            event_registrations__event=event,
            event_registrations__organization_id=models.F("organization_id"),
            state=ListingState.PUBLISHED,
        )
        .select_related("organization")
        .order_by("pk")
    )
    demands = [item for item in listings if item.kind == ListingKind.DEMAND]
    achievements = [item for item in listings if item.kind == ListingKind.ACHIEVEMENT]
    return demands, achievements


@dataclass
class Proposal:
    """A demand × achievement the bureau may keep for the event."""

    demand: Listing
    achievement: Listing
    scored: PairScore
    suggested: bool = False
    meeting: Meeting | None = None

    @property
    def key(self) -> str:
        return f"{self.demand.pk}-{self.achievement.pk}"

    @property
    def score(self) -> float:
        return self.scored.score


def event_proposals(*, event: MatchmakingEvent, limit: int | None = None) -> list[Proposal]:
    """Every pair with a positive score, best first; `suggested` marks the best few of each listing, and
    `meeting` the pairs already kept. Three queries: listings, matches, kept meetings."""
    demands, achievements = registered_listings(event=event)
    scores = pair_scores(demands, achievements)
    by_id = {listing.pk: listing for listing in [*demands, *achievements]}
    kept = {(m.demand_id, m.achievement_id): m for m in Meeting.objects.filter(event=event)}
    proposals = [
        Proposal(demand=by_id[d], achievement=by_id[a], scored=s, meeting=kept.get((d, a)))
        for (d, a), s in scores.items()
        if s.score > 0 or (d, a) in kept
    ]
    proposals.sort(key=lambda p: (-p.score, p.demand.pk, p.achievement.pk))
    rank_of_demand: dict[int, int] = defaultdict(int)
    rank_of_achievement: dict[int, int] = defaultdict(int)
    for proposal in proposals:
        rank_of_demand[proposal.demand.pk] += 1
        rank_of_achievement[proposal.achievement.pk] += 1
        proposal.suggested = proposal.score > 0 and (
            rank_of_demand[proposal.demand.pk] <= SUGGEST_PER_LISTING
            or rank_of_achievement[proposal.achievement.pk] <= SUGGEST_PER_LISTING
        )
    return proposals[:limit] if limit else proposals


def _require_pairing(by, locked: MatchmakingEvent) -> None:
    require(can_manage_event(by, locked))
    if locked.state not in PAIRING_STATES:
        raise DomainError(_("活动%(state)s，不能调整对接安排。") % {"state": locked.get_state_display()})


@acting
@transaction.atomic
def meetings_add(*, event: MatchmakingEvent, pairs: Iterable[tuple[int, int]], by) -> list[Meeting]:
    """Keep proposed pairs, or add pairs by hand: a meeting (not yet scheduled) for each (demand id,
    achievement id) of two registered organizations; pairs already kept are left as they are."""
    locked = _locked_event(event)
    _require_pairing(by, locked)
    pairs = list(dict.fromkeys((int(d), int(a)) for d, a in pairs))
    if not pairs:
        raise DomainError(_("请选择要保留的对接组合。"), field="pairs")
    demands, achievements = registered_listings(event=locked)
    demand_by_id = {d.pk: d for d in demands}
    achievement_by_id = {a.pk: a for a in achievements}
    for d, a in pairs:
        if d not in demand_by_id:
            raise DomainError(_("技术需求（编号%(id)s）不是本活动报名的需求。") % {"id": d}, field="demand")
        if a not in achievement_by_id:
            raise DomainError(
                _("科技成果（编号%(id)s）不是本活动报名的成果。") % {"id": a}, field="achievement"
            )
        if demand_by_id[d].organization_id == achievement_by_id[a].organization_id:
            raise DomainError(_("同一单位的需求和成果不需要对接。"), field="achievement")
    existing = set(Meeting.objects.filter(event=locked).values_list("demand_id", "achievement_id"))
    fresh = [pair for pair in pairs if pair not in existing]
    scores = pair_scores(
        [demand_by_id[d] for d in {d for d, _a in fresh}],
        [achievement_by_id[a] for a in {a for _d, a in fresh}],
    )
    created = []
    for d, a in fresh:
        demand, achievement = demand_by_id[d], achievement_by_id[a]
        created.append(
            Meeting.objects.create(
                event=locked,
                demand=demand,
                achievement=achievement,
                demand_party_id=demand.organization_id,
                supply_party_id=achievement.organization_id,
                score=scores[(d, a)].score,
            )
        )
    return created


@acting
@transaction.atomic
def meeting_remove(*, meeting: Meeting, by) -> None:
    """Drop a kept pair (its meeting) from the event, unless its outcome is recorded."""
    locked_event = _locked_event(meeting.event)
    _require_pairing(by, locked_event)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.outcome != MeetingOutcome.PENDING:
        raise DomainError(_("该洽谈已登记结果，不能删除。"))
    locked.delete()


# ---------------------------------------------------------------------------------------------------------
# Scheduling


UNSCHEDULED_REASONS = {
    scheduling.PARTIES_BUSY: gettext_lazy("双方在各场次均已有洽谈"),
    scheduling.NO_TABLE: gettext_lazy("双方有空的场次洽谈桌已满"),
}


@dataclass
class ScheduleResult:
    event: MatchmakingEvent
    placed: int
    unscheduled: list[tuple[Meeting, str]] = field(default_factory=list)  # (meeting, reason text)


def _place(locked: MatchmakingEvent) -> ScheduleResult:
    """Run the scheduler over the event's kept pairs and write each meeting's slot and table."""
    meetings = list(Meeting.objects.select_for_update().filter(event=locked).order_by("pk"))
    by_pk = {m.pk: m for m in meetings}
    pairs = [
        scheduling.Pair(key=m.pk, parties=(m.demand_party_id, m.supply_party_id), score=m.score)
        for m in meetings
    ]
    fixed = {
        m.pk: (m.slot, m.table)
        for m in meetings
        if m.outcome != MeetingOutcome.PENDING and m.slot is not None
    }
    try:
        result = scheduling.schedule(pairs, locked.slot_count, locked.tables, fixed=fixed)
    except ValueError as exc:
        raise DomainError(_("已登记结果的洽谈安排互相冲突，无法排期。")) from exc
    places = result.place_of()
    moved = [m for m in meetings if (m.slot, m.table) != places.get(m.pk, (None, None))]
    # Clear the old seats first: (event, slot, table) is unique and a move may take a seat another vacates.
    Meeting.objects.filter(pk__in=[m.pk for m in moved]).update(slot=None, table=None)
    for meeting in moved:
        meeting.slot, meeting.table = places.get(meeting.pk, (None, None))
        meeting.bump_version()
        meeting.save()
    return ScheduleResult(
        event=locked,
        placed=len(result.placements),
        unscheduled=[(by_pk[u.pair.key], str(UNSCHEDULED_REASONS[u.reason])) for u in result.unscheduled],
    )


@acting
@transaction.atomic
def event_schedule(*, event: MatchmakingEvent, by, expected_version: int | None = None) -> ScheduleResult:
    """Schedule the kept pairs into slots and tables (报名中 → 已排期), or schedule again once scheduled.

    Meetings with a recorded outcome keep their slot and table; pairs that do not fit are reported, with
    the reason, and stay on the event unscheduled.
    """
    outcome: dict = {}

    def check(locked):
        if not Meeting.objects.filter(event=locked).exists():
            raise DomainError(_("请先保留至少一组对接组合，再排期。"))

    def change(locked):
        outcome["result"] = _place(locked)

    if event.state == S.SCHEDULED:
        locked = _locked_event(event)
        require(can_manage_event(by, locked))
        locked.check_version(expected_version)
        if locked.state != S.SCHEDULED:
            raise DomainError(_("活动状态已变化，请刷新后重试。"))
        check(locked)
        result = _place(locked)
        locked.bump_version()
        locked.save()
        record(
            action=AuditLog.Action.UPDATE,
            instance=locked,
            by=by,
            reason=_("重新排期"),
            changes={"scheduled": [None, result.placed], "unscheduled": [None, len(result.unscheduled)]},
        )
    else:
        locked = EVENT_WORKFLOW.apply(
            instance=event,
            action=EventAction.SCHEDULE,
            by=by,
            expected_version=expected_version,
            check=check,
            change=change,
        )
        result = outcome["result"]
        result.event = locked
    enqueue("market.event_notify", event_id=locked.pk, occasion="scheduled")
    return result


# ---------------------------------------------------------------------------------------------------------
# Outcomes


@acting
@transaction.atomic
def meeting_record_outcome(
    *,
    meeting: Meeting,
    outcome: str,
    by,
    amount: Decimal | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Meeting:
    """Record what came of a scheduled meeting: no deal, intent (with an intended amount if known), signed
    (the amount in yuan is required) or absent."""
    locked = Meeting.objects.select_for_update().select_related("event").get(pk=meeting.pk)
    require(can_record_meeting_outcome(by, locked, locked.event))
    locked.check_version(expected_version)
    if locked.event.state not in OUTCOME_STATES:
        raise DomainError(_("活动排期后才能登记洽谈结果。"))
    if locked.slot is None:
        raise DomainError(_("该组合未排入日程，不能登记洽谈结果。"))
    if outcome not in MeetingOutcome.values:
        raise DomainError(_("洽谈结果不正确。"), field="outcome")
    if amount is not None:
        amount = Decimal(amount)
        if amount <= 0:
            raise DomainError(_("金额应大于零。"), field="amount")
    if outcome == MeetingOutcome.SIGNED and amount is None:
        raise DomainError(_("签约须填写签约金额（元）。"), field="amount")
    if outcome not in (MeetingOutcome.INTENT, MeetingOutcome.SIGNED):
        amount = None
    locked.outcome = outcome
    locked.amount = amount
    locked.note = (note or "").strip()[:500]
    locked.bump_version()
    locked.save()
    return locked


# ---------------------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class EventFigures:
    """The figures of one event, or of all events of a year (then `event` is None)."""

    event: MatchmakingEvent | None
    registrations: int = 0
    meetings: int = 0
    intents: int = 0  # 意向 and 签约: every meeting that reached an intent of cooperation
    signed: int = 0
    signed_amount: Decimal = Decimal("0")
    intent_amount: Decimal = Decimal("0")  # amounts recorded with an intent (not yet signed)


@dataclass(frozen=True)
class YearFigures:
    year: int
    region_code: str | None
    events: int
    total: EventFigures
    per_event: tuple[EventFigures, ...]


def events_held(*, year: int, region_code: str | None = None) -> QuerySet[MatchmakingEvent]:
    """Events held in `year` (finished, by the day they were held) in the region and everything under it."""
    qs = MatchmakingEvent.objects.filter(
        state=S.FINISHED, held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31)
    )
    if region_code:
        qs = qs.filter(region_id__in=regions_under(region_code))
    return qs


def _yuan(value) -> Decimal:
    # SQLite sums decimals as numbers: give every amount its two places back.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def event_figures(*, year: int, region_code: str | None = None) -> YearFigures:
    """Events held, registrations, meetings (scheduled), intents (intent + signed), signed and amounts, per
    event and in total, for the events finished and held in `year` in `region_code` (None: everywhere).
    Three queries whatever the number of events."""
    events = list(events_held(year=year, region_code=region_code).order_by("held_on", "pk"))
    ids = [e.pk for e in events]
    registrations = dict(
        EventRegistration.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    )
    intent = Q(outcome__in=[MeetingOutcome.INTENT, MeetingOutcome.SIGNED])
    signed = Q(outcome=MeetingOutcome.SIGNED)
    rows = {
        row["event_id"]: row
        for row in Meeting.objects.filter(event_id__in=ids, slot__isnull=False)
        .values("event_id")
        .annotate(
            meetings=Count("pk"),
            intents=Count("pk", filter=intent),
            signed=Count("pk", filter=signed),
            signed_amount=Sum("amount", filter=signed),
            intent_amount=Sum("amount", filter=Q(outcome=MeetingOutcome.INTENT)),
        )
    }
    zero = Decimal("0.00")
    per_event = []
    for event in events:
        row = rows.get(event.pk, {})
        per_event.append(
            EventFigures(
                event=event,
                registrations=registrations.get(event.pk, 0),
                meetings=row.get("meetings", 0),
                intents=row.get("intents", 0),
                signed=row.get("signed", 0),
                signed_amount=_yuan(row.get("signed_amount")),
                intent_amount=_yuan(row.get("intent_amount")),
            )
        )
    total = EventFigures(
        event=None,
        registrations=sum(f.registrations for f in per_event),
        meetings=sum(f.meetings for f in per_event),
        intents=sum(f.intents for f in per_event),
        signed=sum(f.signed for f in per_event),
        signed_amount=sum((f.signed_amount for f in per_event), zero),
        intent_amount=sum((f.intent_amount for f in per_event), zero),
    )
    return YearFigures(
        year=year, region_code=region_code, events=len(events), total=total, per_event=tuple(per_event)
    )


def report_sentence(figures: YearFigures) -> str:
    """The annual report's sentence: 举办对接活动33场，达成意向合作131项."""
    return _("举办对接活动%(events)s场，达成意向合作%(intents)s项") % {
        "events": figures.events,
        "intents": figures.total.intents,
    }

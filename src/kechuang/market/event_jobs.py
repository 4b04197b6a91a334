"""Background jobs of matchmaking events (run through kechuang.core.jobs).

`market.event_notify` tells the users of every registered organization that the schedule was published
(each organization gets its own meetings) or that the event was cancelled. The dedupe key carries the
event's version, so a job run twice sends once and a new schedule is announced again.
"""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.accounts.enums import MembershipStatus
from kechuang.accounts.models import User
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .models import EventRegistration, MatchmakingEvent, Meeting


@job("market.event_notify")
def event_notify(*, event_id: int, occasion: str) -> int:
    """Notify the registered organizations of `occasion` ("scheduled" or "cancelled"); returns messages sent."""
    from .events import slot_label

    event = MatchmakingEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    organization_ids = list(
        EventRegistration.objects.filter(event=event).values_list("organization_id", flat=True)
    )
    members = defaultdict(list)
    for user in User.objects.filter(
        organization_id__in=organization_ids, is_active=True, membership_status=MembershipStatus.ACTIVE
    ):
        members[user.organization_id].append(user)
    meetings = defaultdict(list)
    if occasion == "scheduled":
        for meeting in (
            Meeting.objects.filter(event=event, slot__isnull=False)
            .select_related("demand_party", "supply_party")
            .order_by("slot", "table")
        ):
            meetings[meeting.demand_party_id].append((meeting, meeting.supply_party))
            meetings[meeting.supply_party_id].append((meeting, meeting.demand_party))
    link = reverse("market:event_detail", args=[event.pk])
    sent = 0
    for organization_id in organization_ids:
        if occasion == "cancelled":
            subject = _("对接活动已取消：%(title)s") % {"title": event.title}
            body = _("原定于%(day)s在%(place)s举办的对接活动已取消。") % {
                "day": event.held_on.isoformat(),
                "place": event.place,
            }
        else:
            own = meetings.get(organization_id, [])
            subject = _("对接日程已发布：%(title)s") % {"title": event.title}
            lines = [
                _("%(time)s 第%(table)s桌 与 %(other)s")
                % {"time": slot_label(event, m.slot), "table": m.table, "other": other.name}
                for m, other in own
            ]
            body = (
                _("%(day)s %(place)s，本单位共安排%(n)s场洽谈：")
                % {"day": event.held_on.isoformat(), "place": event.place, "n": len(own)}
                + "\n"
                + "\n".join(lines)
            )
        sent += notify(
            recipients=members.get(organization_id, []),
            subject=subject,
            body=body,
            link=link,
            dedupe_key=f"market-event-{event.pk}-{occasion}-v{event.version}",
        )
    return sent

"""Background jobs of liaison (run through kechuang.core.jobs).

`enterprises.follow_up_reminders` runs once a day: each owner of open follow-ups that are overdue or due
within REMIND_DAYS gets one message a day listing them (dedupe key per owner and day, so a second run that
day sends nothing).
"""

from collections import defaultdict
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .models import FollowUp

REMIND_DAYS = 3


@job("enterprises.follow_up_reminders")
def follow_up_reminders(*, day: str | None = None) -> int:
    """Remind owners of their overdue and soon-due follow-ups; returns how many messages were sent."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    due = (
        FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today + timedelta(days=REMIND_DAYS))
        .filter(owner__is_active=True)
        .select_related("owner", "visit__organization")
        .order_by("owner_id", "due_on", "pk")
    )
    by_owner: dict[int, list[FollowUp]] = defaultdict(list)
    for follow_up in due.iterator(chunk_size=2000):
        by_owner[follow_up.owner_id].append(follow_up)
    sent = 0
    link = reverse("enterprises:liaison_follow_ups")
    for items in by_owner.values():
        overdue = sum(1 for f in items if f.due_on < today)
        lines = [
            _("%(due)s %(organization)s：%(action)s%(late)s")
            % {
                "due": f"{f.due_on:%Y-%m-%d}",
                "organization": f.visit.organization.name,
                "action": f.action,
                "late": _("（已逾期）") if f.due_on < today else "",
            }
            for f in items
        ]
        sent += notify(
            recipients=[items[0].owner],
            subject=_("跟进事项提醒：%(overdue)s项已逾期，%(soon)s项即将到期")
            % {"overdue": overdue, "soon": len(items) - overdue},
            body="\n".join(lines),
            link=link,
            dedupe_key=f"follow-ups-{today.isoformat()}",
        )
    return sent

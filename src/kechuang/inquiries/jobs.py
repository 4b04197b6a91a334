"""Background jobs of the 科技信箱 (run through kechuang.core.jobs).

`inquiries.daily` runs once a day (Celery beat in production, the `inquiries_daily` management command from
cron in the embedded default):

* 1 working day before the deadline (or later, if a run was missed), an open letter not reminded yet is
  reminded to its department's staff in its region (bureau admin and staff with that department; the
  region's bureau admins when the department has nobody); `reminded_at` is set, so once only — a follow-up
  gives a new deadline and clears it.
* An open letter past its deadline is flagged overdue: the same people and the region's bureau admins get
  one notification per letter and deadline (dedupe key), and the lists show it in red (`due_on < today`).

Safe to run twice: `reminded_at` and the dedupe keys make each message go out once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .calendar import WorkCalendar
from .enums import InquiryState
from .models import Inquiry

OPEN_STATES = (InquiryState.RECEIVED, InquiryState.ASSIGNED)


def _day(today) -> date:
    if today is None:
        return timezone.localdate()
    return today if isinstance(today, date) else date.fromisoformat(today)


class Recipients:
    """The bureau users of each region, read once: who handles a department's letters there."""

    def __init__(self, region_codes):
        from kechuang.accounts.models import User

        self.by_region = defaultdict(list)
        users = User.objects.filter(
            is_active=True, role__in=(Role.BUREAU_ADMIN, Role.BUREAU_STAFF), region_id__in=set(region_codes)
        )
        for user in users:
            self.by_region[user.region_id].append(user)

    def admins(self, region_code: str) -> list:
        return [u for u in self.by_region[region_code] if u.role == Role.BUREAU_ADMIN]

    def department(self, region_code: str, department: str) -> list:
        staff = [u for u in self.by_region[region_code] if department and u.department == department]
        return staff or self.admins(region_code)


def _link(inquiry) -> str:
    return reverse("inquiries:handle", args=[inquiry.pk])


def remind_due(day: date, calendar: WorkCalendar) -> int:
    """Remind the letters due on the next working day (or sooner, not yet reminded); how many letters."""
    horizon = calendar.add_working_days(day, 1)
    letters = list(
        Inquiry.objects.filter(
            state__in=OPEN_STATES, reminded_at__isnull=True, due_on__gte=day, due_on__lte=horizon
        )
    )
    recipients = Recipients(i.region_id for i in letters)
    for inquiry in letters:
        with transaction.atomic():
            notify(
                recipients=recipients.department(inquiry.region_id, inquiry.department),
                subject=_("来信即将到期：%(no)s %(subject)s")
                % {"no": inquiry.tracking_no, "subject": inquiry.subject},
                body=_("答复期限为%(due)s，请及时答复。") % {"due": inquiry.due_on},
                link=_link(inquiry),
                dedupe_key=f"inquiry-due:{inquiry.pk}:{inquiry.due_on}",
            )
            Inquiry.objects.filter(pk=inquiry.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
    return len(letters)


def flag_overdue(day: date) -> int:
    """Notify the open letters past their deadline (once per letter and deadline); how many are overdue."""
    letters = list(Inquiry.objects.filter(state__in=OPEN_STATES, due_on__lt=day))
    recipients = Recipients(i.region_id for i in letters)
    for inquiry in letters:
        people = {u.pk: u for u in recipients.department(inquiry.region_id, inquiry.department)}
        people.update({u.pk: u for u in recipients.admins(inquiry.region_id)})
        notify(
            recipients=people.values(),
            subject=_("来信已超期：%(no)s %(subject)s")
            % {"no": inquiry.tracking_no, "subject": inquiry.subject},
            body=_("答复期限%(due)s已过，请尽快答复。") % {"due": inquiry.due_on},
            link=_link(inquiry),
            dedupe_key=f"inquiry-overdue:{inquiry.pk}:{inquiry.due_on}",
        )
    return len(letters)


def overdue_q(day: date) -> Q:
    return Q(state__in=OPEN_STATES, due_on__lt=day)


@job("inquiries.daily")
def daily(today=None) -> dict:
    day = _day(today)
    calendar = WorkCalendar()
    reminded = remind_due(day, calendar)
    overdue = flag_overdue(day)
    return {"reminded": reminded, "overdue": overdue}

"""The work calendar of the 科技信箱: which days are working days, and the answer deadline.

A day is a working day from Monday to Friday, unless a `CalendarDay` row says otherwise: a public holiday
on a weekday (workday=False) or a weekend day made a working day by 调休 (workday=True). The rows come from
the State Council's yearly notice (data migration 0002 for 2025 and 2026); the bureau edits them in the
admin.

* `add_working_days(start, n)`: the n-th working day after `start` (`start` itself is not counted; n=0 gives
  `start`).
* `working_days_between(a, b)`: how many working days d with a < d <= b (so
  `working_days_between(a, add_working_days(a, n)) == n`); negative when b is before a.
* `counting_day(received_at)`: the day a letter's deadline counts from: the day it was received, or the next
  working day when it came on a non-working day or after 17:00 (Asia/Shanghai).
* `due_on(received_at)`: counting day + N working days, N = settings.KECHUANG_INQUIRY_DAYS (default 5).

`WorkCalendar` reads the exceptions once (one query), for code that asks many times (lists, jobs, figures).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

CUTOFF = time(17, 0)  # a letter received at or after 17:00 counts from the next working day
DEFAULT_DAYS = 5


def answer_days() -> int:
    return int(getattr(settings, "KECHUANG_INQUIRY_DAYS", DEFAULT_DAYS))


class WorkCalendar:
    """Working days with the exceptions read once."""

    def __init__(self, exceptions: dict[date, bool] | None = None):
        if exceptions is None:
            from .models import CalendarDay

            exceptions = dict(CalendarDay.objects.values_list("day", "workday"))
        self.exceptions = exceptions

    def is_working_day(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def counting_day(self, received_at: datetime) -> date:
        local = timezone.localtime(received_at) if timezone.is_aware(received_at) else received_at
        day = local.date()
        if not self.is_working_day(day) or local.time() >= CUTOFF:
            return self.next_working_day(day)
        return day

    def due_on(self, received_at: datetime, days: int | None = None) -> date:
        return self.add_working_days(self.counting_day(received_at), answer_days() if days is None else days)

    def days_to_answer(self, received_at: datetime, answered_at: datetime) -> int:
        """Working days from the counting day to the (local) day of the answer; 0 when answered that day."""
        answered = (
            timezone.localtime(answered_at).date() if timezone.is_aware(answered_at) else answered_at.date()
        )
        return max(self.working_days_between(self.counting_day(received_at), answered), 0)


def is_working_day(day: date) -> bool:
    return WorkCalendar().is_working_day(day)


def add_working_days(start_date: date, n: int) -> date:
    return WorkCalendar().add_working_days(start_date, n)


def working_days_between(a: date, b: date) -> int:
    return WorkCalendar().working_days_between(a, b)


def counting_day(received_at: datetime) -> date:
    return WorkCalendar().counting_day(received_at)


def due_on(received_at: datetime, days: int | None = None) -> date:
    return WorkCalendar().due_on(received_at, days)

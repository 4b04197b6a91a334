"""The work calendar: working days, holidays and 调休 weekends, and the answer deadline."""

from datetime import date

import pytest

from kechuang.inquiries.calendar import WorkCalendar, add_working_days, due_on, working_days_between

from .helpers import at

# 2026 国庆: 10-01..10-07 off (10-01, 02, 05, 06, 07 are weekdays), Saturday 10-10 a working day.
GOLDEN_WEEK = {date(2026, 10, d): False for d in (1, 2, 5, 6, 7)} | {date(2026, 10, 10): True}


def test_weekdays_and_exceptions():
    cal = WorkCalendar(GOLDEN_WEEK)
    assert cal.is_working_day(date(2026, 9, 30))  # Wednesday
    assert not cal.is_working_day(date(2026, 10, 1))  # holiday on a Thursday
    assert not cal.is_working_day(date(2026, 10, 3))  # Saturday
    assert cal.is_working_day(date(2026, 10, 10))  # 调休 Saturday


def test_add_and_count_working_days_over_a_holiday_week():
    cal = WorkCalendar(GOLDEN_WEEK)
    assert cal.add_working_days(date(2026, 9, 30), 0) == date(2026, 9, 30)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 Mon, 10-13 Tue
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert cal.working_days_between(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert cal.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 11, 27, 16, 59), date(2026, 12, 4)),  # Friday before 17:00 counts from Friday
        (at(2026, 11, 27, 17, 0), date(2026, 12, 7)),  # Friday at 17:00 counts from Monday
        (at(2026, 11, 28, 9, 0), date(2026, 12, 7)),  # Saturday counts from Monday
        (at(2026, 9, 30, 10, 0), date(2026, 10, 13)),  # the day before the holiday week
        (at(2026, 10, 5, 10, 0), date(2026, 10, 14)),  # on a holiday: from 10-08
        (at(2026, 10, 10, 10, 0), date(2026, 10, 16)),  # 调休 Saturday counts itself
        (at(2026, 10, 10, 18, 0), date(2026, 10, 19)),  # 调休 Saturday after 17:00: from Monday
    ],
)
def test_deadline_boundaries(received, due):
    assert WorkCalendar(GOLDEN_WEEK).due_on(received) == due


def test_deadline_days_from_settings(settings):
    settings.KECHUANG_INQUIRY_DAYS = 10
    assert WorkCalendar({}).due_on(at(2026, 11, 27, 10)) == date(2026, 12, 11)


@pytest.mark.django_db
def test_the_state_councils_2025_and_2026_days_are_loaded():
    # 2026 春节: 02-16..02-20 and 02-23 off, Saturdays 02-14 and 02-28 working days.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5  # 2025 国庆, 10-11 worked
    assert due_on(at(2026, 9, 30)) == date(2026, 10, 13)

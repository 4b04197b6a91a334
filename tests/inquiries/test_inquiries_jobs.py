"""The daily job: a reminder 1 working day before the deadline, once; overdue letters flagged, once."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from kechuang.core.jobs import run_job_now
from kechuang.core.models import Notification
from kechuang.inquiries import services

from .helpers import at, letter

pytestmark = pytest.mark.django_db


def test_reminder_once_the_working_day_before_then_overdue_once(world):
    inquiry, _ = letter(now=at(2026, 11, 27, 16))  # Friday: due Friday 12-04
    answered, _ = letter(now=at(2026, 11, 27, 16))
    services.inquiry_answer(inquiry=answered, text="答复", by=world["staff"], now=at(2026, 11, 30))
    kq_letter, _ = letter(region="330603", now=at(2026, 11, 27, 16))

    assert run_job_now("inquiries.daily", {"today": "2026-12-02"}) == {"reminded": 0, "overdue": 0}
    assert run_job_now("inquiries.daily", {"today": "2026-12-03"}) == {"reminded": 2, "overdue": 0}
    run_job_now("inquiries.daily", {"today": "2026-12-03"})
    # The city's high_tech staff, not the admin (office) nor the county's staff, for the city's letter.
    due = Notification.objects.filter(dedupe_key=f"inquiry-due:{inquiry.pk}:2026-12-04")
    assert list(due.values_list("recipient__username", flat=True)) == [world["staff"].username]
    kq_due = Notification.objects.filter(dedupe_key=f"inquiry-due:{kq_letter.pk}:2026-12-04")
    assert list(kq_due.values_list("recipient_id", flat=True)) == [world["kq_staff"].pk]
    inquiry.refresh_from_db()
    assert inquiry.reminded_at is not None

    out = StringIO()
    call_command("inquiries_daily", "--date", "2026-12-07", stdout=out)
    assert json.loads(out.getvalue()) == {"reminded": 0, "overdue": 2}
    run_job_now("inquiries.daily", {"today": "2026-12-08"})
    overdue = Notification.objects.filter(dedupe_key=f"inquiry-overdue:{inquiry.pk}:2026-12-04")
    assert sorted(overdue.values_list("recipient_id", flat=True)) == sorted(
        [world["staff"].pk, world["admin"].pk]
    )
    assert not Notification.objects.filter(dedupe_key__contains=f":{answered.pk}:").exists()

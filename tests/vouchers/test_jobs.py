"""The vouchers' daily job (issue 6 item 3: unused quota expires at the period end and returns to the budget):
`vouchers.daily` through the job interface, the `vouchers_daily` command and Celery beat."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kechuang.core.jobs import registered_jobs, run_job_now
from kechuang.vouchers import jobs, services
from kechuang.vouchers.enums import FlagKind, QuotaState
from kechuang.vouchers.ledger import reconcile
from kechuang.vouchers.models import Flag

from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db
D = Decimal


def _redeem(quota, offering, user, provider_user, *, fee):
    booking = services.booking_create(quota=quota, offering=offering, fee=fee, service_date=today(), by=user)
    booking = services.booking_accept(booking=booking, by=provider_user)
    booking = services.booking_complete(
        booking=booking,
        invoice_no="No.1",
        report_file=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        by=provider_user,
    )
    return services.booking_confirm(booking=booking, by=user)


def test_the_job_expires_the_quotas_of_ended_programs_and_leaves_the_others(world):
    ending = make_program(world["staff"], ends_on=today() + timedelta(days=10))
    running = make_program(world["staff"], name="2026年绍兴市科技创新券（第二批）")
    offering = make_provider(world["provider"], world["staff"], price="8000")
    used = make_quota(ending, world["ent_a"], "20000")
    services.booking_create(quota=used, offering=offering, service_date=today(), by=world["ent_a"])  # 8,000
    untouched = make_quota(ending, world["ent_b"], "15000")
    other = make_quota(running, world["ent_a"], "20000")

    # On the last day of the period nothing is due yet.
    assert jobs.daily(today=(ending.ends_on).isoformat())["quota_amount_expired"] == "0.00"

    result = jobs.daily(today=(ending.ends_on + timedelta(days=1)).isoformat())
    assert result == {"quota_amount_expired": "27000.00", "providers_checked": 0, "flags_raised": 0}
    for quota in (used, untouched, other):
        quota.refresh_from_db()
    assert (used.state, used.expired, used.committed) == (QuotaState.EXPIRED, D("12000"), D("8000"))
    assert (untouched.state, untouched.expired) == (QuotaState.EXPIRED, D("15000"))
    assert (other.state, other.expired, other.available) == (QuotaState.APPROVED, D("0"), D("20000"))
    ending.refresh_from_db()
    running.refresh_from_db()
    assert (ending.expired, ending.remaining) == (D("27000"), ending.budget - D("8000"))
    assert (running.expired, running.remaining) == (D("0"), running.budget - D("20000"))
    assert reconcile(ending) == [] and reconcile(running) == []

    # Safe to run twice: nothing more is due.
    again = jobs.daily(today=(ending.ends_on + timedelta(days=2)).isoformat())
    assert again["quota_amount_expired"] == "0.00"
    ending.refresh_from_db()
    assert ending.expired == D("27000")


def test_pending_applications_lapse_with_the_period(world):
    program = make_program(world["staff"], auto_approve=False, ends_on=today() + timedelta(days=5))
    pending = make_quota(program, world["ent_a"], "10000")
    assert pending.state == QuotaState.APPLIED
    jobs.daily(today=(program.ends_on + timedelta(days=1)).isoformat())
    pending.refresh_from_db()
    assert (pending.state, pending.expired, pending.granted) == (QuotaState.WITHDRAWN, D("0"), D("0"))


def test_the_job_rechecks_providers_whose_share_grew_after_their_redemption(world):
    """fraud.py: a provider taking over 30 % of the program's redemptions is flagged from 100,000 yuan on. P's
    60,000 came first (the program had less than 100,000 redeemed: no flag); Q's 45,000 lifted the program to
    105,000 and flagged Q at once. P, now 57 %, is flagged by the daily re-check."""
    program = make_program(world["staff"], quota_per_application=D("100000"), annual_cap=D("200000"))
    p_offering = make_provider(world["provider"], world["staff"], price="120000")
    q_offering = make_provider(world["institution"], world["staff"], price="90000")
    _redeem(make_quota(program, world["ent_a"], "100000"), p_offering, world["ent_a"], world["provider"],
            fee="120000")  # fmt: skip
    shares = Flag.objects.filter(kind=FlagKind.VOUCHER_SHARE)  # (the factories give everyone one address)
    assert shares.count() == 0
    _redeem(make_quota(program, world["ent_b"], "100000"), q_offering, world["ent_b"], world["institution"],
            fee="90000")  # fmt: skip
    assert list(shares.values_list("provider_id", flat=True)) == [world["institution"].organization_id]

    result = jobs.daily(today=today().isoformat())
    assert result == {"quota_amount_expired": "0.00", "providers_checked": 2, "flags_raised": 1}
    flag = shares.get(provider_id=world["provider"].organization_id)
    assert flag.evidence == {
        "provider_redeemed": "60000.00",
        "program_redeemed": "105000.00",
    }
    # A week later the redemptions are no longer recent; a second run raises nothing twice.
    assert jobs.daily(today=(today() + timedelta(days=8)).isoformat())["providers_checked"] == 0
    assert jobs.daily(today=today().isoformat())["flags_raised"] == 0


def test_the_command_and_the_beat_schedule_run_the_same_job(world):
    program = make_program(world["staff"], ends_on=today() + timedelta(days=3))
    make_quota(program, world["ent_a"], "5000")
    assert "vouchers.daily" in registered_jobs()
    out = StringIO()
    call_command("vouchers_daily", "--date", (program.ends_on + timedelta(days=1)).isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {
        "quota_amount_expired": "5000.00",
        "providers_checked": 0,
        "flags_raised": 0,
    }
    assert run_job_now("vouchers.daily", {"today": None})["quota_amount_expired"] == "0.00"  # not ended today
    entry = settings.CELERY_BEAT_SCHEDULE["daily-vouchers"]
    assert (entry["task"], entry["args"], entry["schedule"]) == (
        "kechuang.core.tasks.run_job",
        ("vouchers.daily", {}),
        24 * 60 * 60,
    )

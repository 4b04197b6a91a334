"""Background jobs of the vouchers (run through kechuang.core.jobs).

`vouchers.daily` runs once a day (Celery beat in production, the `vouchers_daily` management command from cron
in the embedded default). It expires the unused quotas of every program whose period has ended (they return to
the budget, `services.expire_due`), then re-runs the voucher-dependence check for the providers that had
redemptions confirmed lately: the share of a provider in its program's redemptions moves as other providers'
arrive, so a check made at confirmation time alone could miss it. Both are safe to run twice: an expired quota
is not expired again, and a finding raises one flag however often it is checked.

A worker loads only `vouchers.jobs` (core.jobs), so this module also imports the areas' own `*_jobs` modules.
"""

import importlib
import pkgutil
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from kechuang.core.jobs import job

from . import services
from .fraud import REDEEMED_STATES, check_provider
from .models import Booking, Flag

RECHECK_DAYS = 7  # providers with a redemption confirmed within this many days are checked again

for _module in pkgutil.iter_modules([str(Path(__file__).resolve().parent)]):
    if _module.name.endswith("_jobs"):
        importlib.import_module(f"{__package__}.{_module.name}")


def _day(today) -> date:
    if today is None:
        return timezone.localdate()
    return today if isinstance(today, date) else date.fromisoformat(today)


def providers_recheck(day: date) -> int:
    """check_provider for every (provider, program) with a redemption confirmed in the RECHECK_DAYS up to `day`;
    how many pairs were checked."""
    since = timezone.make_aware(datetime.combine(day - timedelta(days=RECHECK_DAYS), time.min))
    until = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    pairs = (
        Booking.objects.filter(state__in=REDEEMED_STATES, confirmed_at__gte=since, confirmed_at__lt=until)
        .order_by("provider_id", "quota__program_id")
        .values_list("provider_id", "quota__program_id")
        .distinct()
    )
    checked = 0
    for provider_id, program_id in pairs:
        check_provider(provider_id, program_id=program_id)
        checked += 1
    return checked


@job("vouchers.daily")
def daily(today=None) -> dict:
    """Expire what is due, then re-check the providers with recent redemptions."""
    day = _day(today)
    flags_before = Flag.objects.count()
    returned = services.expire_due(today=day)
    checked = providers_recheck(day)
    return {
        "quota_amount_expired": str(returned),
        "providers_checked": checked,
        "flags_raised": Flag.objects.count() - flags_before,
    }

"""Run the vouchers' daily job now: for cron in the embedded default (production uses Celery beat)."""

from kechuang.core.daily_command import DailyJobCommand


class Command(DailyJobCommand):
    help = (
        "Expire the unused quotas of voucher programs whose period ended and re-check providers (idempotent)."
    )
    job_name = "vouchers.daily"

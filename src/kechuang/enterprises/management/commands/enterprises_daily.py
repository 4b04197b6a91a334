"""Run the enterprise module's daily job now: for cron in the embedded default (production uses Celery beat)."""

from kechuang.core.daily_command import DailyJobCommand


class Command(DailyJobCommand):
    help = "Refresh enterprise tiers and send qualification-expiry and annual-data reminders (idempotent)."
    job_name = "enterprises.daily"

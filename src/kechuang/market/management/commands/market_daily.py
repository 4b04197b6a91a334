"""Run the market's daily job now: for cron in the embedded default (production uses Celery beat)."""

from kechuang.core.daily_command import DailyJobCommand


class Command(DailyJobCommand):
    help = "Expire market listings past their date and remind owners a week before (idempotent)."
    job_name = "market.daily"

"""Run the 科技信箱's daily job now: for cron in the embedded default (production uses Celery beat)."""

from kechuang.core.daily_command import DailyJobCommand


class Command(DailyJobCommand):
    help = "Remind letters due on the next working day and flag overdue ones (idempotent)."
    job_name = "inquiries.daily"

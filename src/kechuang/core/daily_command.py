"""A management command that runs one module's daily job now: for cron in the embedded default (production
runs the same job from Celery beat, settings.CELERY_BEAT_SCHEDULE)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from .jobs import run_job_now


class DailyJobCommand(BaseCommand):
    job_name = ""  # set by the subclass, e.g. "enterprises.daily"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        today = options.get("date")
        if today:
            try:
                date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {today!r}") from exc
        result = run_job_now(self.job_name, {"today": today})
        self.stdout.write(json.dumps(result, ensure_ascii=False))

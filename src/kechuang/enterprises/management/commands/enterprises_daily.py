"""Run the enterprise module's daily job now: for cron in the embedded default (production uses Celery beat)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.jobs import run_job_now


class Command(BaseCommand):
    help = "Refresh enterprise tiers and send qualification-expiry and annual-data reminders (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        today = options.get("date")
        if today:
            try:
                date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {today!r}") from exc
        result = run_job_now("enterprises.daily", {"today": today})
        self.stdout.write(json.dumps(result, ensure_ascii=False))

"""The 2025 and 2026 public holidays and 调休 working days of the State Council's notices
(国务院办公厅关于2025年部分节假日安排的通知 国办发明电〔2024〕12号; 关于2026年部分节假日安排的通知
国办发明电〔2025〕7号). Only the exceptions to the Monday–Friday week are stored: holidays falling on weekdays
and weekend days that are working days. The bureau corrects them in the admin (节假日调整)."""

from datetime import date

from django.db import migrations

HOLIDAYS = {
    # 2025
    "元旦": ["2025-01-01", "2026-01-01", "2026-01-02"],
    "春节": [
        "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04",
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23",
    ],
    "清明节": ["2025-04-04", "2026-04-06"],
    "劳动节": ["2025-05-01", "2025-05-02", "2025-05-05", "2026-05-01", "2026-05-04", "2026-05-05"],
    "端午节": ["2025-06-02", "2026-06-19"],
    "中秋节": ["2026-09-25"],
    "国庆节": [
        "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08",
        "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",
    ],
}  # fmt: skip
WORKDAYS = {
    "元旦调休上班": ["2026-01-04"],
    "春节调休上班": ["2025-01-26", "2025-02-08", "2026-02-14", "2026-02-28"],
    "劳动节调休上班": ["2025-04-27", "2026-05-09"],
    "国庆节调休上班": ["2025-09-28", "2025-10-11", "2026-09-20", "2026-10-10"],
}


def rows():
    for note, days in HOLIDAYS.items():
        for day in days:
            yield date.fromisoformat(day), False, note
    for note, days in WORKDAYS.items():
        for day in days:
            yield date.fromisoformat(day), True, note


def load(apps, schema_editor):
    CalendarDay = apps.get_model("inquiries", "CalendarDay")
    for day, workday, note in rows():
        CalendarDay.objects.update_or_create(day=day, defaults={"workday": workday, "note": note})


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("inquiries", "CalendarDay")
    CalendarDay.objects.filter(day__in=[day for day, _, _ in rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

"""Indexes for the officers' application list: its order, the overdue filter, and (PostgreSQL only) a
trigram index for searching titles with LIKE '%…%' (SQLite cannot build it; search there is a scan)."""

import logging

from django.conf import settings
from django.db import migrations, models, transaction

logger = logging.getLogger(__name__)


def create_title_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS projects_application_title_trgm "
                "ON projects_application USING gin (title gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001  a missing privilege must not block deployment
        logger.warning("trigram index on application titles not created: %s", exc)


def drop_title_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS projects_application_title_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_organization_parent"),
        ("projects", "0005_midterm_changes_acceptance"),
        ("regions", "0002_load_regions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["-state_since", "-id"], name="application_list_order"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("holder__in", ["applicant", ""]), _negated=True),
                fields=["due_at", "region", "state"],
                name="application_overdue",
            ),
        ),
        migrations.RunPython(create_title_trigram, drop_title_trigram),
    ]

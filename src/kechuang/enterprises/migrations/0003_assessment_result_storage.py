"""AssessmentResult is rewritten in bulk every night (200,000 rows at 100,000 enterprises): make that cheap.

- No index of its own on organization: the unique (organization, kind) serves every lookup by organization.
- PostgreSQL only: pages kept 40 % free (fillfactor 60) so a rewrite of a row lands on its own page as a HOT
  update, without touching the indexes; the JSON compressed with lz4 instead of pglz (several times faster to
  compress, about the same size). Neither changes what is stored.
"""

import django.db.models.deletion
from django.db import migrations, models


def _storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE enterprises_assessmentresult SET (fillfactor = 60)")
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone():
            cursor.execute("ALTER TABLE enterprises_assessmentresult ALTER COLUMN result SET COMPRESSION lz4")


def _default_storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE enterprises_assessmentresult RESET (fillfactor)")
        cursor.execute("ALTER TABLE enterprises_assessmentresult ALTER COLUMN result SET COMPRESSION default")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0002_enterprise_list_indexes"),
        ("organizations", "0007_qualification_levels_and_tier"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessmentresult",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assessments",
                to="organizations.organization",
                verbose_name="企业",
            ),
        ),
        migrations.RunPython(_storage, _default_storage),
    ]

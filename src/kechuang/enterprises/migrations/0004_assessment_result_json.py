"""AssessmentResult.result as PostgreSQL `json` instead of `jsonb` (core.fields.StoredJSONField).

The nightly batch writes 200,000 results of about 2 KB; building jsonb's binary tree from them was a third
of the database's work, and nothing queries inside the result. Changing the type resets the column's
compression, so lz4 (0003) is set again. Other databases are not changed.
"""

from django.db import migrations

import kechuang.core.fields


def _lz4(apps, schema_editor):
    # A type change in either direction leaves the column with the default compression: set after each.
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone():
            cursor.execute("ALTER TABLE enterprises_assessmentresult ALTER COLUMN result SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_assessment_result_storage"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _lz4),  # runs last when unapplied
        migrations.AlterField(
            model_name="assessmentresult",
            name="result",
            field=kechuang.core.fields.StoredJSONField(default=dict, verbose_name="评价明细"),
        ),
        migrations.RunPython(_lz4, migrations.RunPython.noop),
    ]

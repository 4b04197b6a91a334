"""PostgreSQL only: a trigram index for searching organization names (LIKE '%…%').

Not a model index because SQLite cannot build it. Where the database user may not create the
pg_trgm extension, the migration leaves a warning and search still works, only slower.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS organizations_org_name_trgm "
                "ON organizations_organization USING gin (name gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001  a missing privilege must not block deployment
        logger.warning("trigram index on organization names not created: %s", exc)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organizations_org_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_kind_industry_region")]
    operations = [migrations.RunPython(create, drop)]

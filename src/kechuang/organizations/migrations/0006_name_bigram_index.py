"""PostgreSQL only: an index for two-character name searches (纺织, 华宇), which trigrams cannot serve.

kc_bigrams(name) is the set of the name's two-character substrings; `kc_bigrams(name) @> ARRAY['纺织']`
holds exactly when the name contains 纺织, and a GIN index answers it without reading every name.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kc_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
    FROM generate_series(1, char_length(value) - 1) AS i
$$;
CREATE INDEX IF NOT EXISTS organizations_org_name_bigrams
    ON organizations_organization USING gin (kc_bigrams(name::text));
"""
DROP = """
DROP INDEX IF EXISTS organizations_org_name_bigrams;
DROP FUNCTION IF EXISTS kc_bigrams(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_organization_parent")]
    operations = [migrations.RunPython(create, drop)]

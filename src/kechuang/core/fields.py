"""Model fields of our own."""

from __future__ import annotations

from django.db import models


class StoredJSONField(models.JSONField):
    """A JSONField kept as PostgreSQL `json` (checked text) instead of `jsonb` (parsed into a binary tree).

    For JSON that is written in bulk and read back whole, never queried inside: building the jsonb tree
    was a third of PostgreSQL's work in the nightly self-assessment batch (200,000 results of about 2 KB).
    jsonb-only lookups (`has_key`, `contains`) do not work on it; key transforms (`->`) do. Other
    databases store it as JSONField does.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        # psycopg decodes `json` itself (Django registers a text loader for jsonb only).
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)

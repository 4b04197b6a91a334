"""Database expressions of the projects app."""

from django.db.backends.signals import connection_created
from django.db.models import Func, IntegerField, Value
from django.db.models.functions import Coalesce

from .similarity import hamming

FINGERPRINT_BITS = 64


class Hamming(Func):
    """Bits in which a fingerprint column differs from a given fingerprint (64 when the column is NULL).

    PostgreSQL computes it natively (bit_count, PostgreSQL 14+); SQLite through `kc_hamming`, the Python
    function registered on each of its connections below, so both give exactly similarity.hamming().
    """

    output_field = IntegerField()

    def __init__(self, column: str, fingerprint: int):
        super().__init__(column, Value(fingerprint), output_field=IntegerField())

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="bit_count(CAST((%(expressions)s) AS bit(64)))", arg_joiner=" # "
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="kc_hamming")


def hamming_or_max(column: str, fingerprint: int | None):
    """Hamming(column, fingerprint), or the most distance when either fingerprint is missing."""
    if fingerprint is None:
        return Value(FINGERPRINT_BITS, output_field=IntegerField())
    return Coalesce(Hamming(column, fingerprint), Value(FINGERPRINT_BITS), output_field=IntegerField())


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("kc_hamming", 2, hamming, deterministic=True)


connection_created.connect(_register_sqlite_functions, dispatch_uid="kechuang.projects.kc_hamming")

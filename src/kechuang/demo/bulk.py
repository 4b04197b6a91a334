"""Fast inserts for the demo data of every app."""


def insert(model, rows: list[dict], refs: dict[str, tuple[str, list[int]]] | None = None) -> list[int]:
    """Insert `rows` with executemany; their ids in order. Keys starting with "_" are resolved through `refs`
    ({"_carrier": ("carrier_id", carrier ids)}) or dropped; fields left out take their default.

    What bulk_create does, without its per-value SQL compilation (which made the demo's thousands of rows take
    seconds) and without overwriting planned `auto_now_add` values; COPY on PostgreSQL. The ids are given after
    the table's largest, and PostgreSQL's sequence is moved past them.
    """
    from django.core.management.color import no_style
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    if not rows:
        return []
    refs = refs or {}
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DecimalField":
            converters.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        elif kind == "DateTimeField":
            converters.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            converters.append(ops.adapt_datefield_value)
        elif kind in ("JSONField", "FileField"):
            converters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            converters.append(None)
    now = timezone.now()
    start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    ids = list(range(start, start + len(rows)))
    params = []
    for pk, row in zip(ids, rows, strict=True):
        values = {name: value for name, value in row.items() if not name.startswith("_")}
        for ref, (attname, targets) in refs.items():
            values[attname] = targets[row[ref]] if row.get(ref) is not None else None
        line = [pk]
        for f, convert in zip(fields, converters, strict=True):
            if f.attname in values:
                value = values[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            line.append(convert(value) if convert is not None and value is not None else value)
        params.append(line)
    quote = ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(c) for c in [model._meta.pk.column] + [f.column for f in fields])
    with connection.cursor() as cursor:
        if (
            connection.vendor == "postgresql"
        ):  # COPY: several times faster than executemany for thousands of rows
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for line in params:
                    copy.write_row(line)
        else:
            places = ", ".join(["%s"] * (len(fields) + 1))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({places})", params)
        for statement in ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
    return ids

"""Many rows of one model written at once with PostgreSQL's COPY.

A recompute of every project writes thousands of snapshots in one transaction; as an INSERT
(`bulk_create`) Django and the database spend 0.4 s on 3,000 of them, as a COPY 0.15 s
(measured at scale 1000). Elsewhere, and on SQLite, it is `bulk_create`.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, models

from .signals import records_changed

NULL = r"\N"


def rows_copy(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert `objects` (new, without primary keys) in one COPY; their `pk` stays None.

    For models whose fields need no `pre_save` (no auto_now): the values are written as given,
    and the database's constraints and triggers still check every row. No post_save is sent:
    `records_changed` is, once (the dashboard's cached boards listen to it).
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
    else:
        _copy(model, objects)
    records_changed.send(sender=model)


def _copy(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for obj in objects:
        row = []
        for field in fields:
            value = getattr(obj, field.attname)
            if value is None:
                row.append(NULL)
            elif isinstance(field, models.JSONField):
                row.append(json.dumps(value, cls=field.encoder))
            elif isinstance(value, datetime.date):  # dates and aware datetimes, as ISO 8601
                row.append(value.isoformat())
            elif isinstance(value, bool):
                row.append("t" if value else "f")
            elif isinstance(value, (str, int, Decimal)):
                # PostgreSQL parses and checks them against the column (Django's per-value
                # preparation of decimals was half of the write).
                row.append(value)
            else:
                row.append(field.get_db_prep_save(value, connection))
        writer.writerow(row)
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
    # The raw cursor (Django's has no COPY); its errors become Django's (IntegrityError…).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(sql, buffer)

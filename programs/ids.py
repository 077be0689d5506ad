"""Ids and moments as they come from outside (a form, a query string, a path): in the range the
database holds, or a clear message instead of a query that fails."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

#: The largest id a bigint primary key holds (PostgreSQL's and SQLite's integers).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id `value` names, or None: ASCII digits only ("²" and "٣" are digits to `str.isdigit`),
    from 1 to MAX_ID (a larger number overflows the database's integer and fails the query)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdField(forms.IntegerField):
    """A form field for a record id: a whole number from 1 to MAX_ID, or a clear message."""

    default_error_messages = {"invalid": _("Enter the id of a record: a whole number from 1 up.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


#: The widest offset from UTC a real time zone has (Kiribati, UTC+14): PostgreSQL refuses far
#: larger displacements ("time zone displacement out of range"), Python allows up to ±23:59.
MAX_UTC_OFFSET = datetime.timedelta(hours=14)


def moment_errors(value: datetime.datetime | None) -> str | None:
    """Why a moment from outside cannot be a filter, or None."""
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        return _("Give a time zone offset between −14:00 and +14:00.")
    if not 1 <= value.year <= 9998:
        return _("Give a year between 1 and 9998.")
    return None

"""Record ids as they come from outside (a form, a query string, a path): digits only, in range."""

from __future__ import annotations

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

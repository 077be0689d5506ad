"""What an import reports: why each refused row was refused, in the file's terms (its row,
column and value), including the rows the database refused although they passed the checks in
Python."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from .models import ONE_LINE_FIELDS, Beneficiary
from .spreadsheet_widgets import IMPORT_COLUMNS, cell_text

#: The column a database refusal is about, by constraint name: the database has the last word
#: (a code recorded by someone else since the file was checked, a rule `clean()` does not state).
#: The trigger's refusals (a date in the future) name their column themselves.
CONSTRAINT_COLUMNS = {
    "enterprises_beneficiary_code_key": "code",
    "beneficiary_sex_valid": "sex",
    "beneficiary_date_of_birth_required": "date_of_birth",
    "beneficiary_consent_date_required": "consent_date",
    "beneficiary_consent_after_birth": "consent_date",
    **{f"beneficiary_{field}_one_line": field for field in ONE_LINE_FIELDS},
}


class DatabaseRefusal(Exception):
    """A row the database refused although it passed the checks in Python."""


def database_refusal(error: DatabaseError) -> tuple[str, str]:
    """The column (or '') and the reason of a refusal by the database: a constraint named in
    CONSTRAINT_COLUMNS gives its message, a trigger writes "column: reason"."""
    diagnosis = getattr(error.__cause__, "diag", None)
    constraint = getattr(diagnosis, "constraint_name", None) or ""
    column = CONSTRAINT_COLUMNS.get(constraint, "")
    if column == "code":
        return column, str(Beneficiary._meta.get_field("code").error_messages["unique"])
    for rule in Beneficiary._meta.constraints:
        if rule.name == constraint and column:
            return column, str(rule.get_violation_error_message())
    first_line = (str(error).splitlines() or [""])[0]
    said = re.match(r"^(\w+): (.+)$", first_line)
    if said and said.group(1) in IMPORT_COLUMNS:
        return said.group(1), said.group(2)
    return "", _("The database refused this row: %(reason)s") % {"reason": first_line}


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was refused: its number (1 = the first row under the column names),
    the column, the value found there and the reason."""

    row: int
    column: str
    value: str
    reason: str

    @property
    def line(self) -> int:
        """The line in the file or sheet, counting the row of column names."""
        return self.row + 1


def row_problems(result) -> list[RowProblem]:
    """Every refused row of an import result, one entry per column and reason, in row order."""
    problems = []
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            name = "" if column == NON_FIELD_ERRORS else column
            value = cell_text(invalid.values[IMPORT_COLUMNS.index(name)]) if name in IMPORT_COLUMNS else ""
            problems += [RowProblem(invalid.number, name, value, str(m)) for m in messages]
    for error_row in result.error_rows:
        problems += [RowProblem(error_row.number, "", "", str(e.error)) for e in error_row.errors]
    problems.sort(key=lambda p: (p.row, p.column))
    return [RowProblem(0, "", "", " ".join(_messages(e.error))) for e in result.base_errors] + problems


def _messages(error) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]

"""Beneficiary sheets for the import tests, as the fora and partners send them."""

from __future__ import annotations

import datetime
import io

import tablib

from beneficiaries.spreadsheet_widgets import IMPORT_COLUMNS


def person_row(i: int, **changes) -> dict:
    """Row `i` of a good sheet: a distinct person with a distinct code, name and phone."""
    row = {
        "code": f"BA-{i:05d}",
        "first_name": "Marie",
        "last_name": f"Joseph{i}",
        "sex": "F" if i % 2 else "M",
        "date_of_birth": f"{1990 + i % 8}-0{1 + i % 9}-1{i % 10}",
        "neighbourhood": "Bel Air" if i % 3 else "Fort National",
        "phone": f"+509 37{i:06d}",
        "consent_given": "yes",
        "consent_date": "2014-04-26",
    }
    row.update(changes)
    return row


def sheet(rows: list[dict]) -> tablib.Dataset:
    return tablib.Dataset(*[[row[c] for c in IMPORT_COLUMNS] for row in rows], headers=list(IMPORT_COLUMNS))


def good_rows(n: int, *, bad: dict[int, dict] | None = None) -> list[dict]:
    """n good rows (numbered from 1), with the changes in `bad` applied to the given rows."""
    bad = bad or {}
    return [person_row(i, **bad.get(i, {})) for i in range(1, n + 1)]


def csv_file(rows: list[dict]) -> bytes:
    return sheet(rows).export("csv").encode("utf-8")


def xlsx_file(rows: list[dict]) -> bytes:
    """An XLSX file as a spreadsheet program writes it: date cells, yes/no as booleans, phone
    numbers typed as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    cells = book.active
    cells.append(list(IMPORT_COLUMNS))
    for row in rows:
        values = dict(row)
        for column in ("date_of_birth", "consent_date"):
            try:
                values[column] = datetime.date.fromisoformat(values[column])
            except ValueError:
                pass
        values["consent_given"] = values["consent_given"] == "yes"
        digits = values["phone"].replace(" ", "").replace("+509", "")
        values["phone"] = int(digits) if digits.isascii() and digits.isdigit() else values["phone"]
        cells.append([values[c] for c in IMPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load(content: bytes, format: str) -> tablib.Dataset:
    """Read a file as the admin does."""
    if format == "csv":
        return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    return tablib.Dataset().load(io.BytesIO(content), format="xlsx")

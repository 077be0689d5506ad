"""Cells written to CSV and XLSX exports: text a spreadsheet shows, never runs."""

from __future__ import annotations

from typing import Any

#: What makes a spreadsheet read a cell as a formula (CSV injection), with the full-width forms
#: that a spreadsheet in an East Asian locale turns into them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would read as a formula with a quote; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

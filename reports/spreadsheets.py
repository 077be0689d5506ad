"""The period report as an XLSX workbook: one sheet per indicator."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .documents import Report


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for indicator in report.indicators:
        sheet = book.create_sheet(title=indicator.target.get_indicator_display()[:31])
        bold = Font(bold=True)
        sheet.append([f"{report.project.localized_title} — {report.period.code}"])
        sheet["A1"].font = bold
        sheet.append([_("Target"), float(indicator.target.value), indicator.unit])
        sheet.append([])
        header = [
            _("Period"),
            _("Start"),
            _("End"),
            _("Milestone"),
            _("Straight path"),
            _("Actual in the period"),
            _("Cumulative actual"),
            _("State"),
            _("Narrative"),
        ]
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in indicator.table.rows:
            sheet.append(
                [
                    row.period.code,
                    row.period.start,
                    row.period.end,
                    None if row.milestone is None else float(row.milestone),
                    None if row.straight_path is None else float(row.straight_path),
                    float(row.actual_in_period),
                    float(row.actual_cumulative),
                    row.period.get_state_display(),
                    row.narrative,
                ]
            )
        if indicator.table.after_end:
            sheet.append(
                [
                    _("After the end date (not counted)"),
                    None,
                    None,
                    None,
                    None,
                    float(indicator.table.after_end),
                ]
            )
        sheet.append([])
        sheet.append([_("Breakdown of %(period)s") % {"period": report.period.code}])
        for label, values in indicator.breakdowns:
            sheet.append([label])
            for key, value in values:
                sheet.append(["", key, float(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

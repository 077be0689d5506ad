"""Tables of the dashboard's figures and drill-down lists, as the page shows them and as CSV / XLSX.

The same columns make the HTML list and the files, so a file holds what the page shows.
Phone numbers and dates of birth are columns only for users who may view personal data.
Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a
carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import tablib
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.access import may_view_personal_data
from programs.spreadsheets import neutralise

from .figures import Figure
from .selectors import Dashboard

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[Any], Any]
    personal: bool = False


def _verified_by(record) -> str:
    user = record.review_changed_by if record.review_state == "verified" else None
    return user.get_username() if user else ""


def _person(person) -> str:
    return f"{person.first_name} {person.last_name}".strip()


def _choice(record, name: str) -> str:
    return str(getattr(record, f"get_{name}_display")())


def _site_url(site) -> str:
    return reverse("dashboard:site", args=[site.pk])


def _beneficiary_url(person) -> str:
    return reverse("dashboard:beneficiary", args=[person.pk])


COLUMNS: dict[str, list[Column]] = {
    "businesses": [
        Column(_("Business"), lambda b: b.name),
        Column(_("Neighbourhood"), lambda b: b.neighbourhood.name),
        Column(_("Owner code"), lambda b: b.owner.code),
        Column(_("Owner"), lambda b: _person(b.owner)),
        Column(_("Owner's sex"), lambda b: b.owner.get_sex_display()),
        Column(_("Owner's phone"), lambda b: b.owner.phone, personal=True),
        Column(_("Activity"), lambda b: b.activity),
        Column(_("Size"), lambda b: _choice(b, "size")),
        Column(_("Status"), lambda b: _choice(b, "status")),
        Column(_("Formed on"), lambda b: b.formed_on),
        Column(_("Centre"), lambda b: b.centre.name),
        Column(_("Verified by"), _verified_by),
    ],
    "youth_jobs": [
        Column(_("Worker code"), lambda j: j.worker.code),
        Column(_("Worker"), lambda j: _person(j.worker)),
        Column(_("Sex"), lambda j: j.worker.get_sex_display()),
        Column(_("Age on start date"), lambda j: j.age),
        Column(_("Date of birth"), lambda j: j.worker.date_of_birth, personal=True),
        Column(_("Phone"), lambda j: j.worker.phone, personal=True),
        Column(_("Business"), lambda j: j.business.name),
        Column(_("Neighbourhood"), lambda j: j.business.neighbourhood.name),
        Column(_("Role"), lambda j: j.role),
        Column(_("Start date"), lambda j: j.start_date),
        Column(_("End date"), lambda j: j.end_date),
        Column(_("Rehabilitation site"), lambda j: j.site.name if j.site else ""),
        Column(_("Verified by"), _verified_by),
    ],
    "rehabilitated_m2": [
        Column(_("Site"), lambda w: w.site.name),
        Column(_("Neighbourhood"), lambda w: w.site.neighbourhood.name),
        Column(_("Kind of structure"), lambda w: _choice(w.site, "kind")),
        Column(_("Date"), lambda w: w.date),
        Column(_("Completed area (m²)"), lambda w: w.completed_area_m2),
        Column(_("Photo"), lambda w: reverse("field:work-photo", args=[w.pk]) if w.photo else ""),
        Column(_("Verified by"), _verified_by),
    ],
    "forum_sessions": [
        Column(_("Forum"), lambda s: s.forum.name),
        Column(_("Neighbourhood"), lambda s: s.forum.neighbourhood.name),
        Column(_("Kind"), lambda s: _choice(s, "kind")),
        Column(_("Held on"), lambda s: s.held_on),
        Column(_("Women"), lambda s: s.women),
        Column(_("Men"), lambda s: s.men),
        Column(_("Youth"), lambda s: s.youth),
        Column(_("Participants"), lambda s: s.women + s.men),
        Column(_("Verified by"), _verified_by),
    ],
    "structures": [
        Column(_("Rank"), lambda p: p.rank),
        Column(_("Structure"), lambda p: p.name),
        Column(_("Kind of structure"), lambda p: _choice(p, "kind")),
        Column(_("Estimated area (m²)"), lambda p: p.estimated_area_m2),
        Column(_("Neighbourhood"), lambda p: p.session.forum.neighbourhood.name),
        Column(_("Prioritised on"), lambda p: p.session.held_on),
        Column(_("Rehabilitation site"), lambda p: _site_of(p)),
    ],
    "beneficiaries": [
        Column(_("Code"), lambda b: b.code),
        Column(_("Name"), _person),
        Column(_("Sex"), lambda b: b.get_sex_display()),
        Column(_("Date of birth"), lambda b: b.date_of_birth, personal=True),
        Column(_("Phone"), lambda b: b.phone, personal=True),
        Column(_("Neighbourhood"), lambda b: b.neighbourhood.name),
        Column(_("Selected on"), lambda b: b.selected_on),
    ],
    "esc_services": [
        Column(_("Kind"), lambda s: _choice(s, "kind")),
        Column(_("Centre"), lambda s: s.centre.name),
        Column(_("Neighbourhood"), lambda s: s.centre.neighbourhood.name),
        Column(_("Business served"), lambda s: s.business.name if s.business else ""),
        Column(_("Delivered on"), lambda s: s.delivered_on),
        Column(_("Participants"), lambda s: s.participants),
        Column(_("Verified by"), _verified_by),
    ],
}

#: Where a row of each list leads: its traceability page, when it has one.
ROW_LINKS: dict[str, Callable[[Any], str | None]] = {
    "youth_jobs": lambda j: _beneficiary_url(j.worker),
    "rehabilitated_m2": lambda w: _site_url(w.site),
    "structures": lambda p: _site_url(p.site) if _site_of(p) else None,
    "beneficiaries": _beneficiary_url,
    "businesses": lambda b: _beneficiary_url(b.owner),
}


def _site_of(priority) -> str:
    try:
        return priority.site.name
    except priority._meta.model.site.RelatedObjectDoesNotExist:
        return ""


def columns_for(figure: Figure, user) -> list[Column]:
    personal = may_view_personal_data(user)
    return [column for column in COLUMNS[figure.key] if personal or not column.personal]


@dataclass(frozen=True)
class Row:
    cells: list[Any]
    url: str | None


def rows_for(figure: Figure, records: Iterable, columns: list[Column]) -> list[Row]:
    link = ROW_LINKS.get(figure.key)
    return [
        Row([column.value(record) for column in columns], link(record) if link else None)
        for record in records
    ]


def figure_dataset(figure: Figure, records: Iterable, user) -> tablib.Dataset:
    columns = columns_for(figure, user)
    dataset = tablib.Dataset(
        headers=[str(column.header) for column in columns], title=sheet_title(figure.title)
    )
    for record in records:
        dataset.append([_cell(column.value(record)) for column in columns])
    return dataset


DASHBOARD_HEADERS = [
    _("Partnership"),
    _("Project"),
    _("Figure"),
    _("Breakdown"),
    _("Category"),
    _("Value"),
    _("Target"),
    _("Percent"),
    _("Expected by now"),
    _("Status"),
    _("Forecast date"),
    _("As of"),
]


def dashboard_dataset(dashboard: Dashboard) -> tablib.Dataset:
    """One row per figure and per breakdown row, as the dashboard shows them."""
    dataset = tablib.Dataset(headers=[str(h) for h in DASHBOARD_HEADERS], title=sheet_title(_("Dashboard")))
    for partnership_board in dashboard.partnerships:
        partnership = partnership_board.partnership.title
        for board in partnership_board.projects:
            project = board.project.localized_title
            for card in board.cards:
                snapshot = card.snapshot
                as_of = _local(snapshot.as_of) if snapshot else ""
                wide = card.project_wide and snapshot is not None
                dataset.append(
                    [
                        _cell(partnership),
                        _cell(project),
                        card.label,
                        "" if card.project_wide else dashboard.scope.label,
                        "",
                        card.actual,
                        card.target_value,
                        card.percent,
                        snapshot.expected_by_now if wide else None,
                        card.status_label if wide else "",
                        snapshot.forecast_date if wide else None,
                        as_of,
                    ]
                )
                for breakdown in card.breakdowns:
                    for row in breakdown.rows:
                        dataset.append(
                            [
                                _cell(partnership),
                                _cell(project),
                                card.label,
                                breakdown.label,
                                _cell(row.label),
                                row.value,
                                None,
                                None,
                                None,
                                "",
                                None,
                                as_of,
                            ]
                        )
            for figure, by_hood in board.secondary.rows():
                dataset.append(
                    [_cell(partnership), _cell(project), figure.label, "", "", figure.total] + [None] * 6
                )
                for hood, value in by_hood:
                    dataset.append(
                        [
                            _cell(partnership),
                            _cell(project),
                            figure.label,
                            str(_("By neighbourhood")),
                            _cell(hood.name),
                            value,
                        ]
                        + [None] * 6
                    )
    return dataset


def sheet_title(title) -> str:
    """A worksheet name Excel accepts: 31 characters at most, none of []:*?/\\."""
    return "".join(c for c in str(title) if c not in "[]:*?/\\")[:31]


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _cell(value: Any) -> Any:
    """A value for both formats: text neutralised, numbers and dates kept, None empty."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, datetime.date)):
        return value
    return neutralise(str(value))


def file_response(dataset: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    content = dataset.export(fmt)
    if fmt == "csv":
        content = "\ufeff" + content  # a byte-order mark, so that spreadsheets read UTF-8
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "private, no-store"  # it may hold personal data
    return response

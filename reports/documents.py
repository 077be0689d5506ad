"""What a period report holds: cover, summary, a chart per indicator, breakdowns, narratives,
changes after approval, data-quality notes and the history of the period's review. One builder
for the page, the PDF, the XLSX and the command."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Sex
from fora.models import StructureKind
from programs.models import Project, Target
from progress.models import PeriodEvent, ReportingPeriod
from progress.period_selectors import (
    QUALITY_CHECKS,
    PeriodRow,
    TargetPeriods,
    period_rows,
    quality_counts,
    records_changed_after_approval,
)

from .charts import target_chart

DIMENSION_LABELS = {
    "neighbourhood": _("By neighbourhood"),
    "sex": _("By sex"),
    "age_band": _("By age band (age on the job's start date)"),
    "kind": _("By kind of structure"),
}
UNITS = {
    Target.Indicator.BUSINESSES: _("businesses"),
    Target.Indicator.YOUTH_JOBS: _("youth jobs"),
    Target.Indicator.REHABILITATED_AREA: _("m²"),
}
QUALITY_LABELS = {
    "waiting": _("Records dated in the period still waiting for review or returned"),
    "sites_without_photo": _("Sites with work in the period but no photo"),
    "work_without_gps": _("Counted work records without GPS position"),
    "businesses_without_owner": _("Businesses counted without an owner on file (anonymised)"),
    "jobs_consent_withdrawn": _("Counted jobs whose worker withdrew consent"),
}


def _label(dimension: str, key: str) -> str:
    choices = {"sex": Sex, "kind": StructureKind}.get(dimension)
    if choices is not None:
        try:
            return str(choices(key).label)
        except ValueError:
            return key
    return key


@dataclass
class Indicator:
    table: TargetPeriods
    row: PeriodRow
    chart: SafeString
    breakdowns: list[tuple[str, list[tuple[str, str]]]]
    changed_records: list = field(default_factory=list)

    @property
    def target(self) -> Target:
        return self.table.target

    @property
    def unit(self) -> str:
        return str(UNITS[self.target.indicator])

    @property
    def signed_change(self) -> str:
        """The change since approval with its sign: "+3", "-1", "0"."""
        change = self.row.changed_after_approval
        text = number_format(abs(change).normalize())
        return f"+{text}" if change > 0 else f"-{text}" if change < 0 else text


@dataclass
class Report:
    project: Project
    period: ReportingPeriod
    indicators: list[Indicator]
    quality: list[tuple[str, str, int]]
    events: list[PeriodEvent]
    generated_at: object

    @property
    def title(self) -> str:
        return str(_("Progress report"))


def period_report(project: Project, period: ReportingPeriod) -> Report:
    indicators = []
    for table, row in period_rows(project, period):
        breakdowns = [
            (str(DIMENSION_LABELS.get(dim, dim)), [(_label(dim, k), v) for k, v in sorted(values.items())])
            for dim, values in sorted(row.breakdown.items())
            if dim in DIMENSION_LABELS
        ]
        changed = list(records_changed_after_approval(period, table.target.indicator)) if row.frozen else []
        indicators.append(
            Indicator(
                table=table,
                row=row,
                chart=mark_safe(target_chart(table, row)),  # noqa: S308 - built and escaped by charts.py
                breakdowns=breakdowns,
                changed_records=changed,
            )
        )
    counts = quality_counts(period)
    return Report(
        project=project,
        period=period,
        indicators=indicators,
        quality=[(check, str(QUALITY_LABELS[check]), counts[check]) for check in QUALITY_CHECKS],
        events=list(period.events.select_related("by")),
        generated_at=timezone.now(),
    )

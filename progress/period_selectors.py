"""Reads of the reporting cycle: each target's figures per reporting period (live, and as
approved), what changed after approval, and the data-quality checks of a period.

The counting is `progress.selectors.progress_actuals(by_period=True)` (database aggregates
grouped by period); the arithmetic (cumulative sums, the straight path, differences) is
`progress.arithmetic`. Nothing here loops over records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from enterprises.models import Business, Job
from programs.models import Project, ReviewState, Target
from rehab.models import RehabSite, WorkRecord

from . import arithmetic as progress
from .models import Milestone, PeriodFigure, PeriodNarrative, PeriodState, ReportingPeriod
from .selectors import (
    counted_businesses,
    counted_work_records,
    jobs_with_age_at_start,
    progress_actuals,
    youth_bands_of,
)

Indicator = Target.Indicator


@dataclass
class PeriodRow:
    """One target in one period: the live figures, and the approved ones once approved."""

    period: ReportingPeriod
    milestone: Decimal | None
    straight_path: Decimal | None
    live_in_period: Decimal
    live_cumulative: Decimal
    live_breakdown: dict[str, dict[str, str]]
    approved: PeriodFigure | None = None
    narrative: str = ""

    @property
    def expected(self) -> Decimal | None:
        """The milestone, or, without one, where the straight path stands at the period's end."""
        return self.milestone if self.milestone is not None else self.straight_path

    @property
    def uses_straight_path(self) -> bool:
        return self.milestone is None

    @property
    def frozen(self) -> bool:
        return self.period.frozen and self.approved is not None

    @property
    def actual_in_period(self) -> Decimal:
        return self.approved.actual_in_period if self.frozen else self.live_in_period

    @property
    def actual_cumulative(self) -> Decimal:
        return self.approved.actual_cumulative if self.frozen else self.live_cumulative

    @property
    def breakdown(self) -> dict[str, dict[str, str]]:
        return self.approved.breakdown if self.frozen else self.live_breakdown

    @property
    def changed_after_approval(self) -> Decimal:
        """The live figure minus the approved one (0 while not approved)."""
        if not self.frozen:
            return Decimal(0)
        return progress.changed_by(self.live_in_period, self.approved.actual_in_period)


@dataclass
class TargetPeriods:
    target: Target
    rows: list[PeriodRow]
    #: Counted records dated after the project's end: shown apart, in no period.
    after_end: Decimal = Decimal(0)
    after_end_breakdown: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((row.live_in_period for row in self.rows), Decimal(0))


def project_periods(project: Project) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(project=project).order_by("end"))


def period_table(project: Project) -> list[TargetPeriods]:
    """Every target of `project` with a row per reporting period, in the programme's order."""
    return period_tables([project])[project.pk]


def period_tables(projects: list[Project]) -> dict[int, list[TargetPeriods]]:
    """`period_table` of many projects in a fixed number of queries (the IATI file's)."""
    by_pk = {project.pk: project for project in projects}
    periods: dict[int, list[ReportingPeriod]] = {pk: [] for pk in by_pk}
    for period in ReportingPeriod.objects.filter(project_id__in=list(by_pk)).order_by("end"):
        periods[period.project_id].append(period)
    targets = {
        pk: sorted(project.targets.all(), key=lambda t: Indicator.values.index(t.indicator))
        for pk, project in by_pk.items()
    }
    bands = youth_bands_of(t for ts in targets.values() for t in ts)
    actuals = progress_actuals(list(by_pk), youth_bands=bands, by_period=True)
    in_projects = {"period__project_id__in": list(by_pk)}
    milestones = {(m.target_id, m.period_id): m.value for m in Milestone.objects.filter(**in_projects)}
    approved = {(f.target_id, f.period_id): f for f in PeriodFigure.objects.filter(**in_projects)}
    narratives = {(n.target_id, n.period_id): n.text for n in PeriodNarrative.objects.filter(**in_projects)}
    result: dict[int, list[TargetPeriods]] = {}
    for pk, project in by_pk.items():
        result[pk] = []
        for target in targets[pk]:
            in_period = [actuals[pk][p.pk][target.indicator] for p in periods[pk]]
            rows = target_period_rows(
                project,
                target,
                periods[pk],
                in_period,
                milestones=milestones,
                approved=approved,
                narratives=narratives,
            )
            after = actuals[pk].get(None, {}).get(target.indicator)
            result[pk].append(
                TargetPeriods(
                    target=target,
                    rows=rows,
                    after_end=after.total if after else Decimal(0),
                    after_end_breakdown=after.as_json() if after else {},
                )
            )
    return result


def period_rows(project: Project, period: ReportingPeriod) -> list[tuple[TargetPeriods, PeriodRow]]:
    """Each target with its row for `period`."""
    return [
        (table, next(row for row in table.rows if row.period.pk == period.pk))
        for table in period_table(project)
    ]


# --- the records of a period ------------------------------------------------------------------


def period_bounds(period: ReportingPeriod) -> tuple[datetime.date | None, datetime.date]:
    """The dates a period's records fall between: after the previous period's end (from the very
    first record for the first period) up to its own end."""
    previous = (
        ReportingPeriod.objects.filter(project_id=period.project_id, end__lt=period.end)
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    return previous, period.end


def _dated_in(records: QuerySet, date_field: str, period: ReportingPeriod) -> QuerySet:
    after, until = period_bounds(period)
    records = records.filter(**{f"{date_field}__lte": until})
    return records.filter(**{f"{date_field}__gt": after}) if after else records


#: Each kind of counted record: its model, how it reaches its project, its own date.
RECORD_KINDS = {
    Indicator.BUSINESSES: (Business, "centre__project", "formed_on"),
    Indicator.YOUTH_JOBS: (Job, "business__centre__project", "start_date"),
    Indicator.REHABILITATED_AREA: (WorkRecord, "site__project", "date"),
}


def records_changed_after_approval(period: ReportingPeriod, indicator: str) -> QuerySet:
    """The records dated in an approved period that were verified, returned or changed since."""
    model, project_path, date_field = RECORD_KINDS[indicator]
    if period.approved_at is None:
        return model.objects.none()
    records = model.objects.filter(**{project_path: period.project_id})
    return (
        _dated_in(records, date_field, period)
        .filter(Q(updated_at__gt=period.approved_at) | Q(review_changed_at__gt=period.approved_at))
        .order_by(date_field, "pk")
    )


QUALITY_CHECKS = (
    "waiting",
    "sites_without_photo",
    "work_without_gps",
    "businesses_without_owner",
    "jobs_consent_withdrawn",
)


def quality_records(period: ReportingPeriod, check: str) -> list[QuerySet]:
    """The records behind one data-quality check of a period (one query set per kind)."""
    project = [period.project_id]
    waiting = [ReviewState.SUBMITTED, ReviewState.RETURNED]
    if check == "waiting":
        return [
            _dated_in(
                model.objects.filter(**{project_path: period.project_id}, review_state__in=waiting),
                date_field,
                period,
            ).order_by(date_field, "pk")
            for model, project_path, date_field in RECORD_KINDS.values()
        ]
    if check == "sites_without_photo":
        work = _dated_in(WorkRecord.objects.filter(site__project_id=period.project_id), "date", period)
        with_photo = work.exclude(photo="").values("site_id")
        return [
            RehabSite.objects.filter(pk__in=work.values("site_id"))
            .exclude(pk__in=with_photo)
            .order_by("name")
        ]
    if check == "work_without_gps":
        return [
            _dated_in(counted_work_records(project), "date", period)
            .filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
            .order_by("date", "pk")
        ]
    if check == "businesses_without_owner":
        # The owner's record was anonymised: the business counts, but no one is on file for it.
        return [
            _dated_in(counted_businesses(project), "formed_on", period)
            .filter(owner__anonymised_at__isnull=False)
            .order_by("formed_on", "pk")
        ]
    if check == "jobs_consent_withdrawn":
        return [
            _dated_in(jobs_with_age_at_start(project), "start_date", period)
            .filter(worker__consent_withdrawn_on__isnull=False)
            .order_by("start_date", "pk")
        ]
    raise KeyError(check)


def quality_counts(period: ReportingPeriod) -> dict[str, int]:
    """Each data-quality check of a period as a number."""
    return {
        check: sum(records.count() for records in quality_records(period, check)) for check in QUALITY_CHECKS
    }


def periods_by_project(projects: QuerySet[Project]) -> dict[int, list[ReportingPeriod]]:
    by_project: dict[int, list[ReportingPeriod]] = {}
    for period in ReportingPeriod.objects.filter(project__in=projects).order_by("project_id", "end"):
        by_project.setdefault(period.project_id, []).append(period)
    return by_project


def period_is_editable(period: ReportingPeriod) -> bool:
    """Narratives and milestones are written while the period is open."""
    return period.state == PeriodState.OPEN


def target_period_rows(
    project, target, periods: list, in_period: list, *, milestones: dict, approved: dict, narratives: dict
) -> list[PeriodRow]:
    """A target's row in each of `periods`, from its actual in each (`in_period`, as many) and the
    milestones, approved figures and narratives keyed by (target id, period id)."""
    running = progress.cumulative([actual.total for actual in in_period])
    return [
        PeriodRow(
            period=period,
            milestone=milestones.get((target.pk, period.pk)),
            straight_path=progress.expected_by(
                period.end, target.value, project.start_date, project.end_date
            ),
            live_in_period=actual.total,
            live_cumulative=total,
            live_breakdown=actual.as_json(),
            approved=approved.get((target.pk, period.pk)),
            narrative=narratives.get((target.pk, period.pk), ""),
        )
        for period, actual, total in zip(periods, in_period, running, strict=True)
    ]

"""Reads of the engine: the actual values behind progress, gathered by database aggregates.

`progress_actuals` is the only place that knows which records count. It runs three grouped
aggregate queries whatever the number of projects or records; the rows it loops over are
groups (project × neighbourhood × sex × age class), never records.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from enterprises.models import Business, Job
from programs.lookups import AnyOf
from programs.models import ReviewState, Target
from programs.rules import AGE_BANDS
from rehab.models import WorkRecord

from . import arithmetic as progress
from .models import ProgressSnapshot, ReportingPeriod
from .sql import AgeInYears, WidthBucket

__all__ = ["AgeInYears", "Aggregates", "WidthBucket", "actual_aggregates", "actuals_added_up"]

Indicator = Target.Indicator
COUNTED_BUSINESS_STATUSES = ("created", "operating")
DEFAULT_YOUTH_BAND = (15, 24)
#: `until_end` of the aggregates that keeps every record, grouped as dated after its project's end or not.
SPLIT_AT_END = "split"


def youth_bands_of(targets) -> dict[int, tuple[int, int]]:
    """Each project's youth band (the ages that count as youth), from its youth-jobs target among
    `targets`: what `progress_actuals` takes as `youth_bands`."""
    return {
        t.project_id: (t.youth_min_age, t.youth_max_age)
        for t in targets
        if t.indicator == Indicator.YOUTH_JOBS
    }


def age_class_edges(bands) -> list[int]:
    """The ages where a youth band or an age band begins or has ended: from one edge to the next,
    every age is inside or outside each of `bands` alike, and in the same age band."""
    bounds = [*bands, *AGE_BANDS]
    return sorted({low for low, _high in bounds} | {high + 1 for _low, high in bounds})


def age_on_start_annotations(start: str, birth: str) -> dict:
    """The annotation `age_expression()` reads, for callers that annotate the age in two steps."""
    return {"_age_on_start": AgeInYears(start, birth)}


def age_expression():
    return F("_age_on_start")


def counted_businesses(project_ids: list[int], *, as_of: datetime.date | None = None) -> QuerySet:
    """Businesses that count: verified, created or operating, in the projects' centres."""
    businesses = Business.objects.filter(
        AnyOf(F("centre__project_id"), list(project_ids)),
        review_state=ReviewState.VERIFIED,
        status__in=COUNTED_BUSINESS_STATUSES,
    )
    return businesses.filter(formed_on__lte=as_of) if as_of else businesses


def jobs_with_age_at_start(project_ids: list[int], *, as_of: datetime.date | None = None) -> QuerySet:
    """Verified jobs of the projects' businesses, annotated with the worker's `age` at start:
    from the worker's date of birth, or, once the worker was anonymised (the date of birth
    removed), from the age kept on the job at anonymisation (`Job.worker_age_at_start`)."""
    jobs = Job.objects.filter(
        AnyOf(F("business__centre__project_id"), list(project_ids)),
        review_state=ReviewState.VERIFIED,
    ).filter(Q(worker__date_of_birth__isnull=False) | Q(worker_age_at_start__isnull=False))
    if as_of:
        jobs = jobs.filter(start_date__lte=as_of)
    return jobs.annotate(
        age=Coalesce(
            AgeInYears("start_date", "worker__date_of_birth"),
            "worker_age_at_start",
            output_field=IntegerField(),
        )
    )


def counted_youth_jobs(project_id: int, youth_band: tuple[int, int] = DEFAULT_YOUTH_BAND) -> QuerySet:
    """The youth jobs that make one project's figure (for drill-down lists and exports)."""
    low, high = youth_band
    return jobs_with_age_at_start([project_id]).filter(age__gte=low, age__lte=high)


def counted_work_records(project_ids: list[int], *, as_of: datetime.date | None = None) -> QuerySet:
    """Verified work records on the projects' sites."""
    records = WorkRecord.objects.filter(
        AnyOf(F("site__project_id"), list(project_ids)), review_state=ReviewState.VERIFIED
    )
    return records.filter(date__lte=as_of) if as_of else records


def _period_of(project_path: str, date_field: str) -> Subquery:
    """The reporting period a record falls in: its project's first period ending on or after the
    record's own date (NULL after the last period's end). One correlated lookup per row, grouped
    by in the same aggregate query."""
    return Subquery(
        ReportingPeriod.objects.filter(project_id=OuterRef(project_path), end__gte=OuterRef(date_field))
        .order_by("end")
        .values("pk")[:1]
    )


def _grouped(
    records: QuerySet, project_path: str, date_field: str, *, by_period: bool, until_end: bool | None | str
):
    """`records` with what the grouping needs: the period of each (when by period), and only those
    dated on or before their project's end (`until_end`: the final result of an ended project), or
    only those dated after it (`until_end=None`: shown apart), or all of them marked as dated after
    it or not (`SPLIT_AT_END`: both in one pass)."""
    end = F(project_path.replace("_id", "__end_date"))
    if until_end == SPLIT_AT_END:
        records = records.annotate(
            _late=Case(
                When(**{f"{date_field}__gt": end}, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    elif until_end:
        records = records.filter(**{f"{date_field}__lte": end})
    elif until_end is None:
        records = records.filter(**{f"{date_field}__gt": end})
    if by_period:
        records = records.annotate(_period=_period_of(project_path, date_field))
    return records


def progress_actuals(
    project_ids: list[int],
    *,
    youth_bands: dict[int, tuple[int, int]] | None = None,
    as_of: datetime.date | None = None,
    by_period: bool = False,
    until_end: bool | None = False,
) -> dict:
    """Actual values of the three indicators for each project, with their breakdowns.

    Only verified records count. `as_of` limits to records dated on or before that day
    (for a trend rebuilt from the records' own dates); `until_end` to records dated on or before
    their project's end date (an ended project's final result), `until_end=None` to those dated
    after it (shown apart, never counted).

    `by_period`: the same aggregates grouped by reporting period too, as
    {project: {period id: {indicator: Actual}}}, with every period of the project (zero when
    nothing is dated in it) and `None` for records dated after the last period's end. The periods'
    actuals add up to the whole project's.
    """
    if by_period:
        rows = _actuals(project_ids, youth_bands, as_of, by_period=True, until_end=until_end)
        periods: dict[int, list[int]] = defaultdict(list)
        for project_id, pk in ReportingPeriod.objects.filter(
            AnyOf(F("project_id"), list(project_ids))
        ).values_list("project_id", "pk"):
            periods[project_id].append(pk)
        result: dict[int, dict[int | None, dict[str, progress.Actual]]] = {}
        for project_id in project_ids:
            keys = [*periods.get(project_id, []), None]
            result[project_id] = {
                key: rows.get((project_id, key)) or _zero_actuals()
                for key in keys
                if key is not None or (project_id, None) in rows
            }
        return result
    rows = _actuals(project_ids, youth_bands, as_of, by_period=False, until_end=until_end)
    return {project_id: rows.get(project_id) or _zero_actuals() for project_id in project_ids}


def progress_actuals_and_after_end(
    project_ids: list[int], *, youth_bands: dict[int, tuple[int, int]] | None = None
) -> tuple[dict, dict]:
    """In one pass of the three aggregates: each project's actual values counting the records
    dated on or before its end date (for a project not ended, every record: none is dated after
    today), and, for the projects with records dated after their end, what those would add
    (shown apart, never counted). What a recompute needs, at the cost of `progress_actuals`."""
    rows = _actuals(project_ids, youth_bands, None, by_period=False, until_end=SPLIT_AT_END)
    counted = {pk: rows.get((pk, False)) or _zero_actuals() for pk in project_ids}
    after_end = {pk: rows[pk, True] for pk in project_ids if (pk, True) in rows}
    return counted, after_end


def _zero_actuals() -> dict[str, progress.Actual]:
    return {indicator: progress.Actual() for indicator in Indicator.values}


def _actuals(project_ids, youth_bands, as_of, *, by_period: bool, until_end: bool) -> dict:
    """The aggregates, keyed by project (or by (project, period) when `by_period`)."""
    youth_bands = youth_bands or {}
    found = actual_aggregates(
        project_ids, youth_bands=youth_bands, as_of=as_of, by_period=by_period, until_end=until_end
    )
    return actuals_added_up(
        found.businesses, found.jobs, found.area, youth_bands=youth_bands, edges=found.edges
    )


@dataclass(frozen=True)
class Aggregates:
    """The three grouped aggregate queries the actual values are added up from (`actuals_added_up`),
    and the age-class edges their job rows are grouped by. Rows: (project id, neighbourhood, sex,
    *extra, count) of businesses; (project id, neighbourhood, sex, age class, *extra, count) of
    jobs; (project id, neighbourhood, kind of structure, *extra, m²) of work, where *extra is the
    period id (`by_period`) or whether dated after the project's end (`SPLIT_AT_END`)."""

    businesses: QuerySet
    jobs: QuerySet
    area: QuerySet
    edges: list[int]


def actual_aggregates(
    project_ids: list[int],
    *,
    youth_bands: dict[int, tuple[int, int]],
    as_of: datetime.date | None = None,
    by_period: bool = False,
    until_end: bool | None | str = False,
) -> Aggregates:
    """The queries behind `progress_actuals`, not yet run: a caller that streams many projects (the
    IATI file) orders them by project and adds up each project's rows with `actuals_added_up`."""
    extra = ("_period",) if by_period else ("_late",) if until_end == SPLIT_AT_END else ()
    grouping = {"by_period": by_period, "until_end": until_end}
    businesses = (
        _grouped(counted_businesses(project_ids, as_of=as_of), "centre__project_id", "formed_on", **grouping)
        .values_list("centre__project_id", "neighbourhood__name", "owner__sex", *extra)
        .annotate(n=Count("id"))
    )
    # Grouped by age class, not by age: a few rows per project, neighbourhood and sex instead of
    # one per age (4,000 rather than 32,667 at 1,000 projects), none for ages outside every band.
    project_bands = {youth_bands.get(project_id, DEFAULT_YOUTH_BAND) for project_id in project_ids}
    edges = age_class_edges(project_bands)
    jobs = _grouped(
        jobs_with_age_at_start(project_ids, as_of=as_of),
        "business__centre__project_id",
        "start_date",
        **grouping,
    )
    if project_bands:
        jobs = jobs.filter(
            age__gte=min(low for low, _high in project_bands),
            age__lte=max(high for _low, high in project_bands),
        )
    jobs = (
        jobs.annotate(age_class=WidthBucket("age", edges))
        .values_list(
            "business__centre__project_id",
            "business__neighbourhood__name",
            "worker__sex",
            "age_class",
            *extra,
        )
        .annotate(n=Count("id"))
    )
    area = (
        _grouped(counted_work_records(project_ids, as_of=as_of), "site__project_id", "date", **grouping)
        .values_list("site__project_id", "site__neighbourhood__name", "site__kind", *extra)
        .annotate(m2=Sum("completed_area_m2"))
    )
    return Aggregates(businesses, jobs, area, edges)


def actuals_added_up(businesses_rows, jobs_rows, area_rows, *, youth_bands: dict, edges: list[int]) -> dict:
    """The actual values from rows of the three aggregates (`Aggregates`), keyed by project, or by
    (project, *extra) when the rows carry extra keys: the one place that adds them up."""
    # Thousands of groups pass through here, so each costs a few additions to plain dicts keyed by
    # (project, key), one per indicator and dimension; the Decimals and nested breakdowns are made
    # once at the end.
    totals: dict[tuple[int, str], int | Decimal] = defaultdict(int)
    sums: dict[tuple[str, str], dict[tuple[int, str], int | Decimal]] = defaultdict(lambda: defaultdict(int))
    # Plain strings: quicker dictionary keys than the enum members.
    businesses, youth_jobs, area = (
        Indicator.BUSINESSES.value,
        Indicator.YOUTH_JOBS.value,
        Indicator.REHABILITATED_AREA.value,
    )

    by_hood, by_sex = sums[businesses, "neighbourhood"], sums[businesses, "sex"]
    for project_id, hood, sex, *period, n in businesses_rows:
        project_id = (project_id, *period) if period else project_id
        totals[project_id, businesses] += n
        by_hood[project_id, hood] += n
        by_sex[project_id, sex] += n

    by_hood, by_sex = sums[youth_jobs, "neighbourhood"], sums[youth_jobs, "sex"]
    by_band = sums[youth_jobs, "age_band"]
    labels: dict[tuple, str | None] = {}  # (age class, band) -> its age band label; None: not counted
    for project_id, hood, sex, age_class, *period, n in jobs_rows:
        band = youth_bands.get(project_id, DEFAULT_YOUTH_BAND)
        project_id = (project_id, *period) if period else project_id
        if (key := (age_class, band)) not in labels:
            labels[key] = _age_band_label(edges, age_class, band)
        if (label := labels[key]) is None:
            continue
        totals[project_id, youth_jobs] += n
        by_hood[project_id, hood] += n
        by_sex[project_id, sex] += n
        by_band[project_id, label] += n

    by_hood, by_kind = sums[area, "neighbourhood"], sums[area, "kind"]
    for project_id, hood, kind, *period, m2 in area_rows:
        project_id = (project_id, *period) if period else project_id
        totals[project_id, area] += m2
        by_hood[project_id, hood] += m2
        by_kind[project_id, kind] += m2

    breakdowns: dict[tuple[int, str], dict[str, dict[str, Decimal]]] = defaultdict(dict)
    for (indicator, dimension), values in sums.items():
        for (project_id, key), value in values.items():
            breakdowns[project_id, indicator].setdefault(dimension, {})[key] = Decimal(value)
    keys = {key for key, _indicator in totals} | {key for key, _indicator in breakdowns}
    return {
        key: {
            indicator: progress.Actual(
                total=Decimal(totals.get((key, indicator), 0)),
                breakdown=breakdowns.get((key, indicator), {}),
            )
            for indicator in (businesses, youth_jobs, area)
        }
        for key in keys
    }


def _age_band_label(edges: list[int], age_class: int, band: tuple[int, int]) -> str | None:
    """The age band label of the ages of `age_class` (see `WidthBucket`), None outside `band`."""
    if not 1 <= age_class < len(edges):
        return None
    age, (low, high) = edges[age_class - 1], band
    if not low <= age <= high:
        return None
    return progress.age_band(age) or f"{low}–{high}"


def latest_snapshots(targets: QuerySet[Target] | None = None) -> QuerySet[ProgressSnapshot]:
    """The newest snapshot of each target (of all targets when None), in one query."""
    targets = Target.objects.all() if targets is None else targets
    newest = ProgressSnapshot.objects.filter(target=OuterRef("pk")).order_by("-as_of").values("pk")[:1]
    return (
        ProgressSnapshot.objects.filter(pk__in=targets.values(latest=Subquery(newest)))
        .select_related("target__project")
        .order_by("target__project_id", "target__indicator")
    )

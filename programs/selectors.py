"""Reads of the programme: the actual values behind progress, gathered by database aggregates.

`progress_actuals` is the only place that knows which records count. It runs three grouped
aggregate queries whatever the number of projects or records; the rows it loops over are
groups (project × neighbourhood × sex × age), never records.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from . import progress
from .models import ProgressSnapshot, ReviewState, Target

Indicator = Target.Indicator
COUNTED_BUSINESS_STATUSES = ("created", "operating")
DEFAULT_YOUTH_BAND = (15, 24)


def age_on_start_annotations(start: str, birth: str) -> dict:
    """Annotations giving the age in completed years on `start` of someone born on `birth`.

    Portable across PostgreSQL and SQLite: year difference, minus one before the birthday.
    """
    return {
        "_start_y": ExtractYear(start),
        "_start_m": ExtractMonth(start),
        "_start_d": ExtractDay(start),
        "_birth_y": ExtractYear(birth),
        "_birth_m": ExtractMonth(birth),
        "_birth_d": ExtractDay(birth),
    }


def age_expression():
    before_birthday = Case(
        When(
            Q(_start_m__lt=F("_birth_m")) | Q(_start_m=F("_birth_m"), _start_d__lt=F("_birth_d")),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return F("_start_y") - F("_birth_y") - before_birthday


def counted_businesses(project_ids: list[int], *, as_of: datetime.date | None = None) -> QuerySet:
    """Businesses that count: verified, created or operating, in the projects' centres."""
    from enterprises.models import Business

    businesses = Business.objects.filter(
        centre__project_id__in=project_ids,
        review_state=ReviewState.VERIFIED,
        status__in=COUNTED_BUSINESS_STATUSES,
    )
    return businesses.filter(formed_on__lte=as_of) if as_of else businesses


def jobs_with_age_at_start(project_ids: list[int], *, as_of: datetime.date | None = None) -> QuerySet:
    """Verified jobs of the projects' businesses, annotated with the worker's `age` at start:
    from the worker's date of birth, or, once the worker was anonymised (the date of birth
    removed), from the age kept on the job at anonymisation (`Job.worker_age_at_start`)."""
    from enterprises.models import Job

    jobs = Job.objects.filter(
        business__centre__project_id__in=project_ids,
        review_state=ReviewState.VERIFIED,
    ).filter(Q(worker__date_of_birth__isnull=False) | Q(worker_age_at_start__isnull=False))
    if as_of:
        jobs = jobs.filter(start_date__lte=as_of)
    jobs = jobs.annotate(**age_on_start_annotations("start_date", "worker__date_of_birth"))
    return jobs.annotate(age=Coalesce(age_expression(), "worker_age_at_start", output_field=IntegerField()))


def counted_youth_jobs(project_id: int, youth_band: tuple[int, int] = DEFAULT_YOUTH_BAND) -> QuerySet:
    """The youth jobs that make one project's figure (for drill-down lists and exports)."""
    low, high = youth_band
    return jobs_with_age_at_start([project_id]).filter(age__gte=low, age__lte=high)


def counted_work_records(project_ids: list[int], *, as_of: datetime.date | None = None) -> QuerySet:
    """Verified work records on the projects' sites."""
    from rehab.models import WorkRecord

    records = WorkRecord.objects.filter(site__project_id__in=project_ids, review_state=ReviewState.VERIFIED)
    return records.filter(date__lte=as_of) if as_of else records


def progress_actuals(
    project_ids: list[int],
    *,
    youth_bands: dict[int, tuple[int, int]] | None = None,
    as_of: datetime.date | None = None,
) -> dict[int, dict[str, progress.Actual]]:
    """Actual values of the three indicators for each project, with their breakdowns.

    Only verified records count. `as_of` limits to records dated on or before that day
    (for a trend rebuilt from the records' own dates).
    """
    youth_bands = youth_bands or {}
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    breakdowns: dict[int, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))

    businesses = counted_businesses(project_ids, as_of=as_of)
    for row in businesses.values("centre__project_id", "neighbourhood__name", "owner__sex").annotate(
        n=Count("id")
    ):
        project_id, n = row["centre__project_id"], Decimal(row["n"])
        totals[project_id][Indicator.BUSINESSES] += n
        part = breakdowns[project_id][Indicator.BUSINESSES]
        progress.add_to(part, "neighbourhood", row["neighbourhood__name"], n)
        progress.add_to(part, "sex", row["owner__sex"], n)

    jobs = jobs_with_age_at_start(project_ids, as_of=as_of)
    for row in jobs.values(
        "business__centre__project_id", "business__neighbourhood__name", "worker__sex", "age"
    ).annotate(n=Count("id")):
        project_id, n, age = row["business__centre__project_id"], Decimal(row["n"]), row["age"]
        low, high = youth_bands.get(project_id, DEFAULT_YOUTH_BAND)
        if not low <= age <= high:
            continue
        totals[project_id][Indicator.YOUTH_JOBS] += n
        part = breakdowns[project_id][Indicator.YOUTH_JOBS]
        progress.add_to(part, "neighbourhood", row["business__neighbourhood__name"], n)
        progress.add_to(part, "sex", row["worker__sex"], n)
        progress.add_to(part, "age_band", progress.age_band(age) or f"{low}–{high}", n)

    records = counted_work_records(project_ids, as_of=as_of)
    for row in records.values("site__project_id", "site__neighbourhood__name", "site__kind").annotate(
        area=Sum("completed_area_m2")
    ):
        project_id, area = row["site__project_id"], row["area"]
        totals[project_id][Indicator.REHABILITATED_AREA] += area
        part = breakdowns[project_id][Indicator.REHABILITATED_AREA]
        progress.add_to(part, "neighbourhood", row["site__neighbourhood__name"], area)
        progress.add_to(part, "kind", row["site__kind"], area)

    return {
        project_id: {
            indicator: progress.Actual(
                total=totals[project_id][indicator],
                breakdown=dict(breakdowns[project_id][indicator]),
            )
            for indicator in Indicator.values
        }
        for project_id in project_ids
    }


def latest_snapshots(targets: QuerySet[Target] | None = None) -> QuerySet[ProgressSnapshot]:
    """The newest snapshot of each target (of all targets when None), in one query."""
    targets = Target.objects.all() if targets is None else targets
    newest = ProgressSnapshot.objects.filter(target=OuterRef("pk")).order_by("-as_of").values("pk")[:1]
    return (
        ProgressSnapshot.objects.filter(pk__in=targets.values(latest=Subquery(newest)))
        .select_related("target__project")
        .order_by("target__project_id", "target__indicator")
    )

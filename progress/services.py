"""Writes of the engine: the progress snapshots, recomputed from the counted records.

A field write sends `programs.signals.progress_changed`; `progress.staleness` marks the project
stale and queues the recompute after commit; the task runs `progress_recompute`, which stores the
snapshots that pages read.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, namedtuple
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from programs.bulk import copy_columns, rows_copy
from programs.lookups import AnyOf
from programs.memory import cycle_collector_paused
from programs.models import Project, Target

from . import arithmetic as progress
from .models import ProgressSnapshot
from .period_services import reporting_periods_ensure
from .selectors import progress_actuals, progress_actuals_and_after_end, youth_bands_of

#: The breakdown key of what records dated after an ended project's end would add (not counted).
AFTER_END = "after_end"

#: What a recompute reads of each target.
TARGET_FIELDS = ("pk", "project_id", "indicator", "value", "youth_min_age", "youth_max_age")

#: A snapshot as it is written (`programs.bulk.rows_copy`) and returned: the fields of
#: `ProgressSnapshot` but its id.
SnapshotRow = namedtuple("SnapshotRow", copy_columns(ProgressSnapshot))


def progress_recompute(
    *, project_ids: Iterable[int] | None = None, reason: str = "change"
) -> list[SnapshotRow]:
    """Recompute the progress of projects (all when None) and store the snapshots that changed;
    returns them as written.

    Idempotent: when nothing changed since today's latest snapshot, nothing is written.
    """
    now = timezone.now()
    zone = timezone.get_current_timezone()
    today = now.astimezone(zone).date()
    with cycle_collector_paused(), transaction.atomic():
        locked = Project.objects.select_for_update().order_by("pk")
        if project_ids is not None:
            locked = locked.filter(pk__in=list(project_ids))
        # Each project's (start, end): all the arithmetic needs of it.
        projects = {pk: (start, end) for pk, start, end in locked.values_list("pk", "start_date", "end_date")}
        Project.objects.filter(AnyOf(F("pk"), list(projects)), progress_stale_since__isnull=False).update(
            progress_stale_since=None
        )
        reporting_periods_ensure(project_ids=list(projects))
        # Plain rows: the fields the arithmetic reads (3,000 model instances cost a tenth of a
        # recompute of every project).
        targets = list(
            Target.objects.filter(AnyOf(F("project_id"), list(projects))).values_list(
                *TARGET_FIELDS, named=True
            )
        )
        # An ended project's final result counts only what is dated up to its end date; what its
        # records dated after the end would add is shown apart. Both from one pass.
        actuals, after_end = progress_actuals_and_after_end(
            list(projects), youth_bands=youth_bands_of(targets)
        )
        # Each target's actual value and breakdown as stored: what is compared and written.
        current = {}
        for target in targets:
            actual = actuals[target.project_id][target.indicator]
            breakdown = actual.as_json()
            late = after_end.get(target.project_id, {}).get(target.indicator)
            if late is not None and late.total:
                breakdown[AFTER_END] = {"total": str(late.total)}
            current[target.pk] = (actual.total, breakdown)
        history, unchanged = _snapshot_history(
            targets, current, since=now - progress.PACE_WINDOW, today=today
        )
        snapshots = [
            _snapshot(
                target,
                projects[target.project_id],
                *current[target.pk],
                history[target.pk],
                now,
                reason,
                today=today,
            )
            for target in targets
            if target.pk not in unchanged
        ]
        rows_copy(ProgressSnapshot, SnapshotRow._fields, snapshots)
    return snapshots


def _snapshot_history(targets, current, *, since, today):
    """Each target's history since `since`, and the targets whose latest snapshot is from `today`
    and still holds their `current` (actual, breakdown) and target value: nothing to write.

    The history (ordered by time, newest last) already holds each target's latest snapshot when it
    is from today, so only those candidates' breakdowns are read, by id, to be compared.
    """
    zone = timezone.get_current_timezone()
    by_pk = {t.pk: t for t in targets}
    history: dict[int, list[progress.HistoryPoint]] = defaultdict(list)
    newest = {}
    for row in (
        ProgressSnapshot.objects.filter(AnyOf(F("target_id"), list(by_pk)), as_of__gte=since)
        .order_by("as_of", "pk")
        .values_list("target_id", "pk", "as_of", "actual", "target_value")
    ):
        history[row[0]].append(progress.HistoryPoint(row[2].astimezone(zone).date(), row[3]))
        newest[row[0]] = row
    candidates = {
        pk: target_id
        for target_id, pk, as_of, actual, target_value in newest.values()
        if as_of.astimezone(zone).date() == today
        and actual == current[target_id][0]
        and target_value == by_pk[target_id].value
    }
    unchanged = set()
    if candidates:
        # No ordering: the model's (by target, which orders by project) joins two tables for nothing.
        for pk, breakdown in (
            ProgressSnapshot.objects.filter(pk__in=list(candidates)).order_by().values_list("pk", "breakdown")
        ):
            if breakdown == current[candidates[pk]][1]:
                unchanged.add(candidates[pk])
    return history, unchanged


def _snapshot(target, dates, actual, breakdown, history, moment, reason, *, today) -> SnapshotRow:
    """The snapshot of `target` at `moment`; `dates` are its project's (start, end)."""
    start, end = dates
    result = progress.progress(
        actual=actual,
        target=target.value,
        history=history,
        today=today,
        start=start,
        end=end,
    )
    return SnapshotRow(
        target_id=target.pk,
        as_of=moment,
        actual=actual,
        target_value=target.value,
        percent=result.percent,
        remaining=result.remaining,
        expected_by_now=result.expected_by_now,
        forecast_date=result.forecast_date,
        status=result.status.value,
        breakdown=breakdown,
        reason=reason,
    )


def progress_backfill(*, project_id: int) -> int:
    """Rebuild a monthly trend from the records' own dates (for data entered after the fact).

    One snapshot per target at each month's end from the project's start to today, unless a
    snapshot already exists at that moment. Returns the number of snapshots written.
    """
    project = Project.objects.get(pk=project_id)
    targets = list(project.targets.all())
    today = timezone.localdate()
    existing = set(ProgressSnapshot.objects.filter(target__in=targets).values_list("target_id", "as_of"))
    history: dict[int, list[progress.HistoryPoint]] = defaultdict(list)
    written = []
    bands = youth_bands_of(targets)
    for month_end in _month_ends(project.start_date, min(today, project.end_date)):
        moment = timezone.make_aware(datetime.datetime.combine(month_end, datetime.time(23, 59)))
        actuals = progress_actuals([project.pk], youth_bands=bands, as_of=month_end)[project.pk]
        for target in targets:
            actual = actuals[target.indicator]
            snapshot = _snapshot(
                target,
                (project.start_date, project.end_date),
                actual.total,
                actual.as_json(),
                history[target.pk],
                moment,
                "backfill",
                today=month_end,
            )
            history[target.pk].append(progress.HistoryPoint(month_end, actual.total))
            if (target.pk, moment) not in existing:
                written.append(snapshot)
    rows_copy(ProgressSnapshot, SnapshotRow._fields, written)
    return len(written)


def _month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    year, month = start.year, start.month
    while True:
        first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
        month_end = first_of_next - datetime.timedelta(days=1)
        if month_end > end:
            return days
        days.append(month_end)
        year, month = first_of_next.year, first_of_next.month

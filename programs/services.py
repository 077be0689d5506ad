"""Writes of the programme: progress snapshots and review-state changes.

Progress flows one way: a field write calls `progress_mark_stale` in its transaction; after
commit a Celery task runs `progress_recompute`, which stores snapshots that pages read.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, progress
from .bulk import rows_copy
from .db_rules import database_rule_error
from .lookups import AnyOf
from .models import (
    FormSubmission,
    ProgressSnapshot,
    Project,
    ReviewedRecord,
    ReviewEvent,
    ReviewState,
    Target,
)
from .selectors import progress_actuals

logger = logging.getLogger(__name__)

#: Allowed review transitions: who may make them is checked by the caller's permission layer.
REVIEW_TRANSITIONS = {
    ReviewState.DRAFT: {ReviewState.SUBMITTED},
    ReviewState.SUBMITTED: {ReviewState.VERIFIED, ReviewState.RETURNED, ReviewState.DRAFT},
    ReviewState.RETURNED: {ReviewState.SUBMITTED, ReviewState.DRAFT},
    ReviewState.VERIFIED: {ReviewState.RETURNED},
}


def progress_mark_stale(*, project_id: int) -> None:
    """Mark a project's progress stale and queue one recompute after commit.

    The project row is locked until the caller's transaction commits, so a recompute that is
    running waits for this write and counts it; a burst of writes queues one recompute, since
    only the write that finds the project fresh queues one.
    """
    with transaction.atomic():
        stale_since = (
            Project.objects.select_for_update()
            .filter(pk=project_id)
            .values_list("progress_stale_since", flat=True)
            .first()
        )
        if stale_since is not None:
            return
        Project.objects.filter(pk=project_id).update(progress_stale_since=timezone.now())
        transaction.on_commit(lambda: progress_queue_recompute(project_id=project_id))


def progress_queue_recompute(*, project_id: int) -> bool:
    """Send the recompute task; if the broker is down, log it and leave it to the catch-up."""
    from .tasks import recompute_project_progress

    try:
        recompute_project_progress.apply_async(
            args=[project_id], countdown=settings.PROGRESS_COALESCE_SECONDS, retry=False
        )
    except Exception:  # kombu.OperationalError, redis.ConnectionError, OSError: broker down
        logger.warning(
            "Could not queue the progress recompute of project %s; the catch-up will do it.",
            project_id,
            exc_info=True,
        )
        return False
    return True


def progress_recompute(
    *, project_ids: Iterable[int] | None = None, reason: str = "change"
) -> list[ProgressSnapshot]:
    """Recompute the progress of projects (all when None) and store the snapshots that changed.

    Idempotent: when nothing changed since today's latest snapshot, nothing is written.
    """
    now = timezone.now()
    zone = timezone.get_current_timezone()
    today = now.astimezone(zone).date()
    with _cycle_collector_paused(), transaction.atomic():
        locked = Project.objects.select_for_update().order_by("pk")
        if project_ids is not None:
            locked = locked.filter(pk__in=list(project_ids))
        # Each project's (start, end): all the arithmetic needs of it.
        projects = {pk: (start, end) for pk, start, end in locked.values_list("pk", "start_date", "end_date")}
        Project.objects.filter(AnyOf(F("pk"), list(projects)), progress_stale_since__isnull=False).update(
            progress_stale_since=None
        )
        targets = list(Target.objects.filter(AnyOf(F("project_id"), list(projects))))
        actuals = progress_actuals(
            list(projects),
            youth_bands=_youth_bands(targets),
        )
        # Each target's actual value and breakdown as stored: what is compared and written.
        current = {}
        for target in targets:
            actual = actuals[target.project_id][target.indicator]
            current[target.pk] = (actual.total, actual.as_json())
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
        rows_copy(ProgressSnapshot, snapshots)
    return snapshots


@contextlib.contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector for a recompute (when it runs), then let it run again.

    A recompute of every project keeps some 50,000 objects (targets, actual values, breakdowns,
    snapshots) until its bulk insert, and their number sets off two or three full passes of the
    collector over the whole heap: 0.2-0.3 s of a 1.5 s recompute of 1,000 projects (measured).
    They hold no reference cycles, so reference counting frees them all the same.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _youth_bands(targets: list[Target]) -> dict[int, tuple[int, int]]:
    """Each project's youth band, from its youth-jobs target."""
    return {
        t.project_id: (t.youth_min_age, t.youth_max_age)
        for t in targets
        if t.indicator == Target.Indicator.YOUTH_JOBS
    }


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
        for pk, breakdown in ProgressSnapshot.objects.filter(pk__in=list(candidates)).values_list(
            "pk", "breakdown"
        ):
            if breakdown == current[candidates[pk]][1]:
                unchanged.add(candidates[pk])
    return history, unchanged


def _snapshot(target, dates, actual, breakdown, history, moment, reason, *, today) -> ProgressSnapshot:
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
    return ProgressSnapshot(
        target=target,
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
    bands = _youth_bands(targets)
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
    rows_copy(ProgressSnapshot, written)
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


def review_set_state(*, record: ReviewedRecord, to_state: str, by, comment: str = "") -> ReviewEvent:
    """Move a field record to another review state, keeping who, when and why."""
    from_state = record.review_state
    if to_state not in REVIEW_TRANSITIONS.get(from_state, set()):
        raise ValidationError(
            {
                "review_state": _("A record cannot go from %(from)s to %(to)s.")
                % {"from": ReviewState(from_state).label, "to": ReviewState(to_state).label}
            }
        )
    if to_state == ReviewState.RETURNED and not comment.strip():
        raise ValidationError({"comment": _("Say why the record is returned.")})
    with transaction.atomic():
        record.review_state = to_state
        record.review_changed_by = by
        record.review_changed_at = timezone.now()
        record.full_clean()
        record.save(update_fields=["review_state", "review_changed_by", "review_changed_at", "updated_at"])
        event = ReviewEvent.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            from_state=from_state,
            to_state=to_state,
            by=by,
            at=record.review_changed_at,
            comment=comment.strip(),
        )
        progress_mark_stale(project_id=record.progress_project_id)
    return event


class FieldAccessDenied(PermissionError):
    """The user may not record in that neighbourhood (views answer 404 or a field message)."""


def field_record_save(
    *,
    record: ReviewedRecord,
    by,
    submit: bool,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    after_save: Callable[[ReviewedRecord], None] | None = None,
) -> ReviewedRecord:
    """Save a field record as a draft or submit it, for the field staff of its neighbourhood.

    Validates with `full_clean()` (nothing is saved when a rule fails), records the change of
    review state, and saves once per form `token`: a double-submitted form returns the record
    the first submit saved. `after_save` saves what belongs to the record (priorities, selections)
    in the same transaction. With `version` (the `updated_at` the editor saw), a save over a
    change made meanwhile by someone else is refused.
    """
    if not access.may_enter_field_data(by):
        raise FieldAccessDenied(_("Only field staff record field data."))
    if record.pk and record.review_state == ReviewState.VERIFIED:
        raise ValidationError(_("A verified record can no longer be changed."))
    if token is not None:
        earlier = FormSubmission.objects.filter(token=token).first()
        if earlier is not None:
            return earlier.record
    if not access.neighbourhood_allowed(by, access.neighbourhood_id_of(record)):
        raise ValidationError(_("You can only record data in your own neighbourhoods."))
    content_type = ContentType.objects.get_for_model(record)
    try:
        with transaction.atomic():
            # The token is claimed first: a concurrent double submit waits here, then fails.
            submission = None
            if token is not None:
                submission = FormSubmission.objects.create(
                    token=token, user=by, content_type=content_type, object_id=0
                )
            if record.pk and version is not None:
                current = type(record).objects.select_for_update().values_list("updated_at", flat=True)
                if current.get(pk=record.pk) != version:
                    raise ValidationError(
                        _(
                            "Someone else changed this record while you were editing it. Reload it to see "
                            "their change, then make yours again."
                        )
                    )
            from_state = record.review_state if record.pk else ""
            to_state = ReviewState.SUBMITTED if submit else ReviewState.DRAFT
            if record.pk is None:
                record.created_by = by
            record.review_state = to_state
            if to_state != from_state:
                record.review_changed_by = by
                record.review_changed_at = timezone.now()
            record.full_clean()
            record.save()
            if after_save is not None:
                after_save(record)
            if to_state != from_state:
                ReviewEvent.objects.create(
                    content_type=content_type,
                    object_id=record.pk,
                    from_state=from_state,
                    to_state=to_state,
                    by=by,
                    at=record.review_changed_at,
                )
            if submission is not None:
                submission.object_id = record.pk
                submission.save(update_fields=["object_id"])
    except IntegrityError as error:
        if token is not None and (earlier := FormSubmission.objects.filter(token=token).first()):
            return earlier.record
        raise database_rule_error(error) from error
    return record


def audit_access(*, user, action: str, what: str, path: str = "") -> None:
    """Write who saw or exported what: never the personal data itself, only what it belongs to."""
    from .models import AccessAudit

    AccessAudit.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "anonymous",
        action=action,
        what=what[:200],
        path=path[:300],
    )

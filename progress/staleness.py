"""A project's progress marked stale by a write, and one recompute queued after its commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from programs.models import Project

from .tasks import recompute_project_progress

logger = logging.getLogger(__name__)


def on_progress_changed(sender, *, project_ids: Iterable[int], **kwargs) -> None:
    """Receiver of `programs.signals.progress_changed`: every door's write ends here."""
    for project_id in sorted(set(project_ids)):
        progress_mark_stale(project_id=project_id)


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

"""Celery tasks: thin wrappers that take ids and call `progress.services`."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from programs.models import Project

from .services import progress_recompute

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def recompute_project_progress(project_id: int) -> int:
    """Recompute one project's progress; returns the number of snapshots written."""
    return len(progress_recompute(project_ids=[project_id], reason="change"))


@shared_task(**RETRY)
def snapshot_all_projects() -> int:
    """The daily snapshot of every project (kept even when nothing changed that day)."""
    return len(progress_recompute(project_ids=None, reason="daily"))


@shared_task(**RETRY)
def catch_up_progress() -> list[int]:
    """Recompute projects whose records changed and whose recompute never ran."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.PROGRESS_CATCH_UP_SECONDS)
    project_ids = list(Project.objects.filter(progress_stale_since__lte=cutoff).values_list("pk", flat=True))
    if project_ids:
        progress_recompute(project_ids=project_ids, reason="catch-up")
    return project_ids

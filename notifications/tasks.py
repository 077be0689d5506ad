"""Celery tasks: thin wrappers around `deliveries.notify`. Each is idempotent: the claims'
UNIQUE constraint makes a second run, a second beat or a retry send nothing more."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from .deliveries import notify

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="notifications.tasks.send_due_notifications", **RETRY)
def send_due_notifications() -> int:
    """The daily run: claim and send every digest and reminder due today; returns mails sent."""
    return sum(outcome.status == "sent" for outcome in notify())


@shared_task(name="notifications.tasks.retry_pending_notifications", **RETRY)
def retry_pending_notifications() -> int:
    """The catch-up: send the claims an earlier run could not (mail server down), and the due
    ones a lost run never claimed (the broker was down at the daily time) once that time passed."""
    claim = timezone.localtime().hour >= settings.NOTIFICATIONS_DIGEST_HOUR
    return sum(outcome.status == "sent" for outcome in notify(claim=claim))

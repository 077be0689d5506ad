"""Celery tasks of the reports: thin wrappers that take ids and call `reports.services`."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from .services import approved_pdf_keep


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=8,
)
def keep_approved_pdf(period_id: int, language: str) -> bool:
    """Prepare and keep an approved period's PDF (a large project's takes a while); True when kept
    now, False when it was kept already or the period was re-opened meanwhile."""
    return approved_pdf_keep(period_id=period_id, language=language)

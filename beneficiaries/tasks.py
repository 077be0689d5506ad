"""Celery tasks of the enterprises app: thin wrappers over its services."""

from celery import shared_task
from django.db import DatabaseError

from .services import beneficiaries_anonymise_past_retention


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def anonymise_past_retention() -> int:
    """Daily: anonymise the people past the data-retention period, keeping the counts."""
    return beneficiaries_anonymise_past_retention()

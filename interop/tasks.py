"""Celery tasks: thin wrappers that take ids and call `interop.exports`."""

from __future__ import annotations

from celery import shared_task

from . import exports


@shared_task(acks_late=True)
def build_job_export(user_id: int, token: str, language: str) -> None:
    """Prepare the CSV of all jobs `user_id` may see, for download when ready."""
    exports.job_export_build(user_id=user_id, token=token, language=language)

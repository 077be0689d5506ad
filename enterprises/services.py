"""Writes of the ESC records: businesses, ESC services and jobs, each through the one core save
(`programs.review.field_record_save`), so the field pages, the API and the admin apply the same
rules, history and progress marking."""

from __future__ import annotations

import datetime
import uuid

from programs.review import field_record_save

from .models import Business, EscService, Job


def business_save(
    *,
    record: Business,
    by,
    submit: bool | None,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    fingerprint: str = "",
) -> Business:
    """Save a business (draft, submission, or an administrator's change with `submit=None`)."""
    return field_record_save(
        record=record, by=by, submit=submit, token=token, version=version, fingerprint=fingerprint
    )


def esc_service_save(
    *,
    record: EscService,
    by,
    submit: bool | None,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    fingerprint: str = "",
) -> EscService:
    """Save an ESC service delivered to a business or to participants."""
    return field_record_save(
        record=record, by=by, submit=submit, token=token, version=version, fingerprint=fingerprint
    )


def job_save(
    *,
    record: Job,
    by,
    submit: bool | None,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    fingerprint: str = "",
) -> Job:
    """Save a job (the child-labour and overlap rules are the model's, in `full_clean()` and the
    database)."""
    return field_record_save(
        record=record, by=by, submit=submit, token=token, version=version, fingerprint=fingerprint
    )

"""Writes of rehabilitation work: a work record on a site, through the one core save."""

from __future__ import annotations

import datetime
import uuid

from programs.review import field_record_save

from .models import WorkRecord


def work_record_save(
    *,
    record: WorkRecord,
    by,
    submit: bool | None,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    fingerprint: str = "",
) -> WorkRecord:
    """Save a work record (its area against the site's plan is the model's and the database's rule)."""
    return field_record_save(
        record=record, by=by, submit=submit, token=token, version=version, fingerprint=fingerprint
    )

"""Writes of community fora: a forum session with its ranked priorities and selected people."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from programs.review import field_record_save

from .models import BeneficiarySelection, ForumSession


def forum_session_save(
    *,
    record: ForumSession,
    by,
    submit: bool | None,
    priorities=None,
    people: Sequence | None = None,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    fingerprint: str = "",
) -> ForumSession:
    """Save a forum session through the one core save (`programs.review.field_record_save`).

    `priorities`: a validated inline formset of the session's priorities (the field page's door),
    saved in the same transaction. `people`: the beneficiaries selected at the session (None
    leaves the selections as they are); those no longer named are unselected.
    """

    def after_save(session: ForumSession) -> None:
        if priorities is not None:
            priorities.instance = session
            priorities.save()
        if people is not None:
            _select(session, people)

    return field_record_save(
        record=record,
        by=by,
        submit=submit,
        token=token,
        version=version,
        after_save=after_save,
        fingerprint=fingerprint,
    )


def _select(session: ForumSession, people: Sequence) -> None:
    session.selections.exclude(beneficiary__in=people).delete()
    chosen = set(session.selections.values_list("beneficiary_id", flat=True))
    for person in people:
        if person.pk not in chosen:
            selection = BeneficiarySelection(session=session, beneficiary=person)
            selection.full_clean()
            selection.save()

"""The review workflow of field records: draft → submitted → verified or returned.

Every door that writes a field record (the field pages, the API, the admin) goes through
`field_record_save`, wrapped by one service per record kind (`fora.services`,
`enterprises.services`, `rehab.services`); reviews go through `review_set_state` and
`records_verify`. A change that counts tells the progress engine by `signals.progress_changed`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, signals
from .db_rules import database_rule_error
from .models import FormSubmission, ReviewedRecord, ReviewEvent, ReviewState


class FieldAccessDenied(PermissionError):
    """The user may not record in that neighbourhood (views answer 404 or a field message)."""


class FormTokenReused(ValidationError):
    """A one-time form token that belongs to another user or another kind of record (the API
    answers 409): nothing is saved, and the other record is never shown."""


#: Allowed review transitions: who may make them is checked by the caller's permission layer.
REVIEW_TRANSITIONS = {
    ReviewState.DRAFT: {ReviewState.SUBMITTED},
    ReviewState.SUBMITTED: {ReviewState.VERIFIED, ReviewState.RETURNED, ReviewState.DRAFT},
    ReviewState.RETURNED: {ReviewState.SUBMITTED, ReviewState.DRAFT},
    ReviewState.VERIFIED: {ReviewState.RETURNED},
}


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
    event = ReviewEvent(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        from_state=from_state,
        to_state=to_state,
        by=by,
        at=timezone.now(),
        comment=comment.strip(),
    )
    event.full_clean()  # the comment's rules (no NUL, its length) before anything is saved
    with transaction.atomic():
        record.review_state = to_state
        record.review_changed_by = by
        record.review_changed_at = event.at
        record.full_clean()
        record.save(update_fields=["review_state", "review_changed_by", "review_changed_at", "updated_at"])
        event.save()
        signals.progress_changed.send(sender=type(record), project_ids=[record.progress_project_id])
        if to_state == ReviewState.RETURNED:
            signals.record_returned.send(sender=type(record), record=record, event=event)
    return event


def field_record_save(
    *,
    record: ReviewedRecord,
    by,
    submit: bool | None,
    token: uuid.UUID | None = None,
    version: datetime.datetime | None = None,
    after_save: Callable[[ReviewedRecord], None] | None = None,
    fingerprint: str = "",
) -> ReviewedRecord:
    """Save a field record: the one core save behind every door (field pages, API, admin).

    `submit` True or False is the field staff's door: a draft or a submission, in their own
    neighbourhoods only. `submit=None` is the administrators' door (the admin): the review state
    is kept and the model's change permission is required. Validates with `full_clean()`
    (nothing is saved when a rule fails), records the change of review state, and saves once per
    form `token`: a double-submitted form returns the record the first submit saved.
    `after_save` saves what belongs to the record (priorities, selections) in the same
    transaction. With `version` (the `updated_at` the editor saw), a save over a change made
    meanwhile by someone else is refused. With `fingerprint` (a hash of what was sent, see
    `programs.idempotency`), the same token with other content is refused (`FormTokenReused`).
    A save that touches a verified record tells progress. A record returned for a replayed token
    carries `replayed = True`.
    """
    from_state = _stored_state(record)
    _check_may_save(record, by, submit, from_state)
    content_type = ContentType.objects.get_for_model(record)
    if token is not None and (
        earlier := _saved_with(token, by=by, content_type=content_type, fingerprint=fingerprint)
    ):
        return earlier
    try:
        with transaction.atomic():
            # The token is claimed first: a concurrent double submit waits here, then fails.
            submission = None
            if token is not None:
                submission = FormSubmission.objects.create(
                    token=token, user=by, content_type=content_type, object_id=0, fingerprint=fingerprint
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
            if submit is None:
                to_state = record.review_state
            else:
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
            if ReviewState.VERIFIED in (from_state, to_state):
                signals.progress_changed.send(sender=type(record), project_ids=[record.progress_project_id])
            if submission is not None:
                submission.object_id = record.pk
                submission.save(update_fields=["object_id"])
    except IntegrityError as error:
        if token is not None and (
            earlier := _saved_with(token, by=by, content_type=content_type, fingerprint=fingerprint)
        ):
            return earlier
        raise database_rule_error(error) from error
    return record


def record_saved_with(token: uuid.UUID, *, by, model, fingerprint: str = "") -> ReviewedRecord | None:
    """The record an earlier send of this one-time key saved (`replayed`), or None; a key of
    another user or kind, or with other content, is refused (`FormTokenReused`). Doors ask it
    before validating, so a resend is not refused by the rules its own first send satisfied
    (a business's name taken, a job overlapping itself)."""
    return _saved_with(
        token, by=by, content_type=ContentType.objects.get_for_model(model), fingerprint=fingerprint
    )


def _saved_with(
    token: uuid.UUID, *, by, content_type: ContentType, fingerprint: str = ""
) -> ReviewedRecord | None:
    """The record a one-time token already saved, when it is this user's and of this kind; a
    token of someone else's or of another kind is refused, naming nothing of the other record."""
    earlier = FormSubmission.objects.filter(token=token).first()
    if earlier is None:
        return None
    if earlier.user_id != by.pk or earlier.content_type_id != content_type.pk:
        raise FormTokenReused(
            {
                "token": _(
                    "This form was already used for another record. Reload the page and enter it again."
                )
            },
            code="token_reused",
        )
    if fingerprint and earlier.fingerprint and fingerprint != earlier.fingerprint:
        raise FormTokenReused(
            {"token": _("This entry's key was already used for a different entry; nothing was saved.")},
            code="token_reused",
        )
    record = content_type.model_class()._default_manager.filter(pk=earlier.object_id).first()
    if record is None:
        raise FormTokenReused(
            {"token": _("The record this form saved was deleted. Reload the page and enter it again.")},
            code="token_reused",
        )
    record.replayed = True
    return record


def _check_may_save(record: ReviewedRecord, by, submit: bool | None, stored_state: str) -> None:
    """Field staff save in their own neighbourhoods and never over a verified record; the admin's
    door needs the model's add or change permission."""
    if submit is None:
        opts = record._meta
        action = "change" if record.pk else "add"
        if not by.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            raise FieldAccessDenied(_("You may not change this record."))
        return
    if not access.may_enter_field_data(by):
        raise FieldAccessDenied(_("Only field staff record field data."))
    if stored_state == ReviewState.VERIFIED:
        raise ValidationError(_("A verified record can no longer be changed."))
    if not access.neighbourhood_allowed(by, access.neighbourhood_id_of(record)):
        raise ValidationError(_("You can only record data in your own neighbourhoods."))


def _stored_state(record: ReviewedRecord) -> str:
    """The review state in the database ("" for a new record): what the save changes from."""
    if record.pk is None:
        return ""
    stored = type(record).objects.filter(pk=record.pk).values_list("review_state", flat=True).first()
    return stored or ""


def field_record_delete(*, record: ReviewedRecord, by) -> None:
    """Delete a field record (administrators, through the admin), telling progress."""
    opts = record._meta
    if not by.has_perm(f"{opts.app_label}.delete_{opts.model_name}"):
        raise FieldAccessDenied(_("You may not delete this record."))
    with transaction.atomic():
        project_id = record.progress_project_id
        record.delete()
        signals.progress_changed.send(sender=type(record), project_ids=[project_id])


@dataclass(frozen=True)
class VerifyResult:
    verified: int
    refused: int


def records_verify(*, records: Iterable[ReviewedRecord], by) -> VerifyResult:
    """Verify many records at once (the review queue and the admin action): those no longer
    submitted are refused and counted, the others verified one by one with their history."""
    verified = refused = 0
    for record in records:
        try:
            review_set_state(record=record, to_state=ReviewState.VERIFIED, by=by)
        except ValidationError:
            refused += 1
        else:
            verified += 1
    return VerifyResult(verified=verified, refused=refused)

"""Each digest and reminder exactly once: what is due, the claim, the send, the catch-up.

A delivery (user, kind, key) is claimed by inserting its row under a UNIQUE constraint before
anything is sent: a task run twice or two beat processes make one row. The row is then locked
(`SELECT … FOR UPDATE SKIP LOCKED`) while its mail goes out and marked sent only after the mail
server accepted it; a failed send leaves it pending with the error, and every later run sends
the pending rows first (the catch-up). A crash between the server's acceptance and the commit
is the one window where a mail may go twice; none is ever lost.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import reporting, selectors
from .mailing import compose
from .models import Delivery, Notification, Preference

logger = logging.getLogger(__name__)

#: A newer claim of these kinds says everything an older pending one would (counts as they are).
SNAPSHOT_KINDS = {Delivery.Kind.REVIEW_DIGEST, Delivery.Kind.DRAFTS_REMINDER}


@dataclass(frozen=True)
class Due:
    user: object
    kind: str
    key: str


@dataclass(frozen=True)
class Outcome:
    user: str
    email: str
    kind: str
    key: str
    status: str  # "sent", "would send", "failed", "empty", "superseded"
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.status}: {self.kind} {self.key} → {self.user} <{self.email}>"
        return f"{text} ({self.detail})" if self.detail else text


def day_key(today: datetime.date) -> str:
    return today.isoformat()


def week_key(today: datetime.date) -> str:
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def due_now(today: datetime.date) -> list[Due]:
    """Every digest and reminder that has something to say today, by each one's preferences."""
    preferences = {p.user_id: p for p in Preference.objects.all()}

    def preference(user) -> Preference:
        return preferences.get(user.pk) or Preference(user=user)

    due = []
    for manager in selectors.reviewers():
        frequency = preference(manager).review_digest
        if frequency == Preference.Digest.OFF or not selectors.waiting_for_review(manager).total:
            continue
        key = week_key(today) if frequency == Preference.Digest.WEEKLY else day_key(today)
        due.append(Due(manager, Delivery.Kind.REVIEW_DIGEST, key))
    for author in selectors.users_with_returned_not_emailed():
        if preference(author).returned_digest:
            due.append(Due(author, Delivery.Kind.RETURNED_DIGEST, day_key(today)))
    for staff in selectors.field_staff():
        if preference(staff).drafts_reminder and selectors.old_drafts(staff).total:
            due.append(Due(staff, Delivery.Kind.DRAFTS_REMINDER, week_key(today)))
    for manager, kind, key in reporting.reporting_reminders_due(today, selectors.reviewers()):
        if preference(manager).reporting_reminders:
            due.append(Due(manager, kind, key))
    return due


def delivery_claim(due: Due) -> Delivery | None:
    """Claim a delivery: the row, or None when it was claimed before (by this or another run)."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(user=due.user, kind=due.kind, key=due.key)
    except IntegrityError:
        return None


def delivery_send(delivery_id: int) -> Outcome | None:
    """Send one pending delivery, or nothing when another process holds it or it was sent."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        user = delivery.user
        outcome = {
            "user": user.get_username(),
            "email": user.email,
            "kind": delivery.kind,
            "key": delivery.key,
        }
        if delivery.kind in SNAPSHOT_KINDS and (
            Delivery.objects.filter(user=user, kind=delivery.kind, claimed_at__gt=delivery.claimed_at)
            .exclude(pk=delivery.pk)
            .exists()
        ):
            _close(delivery, Delivery.Status.SUPERSEDED)
            return Outcome(**outcome, status="superseded")
        composed = compose(delivery) if _still_wanted(delivery) else None
        if composed is None:
            _close(delivery, Delivery.Status.EMPTY)
            return Outcome(**outcome, status="empty")
        delivery.attempts += 1
        try:
            composed.message.send()
        except (smtplib.SMTPException, OSError) as error:
            # Kept pending: the next run sends it. The row's lock ends with this transaction.
            delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
            delivery.save(update_fields=["attempts", "last_error"])
            logger.warning("Mail %s not sent, kept for the next run: %s", delivery, delivery.last_error)
            return Outcome(**outcome, status="failed", detail=delivery.last_error)
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        if composed.notifications:
            Notification.objects.filter(pk__in=[n.pk for n in composed.notifications]).update(
                emailed_in=delivery
            )
    return Outcome(**outcome, status="sent")


def _still_wanted(delivery: Delivery) -> bool:
    """A pending mail whose kind the person turned off since its claim is not sent."""
    preference = selectors.preference_of(delivery.user)
    return {
        Delivery.Kind.REVIEW_DIGEST: preference.review_digest != Preference.Digest.OFF,
        Delivery.Kind.RETURNED_DIGEST: preference.returned_digest,
        Delivery.Kind.DRAFTS_REMINDER: preference.drafts_reminder,
    }.get(delivery.kind, preference.reporting_reminders)


def _close(delivery: Delivery, status: str) -> None:
    delivery.status = status
    delivery.save(update_fields=["status"])


def pending_ids() -> list[int]:
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by("claimed_at", "pk")
        .values_list("pk", flat=True)
    )


def notify(*, today: datetime.date | None = None, dry_run: bool = False, claim: bool = True) -> list[Outcome]:
    """Send what is due now and what earlier runs could not send; returns what was (or, with
    `dry_run`, would be) sent. With `claim=False` only the pending ones are retried."""
    today = today or timezone.localdate()
    if dry_run:
        return _would_send(today)
    if claim:
        for due in due_now(today):
            delivery_claim(due)
    return [outcome for pk in pending_ids() if (outcome := delivery_send(pk)) is not None]


def _would_send(today: datetime.date) -> list[Outcome]:
    """What a run would send: the pending claims and the due ones not claimed yet."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).select_related("user")
    outcomes = [
        Outcome(d.user.get_username(), d.user.email, d.kind, d.key, "would send", "retry") for d in pending
    ]
    claimed = set(Delivery.objects.values_list("user_id", "kind", "key"))
    outcomes += [
        Outcome(due.user.get_username(), due.user.email, due.kind, due.key, "would send")
        for due in due_now(today)
        if (due.user.pk, due.kind, due.key) not in claimed
    ]
    return outcomes

"""Writes of the app's side: a notification when a record is returned, opening and reading
them, and preferences (the unsubscribe link's too)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import Delivery, Notification, Preference

#: The field pages' slug of each reviewed kind (`field.kinds`, a floor we may not import):
#: `tests/test_notifications_links.py` checks that both agree.
FIELD_SLUGS = {
    "fora.forumsession": "sessions",
    "enterprises.business": "businesses",
    "enterprises.escservice": "services",
    "enterprises.job": "jobs",
    "rehab.workrecord": "work",
}


def record_url(record) -> str:
    """The field page of a reviewed record."""
    slug = FIELD_SLUGS[record._meta.label_lower]
    return reverse("field:detail", args=[slug, record.pk])


def notification_record_returned(sender, *, record, event, **kwargs) -> Notification | None:
    """Receiver of `programs.signals.record_returned`: tell the record's author at once in the
    app (inside the review's transaction); their daily digest e-mails it with the comment."""
    author_id = record.created_by_id
    if author_id is None:
        return None
    notification, _created = Notification.objects.get_or_create(
        user_id=author_id,
        event=event,
        defaults={
            "kind": Notification.Kind.RETURNED,
            "content_type": ContentType.objects.get_for_model(record),
            "object_id": record.pk,
            "comment": event.comment,
            "url": record_url(record),
            "created_at": event.at,
        },
    )
    return notification


def notification_open(*, user, notification_id: int) -> Notification:
    """The user's notification, marked read (once); Notification.DoesNotExist for another's."""
    notification = Notification.objects.get(pk=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


#: What an unsubscribe link turns off, by kind of mail.
UNSUBSCRIBE_FIELDS = {
    Delivery.Kind.REVIEW_DIGEST: ("review_digest", Preference.Digest.OFF),
    Delivery.Kind.RETURNED_DIGEST: ("returned_digest", False),
    Delivery.Kind.DRAFTS_REMINDER: ("drafts_reminder", False),
    Delivery.Kind.REPORTING_REMINDER: ("reporting_reminders", False),
    Delivery.Kind.REPORT_APPROVAL: ("reporting_reminders", False),
}


def preference_set(*, user, **values) -> Preference:
    """Change the user's preferences (made on first change), validated."""
    with transaction.atomic():
        preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
        for name, value in values.items():
            setattr(preference, name, value)
        preference.full_clean()
        preference.save()
    return preference


def preference_unsubscribe(*, user, kind: str) -> Preference:
    """Turn off the kind of mail an unsubscribe link came in."""
    name, value = UNSUBSCRIBE_FIELDS[kind]
    return preference_set(user=user, **{name: value})

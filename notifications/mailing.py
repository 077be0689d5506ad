"""The mails: what each kind of delivery says, in plain text and HTML, in the recipient's
language. Codes and counts only: no beneficiary's name, phone or birth date."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.language import language_of

from . import reporting, selectors
from .models import Delivery, Notification
from .tokens import absolute, unsubscribe_url


@dataclass
class Composed:
    message: EmailMultiAlternatives
    #: Notifications this mail tells of: marked as e-mailed once it is sent.
    notifications: list[Notification] = field(default_factory=list)


def recipient_language(user) -> str:
    """The person's own language, else NOTIFICATIONS_FALLBACK_LANGUAGE (French, the
    administration's; the tests read English)."""
    return language_of(user) or settings.NOTIFICATIONS_FALLBACK_LANGUAGE


def compose(delivery: Delivery) -> Composed | None:
    """The mail of a delivery as things stand now, or None when nothing is left to say."""
    user = delivery.user
    with translation.override(recipient_language(user)):
        context = _context(delivery)
        if context is None:
            return None
        context |= {
            "user": user,
            "kind": delivery.kind,
            "unsubscribe_url": unsubscribe_url(user=user, kind=delivery.kind),
            "preferences_url": absolute(reverse("notifications:preferences")),
        }
        template = f"notifications/email/{delivery.kind}"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={
                # One-click unsubscribe for mail clients that offer it (RFC 8058).
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return Composed(message=message, notifications=context.get("notifications", []))


def _context(delivery: Delivery) -> dict | None:
    now = timezone.now()
    user = delivery.user
    if delivery.kind == Delivery.Kind.REVIEW_DIGEST:
        waiting = selectors.waiting_for_review(user)
        if not waiting.total:
            return None
        return {
            "waiting": waiting,
            "days": waiting.days_waiting(now),
            "review_url": absolute(reverse("field:review")),
        }
    if delivery.kind == Delivery.Kind.RETURNED_DIGEST:
        notifications = list(selectors.returned_not_emailed(user).select_for_update())
        if not notifications:
            return None
        return {
            "notifications": notifications,
            "links": [(n, absolute(n.url)) for n in notifications],
            "field_url": absolute(reverse("field:home")),
        }
    if delivery.kind == Delivery.Kind.DRAFTS_REMINDER:
        drafts = selectors.old_drafts(user, now=now)
        if not drafts.total:
            return None
        return {
            "drafts": drafts,
            "days": (now - drafts.oldest).days,
            "field_url": absolute(reverse("field:home")),
        }
    return reporting.reporting_context(delivery)

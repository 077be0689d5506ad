"""The unsubscribe link: signed (django.core.signing) with the user and the kind of mail, so that
it works without logging in; a tampered link is refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def unsubscribe_token(*, user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The link's user and kind; signing.BadSignature when it was tampered with."""
    data = signing.loads(token, salt=SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        raise signing.BadSignature("Malformed unsubscribe token")
    return Unsubscribe(user_id=data["u"], kind=data["k"])


def absolute(path: str) -> str:
    """A link for a mail: no request to take the host from, so SITE_URL."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(*, user, kind: str) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user=user, kind=kind)]))

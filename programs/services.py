"""Writes of the ground floor that are not the review workflow (`programs.review`)."""

from __future__ import annotations

from .models import AccessAudit


def audit_access(*, user, action: str, what: str, path: str = "") -> None:
    """Write who saw or exported what: never the personal data itself, only what it belongs to."""
    AccessAudit.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "anonymous",
        action=action,
        what=what[:200],
        path=path[:300],
    )

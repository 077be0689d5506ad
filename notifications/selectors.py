"""Reads: the menu's unread notifications, who hears what, and what waits for whom.

Counts only, grouped by the database: no row of a beneficiary is read."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, QuerySet, Window
from django.utils import timezone

from enterprises.models import Business, EscService, Job
from fora.models import ForumSession
from programs import access
from programs.models import ReviewState
from rehab.models import WorkRecord

from .models import Notification, Preference

#: The five kinds of field record that go through review.
REVIEWED_MODELS = (ForumSession, Business, EscService, Job, WorkRecord)
#: Drafts older than this are worth a reminder.
DRAFT_AGE = datetime.timedelta(days=7)
MENU_SIZE = 5


@dataclass(frozen=True)
class Menu:
    unread: int
    latest: list[Notification]


def unread_menu(user) -> Menu:
    """The latest unread notifications and how many are unread: one query (a window count)."""
    rows = list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .annotate(unread_total=Window(Count("pk")))
        .order_by("-created_at", "-pk")[:MENU_SIZE]
    )
    return Menu(unread=rows[0].unread_total if rows else 0, latest=rows)


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def preference_of(user) -> Preference:
    """The user's preferences, or the defaults (unsaved) when they never changed them."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def users_with_perm(perm: str) -> QuerySet:
    """Active users holding `perm` (through a group, directly, or as superusers), with an address."""
    return (
        get_user_model()
        .objects.with_perm(perm, include_superusers=True, backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def reviewers() -> QuerySet:
    return users_with_perm("programs.review_field_records")


def field_staff() -> QuerySet:
    return users_with_perm("programs.enter_field_data")


@dataclass
class Waiting:
    """Records waiting for review in what the user may see."""

    by_neighbourhood: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    oldest: datetime.datetime | None = None

    def days_waiting(self, now: datetime.datetime) -> int:
        return (now - self.oldest).days if self.oldest else 0


def waiting_for_review(user) -> Waiting:
    """Submitted records per neighbourhood and the oldest one's date: grouped counts per kind."""
    counts: Counter[str] = Counter()
    oldest = []
    for model in REVIEWED_MODELS:
        path = f"{access.neighbourhood_path(model)}__name"
        submitted = access.visible(model.objects.filter(review_state=ReviewState.SUBMITTED), user)
        for row in submitted.order_by().values(path).annotate(n=Count("pk"), first=Min("review_changed_at")):
            counts[row[path]] += row["n"]
            oldest.append(row["first"])
    oldest = [moment for moment in oldest if moment]
    return Waiting(
        by_neighbourhood=sorted(counts.items()), total=sum(counts.values()), oldest=min(oldest, default=None)
    )


@dataclass
class Drafts:
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    oldest: datetime.datetime | None = None


def old_drafts(user, *, now: datetime.datetime | None = None) -> Drafts:
    """The user's own drafts older than DRAFT_AGE, counted per kind of record."""
    cutoff = (now or timezone.now()) - DRAFT_AGE
    by_kind, oldest = [], []
    for model in REVIEWED_MODELS:
        row = model.objects.filter(
            created_by=user, review_state=ReviewState.DRAFT, created_at__lte=cutoff
        ).aggregate(n=Count("pk"), first=Min("created_at"))
        if row["n"]:
            by_kind.append((str(model._meta.verbose_name_plural), row["n"]))
            oldest.append(row["first"])
    return Drafts(by_kind=by_kind, total=sum(n for _kind, n in by_kind), oldest=min(oldest, default=None))


def returned_not_emailed(user) -> QuerySet[Notification]:
    """Returned-record notifications no digest has told of yet, oldest first."""
    return Notification.objects.filter(
        user=user, kind=Notification.Kind.RETURNED, emailed_in__isnull=True
    ).order_by("created_at", "pk")


def users_with_returned_not_emailed() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            notifications__kind=Notification.Kind.RETURNED,
            notifications__emailed_in__isnull=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )

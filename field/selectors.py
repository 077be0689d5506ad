"""Reads of the field pages, scoped through `programs.access`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count

from programs import access
from programs.models import Neighbourhood, ReviewEvent, ReviewState

from .kinds import KINDS, FieldKind

RECENT = 10
QUEUE_LIMIT = 200


@dataclass
class Entry:
    kind: FieldKind
    record: object
    comment: str = ""


def assigned_neighbourhoods(user):
    return access.visible(Neighbourhood.objects.all(), user) if access.may_enter_field_data(user) else []


def recent_entries(user) -> list[Entry]:
    """What the user entered last, all kinds together."""
    entries = []
    for kind in KINDS.values():
        records = (
            kind.model.objects.filter(created_by=user).select_related(*kind.related).order_by("-created_at")
        )
        entries += [Entry(kind, record) for record in records[:RECENT]]
    return sorted(entries, key=lambda e: e.record.created_at, reverse=True)[:RECENT]


def returned_to(user) -> list[Entry]:
    """Records of the user's neighbourhoods returned by a manager, with the manager's comment."""
    if not access.may_enter_field_data(user):
        return []
    entries = []
    for kind in KINDS.values():
        records = access.visible(kind.model.objects.filter(review_state=ReviewState.RETURNED), user)
        entries += [Entry(kind, record) for record in records.select_related(*kind.related)[:50]]
    if not entries:
        return []
    comments = {}
    types = {kind.slug: ContentType.objects.get_for_model(kind.model) for kind in KINDS.values()}
    events = ReviewEvent.objects.filter(
        to_state=ReviewState.RETURNED, object_id__in=[e.record.pk for e in entries]
    ).order_by("at")
    for event in events:
        comments[(event.content_type_id, event.object_id)] = event.comment
    for entry in entries:
        entry.comment = comments.get((types[entry.kind.slug].pk, entry.record.pk), "")
    return entries


def review_queue(user, *, neighbourhood: str | None = None) -> dict:
    """Submitted records, oldest first, and how many wait in each neighbourhood."""
    items: list[Entry] = []
    counts: Counter[str] = Counter()
    for kind in KINDS.values():
        path = access.neighbourhood_path(kind.model)
        submitted = access.visible(kind.model.objects.filter(review_state=ReviewState.SUBMITTED), user)
        for row in submitted.values(f"{path}__name").annotate(n=Count("pk")):
            counts[row[f"{path}__name"]] += row["n"]
        if neighbourhood:
            submitted = submitted.filter(**{f"{path}__name": neighbourhood})
        submitted = submitted.select_related(*kind.related).order_by("review_changed_at", "pk")
        items += [Entry(kind, record) for record in submitted[:QUEUE_LIMIT]]
    items.sort(key=lambda e: (e.record.review_changed_at, e.record.pk))
    return {
        "items": items[:QUEUE_LIMIT],
        "counts": sorted(counts.items()),
        "total": sum(counts.values()),
        "neighbourhood": neighbourhood,
    }

"""Reads of the field pages, scoped through `programs.access`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from beneficiaries.models import Beneficiary
from enterprises.models import Business, EnterpriseServiceCentre
from fora.models import CommunityForum
from programs import access
from programs.models import Neighbourhood, Project, ReviewEvent, ReviewState
from rehab.models import RehabSite

from .kinds import KINDS, FieldKind

RECENT = 10
QUEUE_LIMIT = 200
#: How many neighbourhoods the review queue offers as buttons, those where most records wait.
COUNTS_SHOWN = 20


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
    # A programme may have thousands of neighbourhoods with something waiting: the buttons are for
    # those where most waits (and the one chosen); the others are reached by name.
    shown = dict(counts.most_common(COUNTS_SHOWN))
    if neighbourhood in counts:
        shown[neighbourhood] = counts[neighbourhood]
    return {
        "items": items[:QUEUE_LIMIT],
        "counts": sorted(shown.items()),
        "more_neighbourhoods": len(counts) - len(shown),
        "total": sum(counts.values()),
        "neighbourhood": neighbourhood,
    }


def offline_lists(user) -> dict:
    """What the forms need offline, for the user's own neighbourhoods: names and ids, a site's
    planned and remaining area, beneficiary codes and names — no phone, no date of birth (a
    phone can be lost). A few grouped queries, whatever the number of rows."""
    hoods = access.visible(Neighbourhood.objects.order_by("name"), user)
    hood_ids = list(hoods.values_list("pk", flat=True))
    sites = (
        access.visible(RehabSite.objects.all(), user)
        .annotate(done=Coalesce(Sum("work_records__completed_area_m2"), Decimal("0")))
        .order_by("name")
        .values("pk", "name", "neighbourhood_id", "planned_area_m2", "done")
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "user": user.pk,
        "neighbourhoods": [{"id": h.pk, "name": h.name} for h in hoods],
        "projects": [
            {"id": pk, "title": title}
            for pk, title in Project.objects.filter(neighbourhoods__in=hood_ids)
            .distinct()
            .order_by("title")
            .values_list("pk", "title")
        ],
        "forums": _rows(access.visible(CommunityForum.objects.order_by("name"), user), "neighbourhood_id"),
        "centres": _rows(
            access.visible(EnterpriseServiceCentre.objects.order_by("name"), user), "neighbourhood_id"
        ),
        "businesses": [
            {"id": pk, "name": name, "neighbourhood": hood, "centre": centre}
            for pk, name, hood, centre in access.visible(Business.objects.order_by("name"), user).values_list(
                "pk", "name", "neighbourhood_id", "centre_id"
            )
        ],
        "sites": [
            {
                "id": site["pk"],
                "name": site["name"],
                "neighbourhood": site["neighbourhood_id"],
                "planned_area_m2": str(site["planned_area_m2"]),
                "remaining_area_m2": str(max(site["planned_area_m2"] - site["done"], Decimal("0"))),
            }
            for site in sites
        ],
        "beneficiaries": [
            {"code": code, "name": f"{first} {last}".strip(), "neighbourhood": hood}
            for code, first, last, hood in access.visible(
                Beneficiary.objects.filter(anonymised_at__isnull=True).order_by("code"), user
            ).values_list("code", "first_name", "last_name", "neighbourhood_id")
        ],
    }


def _rows(queryset, neighbourhood_field: str) -> list[dict]:
    return [
        {"id": pk, "name": name, "neighbourhood": hood}
        for pk, name, hood in queryset.values_list("pk", "name", neighbourhood_field)
    ]

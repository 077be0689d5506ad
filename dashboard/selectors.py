"""The dashboard's board: one page of partnerships and projects, each with its target cards and
secondary figures, in a fixed number of queries whatever the number of records.

The headline figures come from the progress snapshots that `progress.services.progress_recompute`
stored (read here with their history and the targets' splits by neighbourhood); the secondary
figures are counted by `dashboard.figures`; cards are laid out by `dashboard.cards`. Who sees
what is `dashboard.scope`; drill-down lists are `dashboard.figures`, traces `dashboard.traces`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Max, Prefetch, Sum
from django.utils import timezone

from programs.models import Neighbourhood, Partnership, Project, Target, TargetSplit
from progress.models import ProgressSnapshot
from progress.selectors import latest_snapshots

from .cards import TargetCard, target_card
from .figures import SecondaryFigures, secondary_figures
from .scope import Scope, dashboard_scope, visible_projects

Indicator = Target.Indicator

#: Projects per dashboard page: the ESC partnership fits on one; a thousand projects do not.
PROJECTS_PER_PAGE = 10


@dataclass
class ProjectBoard:
    project: Project
    cards: list[TargetCard]
    secondary: SecondaryFigures


@dataclass
class PartnershipBoard:
    partnership: Partnership
    projects: list[ProjectBoard]


@dataclass
class Dashboard:
    scope: Scope
    partnerships: list[PartnershipBoard]
    #: The page of projects shown (a programme of many projects is paged, not rendered whole).
    page: Page | None = None
    #: The newest snapshot the board shows: an open page asks for what comes after it (live).
    figures_seen: int = 0

    @property
    def as_of(self) -> datetime.datetime | None:
        moments = [
            card.snapshot.as_of
            for board in self.partnerships
            for project in board.projects
            for card in project.cards
            if card.snapshot
        ]
        return max(moments) if moments else None


def dashboard_for(
    user,
    *,
    page: int | str | None = 1,
    per_page: int | None = PROJECTS_PER_PAGE,
    scope: Scope | None = None,
    only: Iterable[int] | None = None,
) -> Dashboard:
    """Everything /dashboard/ shows for one page of projects, in a fixed number of queries
    (`per_page=None`: every project, for the export; `only`: those of these ids the user sees,
    unpaged, for the live page)."""
    scope = scope or dashboard_scope(user)
    projects = visible_projects(user, scope)
    project_page = None
    if only is not None:
        projects, per_page = projects.filter(pk__in=list(only)), None
    if per_page is not None:
        project_page = projects_page(projects, page, per_page)
        projects = projects.filter(pk__in=list(project_page.object_list))
    projects = projects.prefetch_related(
        "neighbourhoods", "implementing_units", Prefetch("targets", queryset=Target.objects.order_by("pk"))
    )
    partnerships = Partnership.objects.prefetch_related(
        "parties",
        "focus_areas",
        "signatories__organisation",
        Prefetch("projects", queryset=projects, to_attr="visible_projects"),
    )
    if not scope.everything or project_page is not None:
        partnerships = partnerships.filter(projects__in=projects).distinct()
    partnerships = list(partnerships)
    all_projects = [p for partnership in partnerships for p in partnership.visible_projects]
    target_ids = [t.pk for p in all_projects for t in p.targets.all()]
    snapshots = {s.target_id: s for s in latest_snapshots(Target.objects.filter(pk__in=target_ids))}
    history = snapshot_history(target_ids) if scope.everything else {}
    splits = {} if scope.everything else target_splits(target_ids, scope)
    secondary = secondary_figures(
        [p.pk for p in all_projects], user, None if scope.everything else scope.neighbourhoods
    )
    hood_ids = neighbourhood_ids(scope, snapshots.values())

    boards = []
    for partnership in partnerships:
        project_boards = []
        for project in partnership.visible_projects:
            cards = [
                target_card(
                    target,
                    scope,
                    snapshots.get(target.pk),
                    history.get(target.pk, []),
                    splits.get(target.pk),
                    project,
                    hood_ids,
                )
                for target in sorted(project.targets.all(), key=_indicator_order)
            ]
            project_boards.append(ProjectBoard(project, cards, secondary[project.pk]))
        boards.append(PartnershipBoard(partnership, project_boards))
    seen = ProgressSnapshot.objects.filter(target_id__in=target_ids).aggregate(seen=Max("pk"))["seen"]
    return Dashboard(scope, boards, project_page, seen or 0)


def projects_page(projects, page: int | str | None, per_page: int = PROJECTS_PER_PAGE) -> Page:
    """The page of project ids a board shows (its numbering is the paginator's)."""
    return Paginator(projects.values_list("pk", flat=True), per_page).get_page(page)


def page_targets(user, scope: Scope, page: int) -> list[int]:
    """The ids of the targets one page of the board shows (two queries)."""
    project_ids = list(projects_page(visible_projects(user, scope), page).object_list)
    return list(Target.objects.filter(project_id__in=project_ids).values_list("pk", flat=True))


def projects_changed_since(target_ids: list[int], seen: int) -> dict[int, int]:
    """Project id → its newest snapshot, for the projects of these targets with a snapshot after
    `seen` (one query over the targets' own snapshots, whatever the database holds)."""
    rows = (
        ProgressSnapshot.objects.filter(target_id__in=target_ids, pk__gt=seen)
        .values("target__project_id")
        .annotate(latest=Max("pk"))
        .order_by()
    )
    return {row["target__project_id"]: row["latest"] for row in rows}


def _indicator_order(target: Target) -> int:
    return Indicator.values.index(target.indicator)


def neighbourhood_ids(scope: Scope, snapshots) -> dict[str, int]:
    """Name → id of the neighbourhoods the breakdowns may link to: the scope's, or for those who
    see everything the ones the snapshots name (one query)."""
    if not scope.everything:
        return {hood.name: hood.pk for hood in scope.neighbourhoods}
    names = {name for snapshot in snapshots for name in snapshot.breakdown.get("neighbourhood", {})}
    return dict(Neighbourhood.objects.filter(name__in=names).values_list("name", "pk"))


def snapshot_history(target_ids: list[int]) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Each target's snapshots as (day, actual), the day's last snapshot only, in one query."""
    by_target: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    rows = (
        ProgressSnapshot.objects.filter(target_id__in=target_ids)
        .order_by("target_id", "as_of")
        .values_list("target_id", "as_of", "actual")
    )
    for target_id, as_of, actual in rows:
        by_target[target_id][timezone.localdate(as_of)] = actual
    return {target_id: sorted(days.items()) for target_id, days in by_target.items()}


def target_splits(target_ids: list[int], scope: Scope) -> dict[int, Decimal]:
    """The share of each target assigned to the scope's neighbourhoods, where one is set."""
    rows = (
        TargetSplit.objects.filter(target_id__in=target_ids, neighbourhood__in=scope.neighbourhoods)
        .values("target_id")
        .annotate(value=Sum("value"))
    )
    return {row["target_id"]: row["value"] for row in rows}

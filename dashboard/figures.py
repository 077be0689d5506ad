"""The dashboard's figures and the records that make them: one query set per figure.

The headline figures (businesses, youth jobs, rehabilitated m²) are counted by the progress
engine into snapshots; their drill-down lists the records its counting selectors select. The
secondary figures (forum sessions and participants, structures prioritised, beneficiaries
selected, ESC services) are counted live on the board: one grouped aggregate per figure, by
project and neighbourhood, over the very query set its drill-down lists, so a count and the
list behind it cannot disagree. Verified records only; every query set of records goes through
`programs.access.visible`, so field staff see their neighbourhoods only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Aggregate, Count, F, Min, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from beneficiaries.models import Beneficiary
from enterprises.models import EscService
from fora.models import ForumSession, StructurePriority
from programs.access import visible
from programs.models import Neighbourhood, Project, ReviewState, Target
from progress.selectors import (
    DEFAULT_YOUTH_BAND,
    counted_businesses,
    counted_work_records,
    counted_youth_jobs,
)

Indicator = Target.Indicator
VERIFIED = ReviewState.VERIFIED


@dataclass(frozen=True)
class Tally:
    """How the board counts a secondary figure for a page of projects in one query."""

    records: Callable[[list[int]], QuerySet]  # the figure's records in these projects
    project: str  # the records' path to their project's id
    neighbourhood: str  # the records' path to their neighbourhood's name
    rows: tuple[tuple[str, Aggregate], ...]  # each row of the secondary table and its aggregate


@dataclass(frozen=True)
class Figure:
    """A figure of the dashboard and the records that make it."""

    key: str
    title: Promise
    records: Callable[[Project], QuerySet]
    related: tuple[str, ...]
    ordering: tuple[str, ...]
    sum_field: str | None = None  # the figure is this field's sum, else the number of records
    sum_unit: str = ""
    tally: Tally | None = None  # a secondary figure, counted live on the board


SECONDARY_LABELS: dict[str, Promise] = {
    "sessions": gettext_lazy("Forum sessions held"),
    "participants": gettext_lazy("Forum participants"),
    "women": gettext_lazy("of whom women"),
    "men": gettext_lazy("of whom men"),
    "youth": gettext_lazy("of whom youth (15–24)"),
    "structures": gettext_lazy("Structures prioritised"),
    "beneficiaries": gettext_lazy("Beneficiaries selected"),
    "services": gettext_lazy("ESC services delivered"),
    "service_participants": gettext_lazy("Participants in ESC services"),
}
#: Rows that are a part of the row above them (women, men, youth; participants).
PART_FIGURES = frozenset({"women", "men", "youth", "service_participants"})


def youth_band(project: Project) -> tuple[int, int]:
    target = project.targets.filter(indicator=Indicator.YOUTH_JOBS).first()
    return (target.youth_min_age, target.youth_max_age) if target else DEFAULT_YOUTH_BAND


# --- the records of the secondary figures, for any number of projects ----------------------------


def held_sessions(project_ids: list[int]) -> QuerySet[ForumSession]:
    return ForumSession.objects.filter(project_id__in=project_ids, review_state=VERIFIED)


def prioritised_structures(project_ids: list[int]) -> QuerySet[StructurePriority]:
    return StructurePriority.objects.filter(
        session__project_id__in=project_ids, session__review_state=VERIFIED
    )


def selected_beneficiaries(project_ids: list[int]) -> QuerySet[Beneficiary]:
    """People selected at a verified session of the projects (a person selected twice is one row
    per selection until grouped: count them distinct)."""
    return Beneficiary.objects.filter(
        selections__session__project_id__in=project_ids, selections__session__review_state=VERIFIED
    )


def delivered_services(project_ids: list[int]) -> QuerySet[EscService]:
    return EscService.objects.filter(centre__project_id__in=project_ids, review_state=VERIFIED)


def _beneficiaries_of(project: Project) -> QuerySet[Beneficiary]:
    # Annotated after the filter: the aggregates read the same (filtered) join, and only the
    # project's selections are grouped, not every person of the programme.
    return selected_beneficiaries([project.pk]).annotate(
        selected_on=Min("selections__session__held_on"), selections_n=Count("selections")
    )


def _of_project(records: Callable[[list[int]], QuerySet]) -> Callable[[Project], QuerySet]:
    return lambda project: records([project.pk])


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure(
            Indicator.BUSINESSES,
            Indicator.BUSINESSES.label,
            lambda project: counted_businesses([project.pk]),
            ("owner", "neighbourhood", "centre", "review_changed_by"),
            ("formed_on", "pk"),
        ),
        Figure(
            Indicator.YOUTH_JOBS,
            Indicator.YOUTH_JOBS.label,
            lambda project: counted_youth_jobs(project.pk, youth_band(project)),
            ("worker", "business__neighbourhood", "site", "review_changed_by"),
            ("start_date", "pk"),
        ),
        Figure(
            Indicator.REHABILITATED_AREA,
            Indicator.REHABILITATED_AREA.label,
            lambda project: counted_work_records([project.pk]),
            ("site__neighbourhood", "review_changed_by"),
            ("date", "pk"),
            sum_field="completed_area_m2",
            sum_unit="m²",
        ),
        Figure(
            "forum_sessions",
            SECONDARY_LABELS["sessions"],
            _of_project(held_sessions),
            ("forum__neighbourhood", "review_changed_by"),
            ("held_on", "pk"),
            tally=Tally(
                held_sessions,
                "project_id",
                "forum__neighbourhood__name",
                (
                    ("sessions", Count("id")),
                    ("participants", Sum(F("women") + F("men"))),
                    ("women", Sum("women")),
                    ("men", Sum("men")),
                    ("youth", Sum("youth")),
                ),
            ),
        ),
        Figure(
            "structures",
            SECONDARY_LABELS["structures"],
            _of_project(prioritised_structures),
            ("session__forum__neighbourhood", "site"),
            ("session__held_on", "rank", "pk"),
            tally=Tally(
                prioritised_structures,
                "session__project_id",
                "session__forum__neighbourhood__name",
                (("structures", Count("id")),),
            ),
        ),
        Figure(
            "beneficiaries",
            SECONDARY_LABELS["beneficiaries"],
            _beneficiaries_of,
            ("neighbourhood",),
            ("selected_on", "code"),
            tally=Tally(
                selected_beneficiaries,
                "selections__session__project_id",
                "neighbourhood__name",
                (("beneficiaries", Count("id", distinct=True)),),
            ),
        ),
        Figure(
            "esc_services",
            SECONDARY_LABELS["services"],
            _of_project(delivered_services),
            ("centre__neighbourhood", "business", "review_changed_by"),
            ("delivered_on", "pk"),
            tally=Tally(
                delivered_services,
                "centre__project_id",
                "centre__neighbourhood__name",
                (("services", Count("id")), ("service_participants", Sum("participants"))),
            ),
        ),
    ]
}
#: The figures counted live on the board, in the order of the secondary table.
SECONDARY: tuple[Figure, ...] = tuple(f for f in FIGURES.values() if f.tally is not None)


def figure_records(figure: Figure, project: Project, user) -> QuerySet:
    """The records that make a figure, as the user may see them, ready for a page of rows."""
    records = visible(figure.records(project), user)
    return records.select_related(*figure.related).order_by(*figure.ordering)


def figure_total(figure: Figure, records: QuerySet) -> Decimal | int:
    if figure.sum_field:
        return records.aggregate(total=Sum(figure.sum_field))["total"] or Decimal(0)
    return records.count()


# --- the secondary table -------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondaryFigure:
    key: str
    label: str
    total: int
    by_neighbourhood: dict[str, int]
    figure: str  # the drill-down that lists its records

    @property
    def part(self) -> bool:
        """A part of the figure above it (women, men, youth; participants)."""
        return self.key in PART_FIGURES


@dataclass
class SecondaryFigures:
    neighbourhoods: list[Neighbourhood]
    figures: list[SecondaryFigure]

    def rows(self):
        """(figure, [(neighbourhood, value), …]) for the table."""
        return [
            (figure, [(hood, figure.by_neighbourhood.get(hood.name, 0)) for hood in self.neighbourhoods])
            for figure in self.figures
        ]


def _tallied(figure: Figure, project_ids: list[int], user):
    """The figure's visible records grouped by project and neighbourhood, one query. The
    aggregates are aliased: a row named after a field (women) must not shadow it."""
    tally = figure.tally
    return (
        visible(tally.records(project_ids), user)
        .values(tally.project, tally.neighbourhood)
        .annotate(**{f"tally_{key}": aggregate for key, aggregate in tally.rows})
        .order_by()
    )


def secondary_figures(
    project_ids: list[int], user, neighbourhoods: tuple[Neighbourhood, ...] | None = None
) -> dict[int, SecondaryFigures]:
    """Forum sessions and participants, structures prioritised, beneficiaries selected and ESC
    services delivered per project and neighbourhood: one grouped aggregate per figure."""
    values: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for figure in SECONDARY:
        tally = figure.tally
        for row in _tallied(figure, project_ids, user):
            for key, _aggregate in tally.rows:
                values[row[tally.project]][key][row[tally.neighbourhood]] = row[f"tally_{key}"]

    if neighbourhoods is None:  # those the figures name, not every neighbourhood of the programme
        named = {hood for figures in values.values() for by_hood in figures.values() for hood in by_hood}
        neighbourhoods = visible(Neighbourhood.objects.filter(name__in=named).order_by("name"), user)
    hoods = list(neighbourhoods)
    rows = [(key, figure.key) for figure in SECONDARY for key, _aggregate in figure.tally.rows]
    result = {}
    for project_id in project_ids:
        figures = []
        for key, figure_key in rows:
            by_hood = values[project_id].get(key, {})
            label = str(SECONDARY_LABELS[key])
            figures.append(SecondaryFigure(key, label, sum(by_hood.values()), by_hood, figure_key))
        present = set().union(*(f.by_neighbourhood for f in figures))
        result[project_id] = SecondaryFigures([h for h in hoods if h.name in present], figures)
    return result

"""Reads of the dashboard: snapshots, their history, secondary figures, drill-down rows, traces.

The headline figures come from the progress snapshots that `programs.services.progress_recompute`
stored; percent, expected by now, forecast and status were computed there by `programs.progress`
and are only read here. Secondary figures (forum sessions, structures, selections, ESC services)
are grouped aggregates: a fixed number of queries whatever the number of records. Every query set
of records goes through `programs.access.visible`, so field staff see their neighbourhoods only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import Beneficiary, Business, EscService, Job, Sex
from fora.models import BeneficiarySelection, ForumSession, StructureKind, StructurePriority
from programs import progress
from programs.access import Role, role_of, sees_everything, visible
from programs.models import (
    Neighbourhood,
    Partnership,
    ProgressSnapshot,
    Project,
    ReviewState,
    Target,
    TargetSplit,
)
from programs.selectors import (
    DEFAULT_YOUTH_BAND,
    counted_businesses,
    counted_work_records,
    counted_youth_jobs,
    latest_snapshots,
)
from rehab.models import RehabSite, WorkRecord

Indicator = Target.Indicator
VERIFIED = ReviewState.VERIFIED

#: Who may open the dashboard at all; everyone else (no role) is refused.
DASHBOARD_ROLES = frozenset({Role.FIELD_STAFF, Role.MANAGER, Role.ADMINISTRATOR})

DIMENSION_LABELS: dict[str, Promise] = {
    "neighbourhood": gettext_lazy("By neighbourhood"),
    "sex": gettext_lazy("By sex"),
    "age_band": gettext_lazy("By age band (age on the job's start date)"),
    "kind": gettext_lazy("By kind of structure"),
}
#: Breakdown dimension → the drill-down filter that selects one of its rows.
DIMENSION_FILTERS = {"neighbourhood": "neighbourhood", "sex": "sex", "age_band": "age_band", "kind": "kind"}
UNIT_LABELS: dict[str, Promise] = {
    Indicator.BUSINESSES: gettext_lazy("businesses"),
    Indicator.YOUTH_JOBS: gettext_lazy("youth jobs"),
    Indicator.REHABILITATED_AREA: gettext_lazy("m²"),
}


def may_open_dashboard(user) -> bool:
    return role_of(user) in DASHBOARD_ROLES


# --- scope ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The part of the programme a user sees: everything, or some neighbourhoods."""

    everything: bool
    neighbourhoods: tuple[Neighbourhood, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(hood.name for hood in self.neighbourhoods)

    @property
    def label(self) -> str:
        return ", ".join(sorted(self.names))


def dashboard_scope(user) -> Scope:
    """Field staff's neighbourhoods; nothing to load for those who see everything (a programme
    may have thousands of neighbourhoods: a page loads those its figures name)."""
    if sees_everything(user):
        return Scope(everything=True, neighbourhoods=())
    hoods = tuple(visible(Neighbourhood.objects.order_by("name"), user))
    return Scope(everything=False, neighbourhoods=hoods)


def visible_projects(user, scope: Scope) -> QuerySet[Project]:
    projects = Project.objects.all()
    if not scope.everything:
        projects = projects.filter(neighbourhoods__in=[h.pk for h in scope.neighbourhoods]).distinct()
    return projects.order_by("start_date", "title")


def project_for(user, pk: int) -> Project:
    """A project the user may see, or Project.DoesNotExist."""
    return visible_projects(user, dashboard_scope(user)).get(pk=pk)


# --- the dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    value: Decimal
    filter_name: str
    filter_value: str


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    label: str
    rows: list[BreakdownRow]


@dataclass
class TargetCard:
    """One target as the page shows it, read from its latest snapshot."""

    target: Target
    scope: Scope
    snapshot: ProgressSnapshot | None
    actual: Decimal | None
    target_value: Decimal | None
    percent: Decimal | None
    breakdowns: list[Breakdown] = field(default_factory=list)
    history: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    end_date: datetime.date | None = None
    start_date: datetime.date | None = None

    @property
    def indicator(self) -> str:
        return self.target.indicator

    @property
    def label(self) -> str:
        return self.target.get_indicator_display()

    @property
    def unit(self) -> str:
        return str(UNIT_LABELS[self.target.indicator])

    @property
    def project_wide(self) -> bool:
        return self.scope.everything

    @property
    def bar_percent(self) -> Decimal:
        """How much of the bar to fill: the percent, shown full when the target is exceeded."""
        if self.percent is None:
            return Decimal(0)
        return min(self.percent, Decimal(100))

    @property
    def expected_percent(self) -> Decimal | None:
        """Where "expected by now" falls on the bar (the progress module's percent)."""
        if not self.project_wide or self.snapshot is None or self.snapshot.expected_by_now is None:
            return None
        value = progress.percent(self.snapshot.expected_by_now, self.snapshot.target_value)
        return None if value is None else min(value, Decimal(100))

    @property
    def status(self) -> str | None:
        return self.snapshot.status if self.snapshot and self.project_wide else None

    @property
    def status_label(self) -> str:
        return ProgressSnapshot.Status(self.status).label if self.status else ""

    @property
    def explanation(self) -> str:
        return status_explanation(self) if self.status else ""

    @property
    def chart(self) -> dict:
        return trend_chart(self)

    @property
    def chart_id(self) -> str:
        return f"trend-data-{self.target.pk}"


def status_explanation(card: TargetCard) -> str:
    """The status in plain words, from the snapshot's forecast and the project's end date."""
    snapshot = card.snapshot
    forecast = date_format(snapshot.forecast_date) if snapshot.forecast_date else None
    values = {"forecast": forecast, "end": date_format(card.end_date)}
    pace = _(
        "The pace is the growth over the last 90 days of snapshots, or, when there was none, "
        "the average pace since the project's start."
    )
    if snapshot.status == ProgressSnapshot.Status.REACHED:
        return (
            _("The target was reached on %(forecast)s.") % values if forecast else _("The target is reached.")
        )
    if snapshot.status == ProgressSnapshot.Status.NOT_STARTED:
        return _("Nothing has been counted yet, so there is no pace to forecast from.")
    if snapshot.status == ProgressSnapshot.Status.ON_TRACK:
        text = _(
            "At the current pace the target is reached on %(forecast)s, on or before the project's "
            "end date (%(end)s)."
        )
    elif snapshot.status == ProgressSnapshot.Status.AT_RISK:
        values["margin"] = f"{(progress.AT_RISK_MARGIN * 100).normalize():f}"
        text = _(
            "At the current pace the target is reached on %(forecast)s: after the project's end date "
            "(%(end)s), but within %(margin)s %% of the project's duration after it."
        )
    elif forecast:
        values["margin"] = f"{(progress.AT_RISK_MARGIN * 100).normalize():f}"
        text = _(
            "At the current pace the target is reached only on %(forecast)s: more than %(margin)s %% "
            "of the project's duration after its end date (%(end)s)."
        )
    else:
        text = _("Nothing was added recently and there is no pace to forecast from.")
    return f"{text % values} {pace}"


def _epoch_ms(day: datetime.date) -> int:
    return int(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC).timestamp() * 1000)


def trend_chart(card: TargetCard) -> dict:
    """What the trend chart draws: points the snapshots hold and the project's dates.

    Nothing is computed here: the burn-up is the snapshots' actual values, the expected line
    joins 0 at the start to the target at the end date, the forecast joins the latest
    snapshot to the target on the snapshot's forecast date.
    """
    snapshot = card.snapshot
    if snapshot is None or not card.project_wide:
        return {}
    points = card.history
    last_day = points[-1][0] if points else card.start_date
    x_max = max(card.end_date, last_day)
    forecast = snapshot.forecast_date
    # A forecast farther than the project's duration again after the chart's end is left to the text.
    show_forecast = (
        forecast is not None
        and snapshot.status != ProgressSnapshot.Status.REACHED
        and forecast <= x_max + (card.end_date - card.start_date)
    )
    if show_forecast:
        x_max = max(x_max, forecast)
    return {
        "unit": card.unit,
        "target": float(snapshot.target_value),
        "start": _epoch_ms(card.start_date),
        "end": _epoch_ms(card.end_date),
        "x_max": _epoch_ms(x_max),
        "points": [{"x": _epoch_ms(day), "y": float(actual)} for day, actual in points],
        "forecast": _epoch_ms(forecast) if show_forecast else None,
        "labels": {
            "actual": _("Actual (burn-up)"),
            "target": _("Target"),
            "expected": _("Expected by now (straight path to the end date)"),
            "forecast": _("Forecast at the current pace"),
        },
    }


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


#: Projects per dashboard page: the ESC partnership fits on one; a thousand projects do not.
PROJECTS_PER_PAGE = 10


def dashboard_for(
    user,
    *,
    page: int | str | None = 1,
    per_page: int | None = PROJECTS_PER_PAGE,
    scope: Scope | None = None,
) -> Dashboard:
    """Everything /dashboard/ shows for one page of projects, in a fixed number of queries
    (`per_page=None`: every project, for the export)."""
    scope = scope or dashboard_scope(user)
    projects = visible_projects(user, scope)
    project_page = None
    if per_page is not None:
        project_page = Paginator(projects.values_list("pk", flat=True), per_page).get_page(page)
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
    return Dashboard(scope, boards, project_page)


def _indicator_order(target: Target) -> int:
    return Indicator.values.index(target.indicator)


def neighbourhood_ids(scope: Scope, snapshots) -> dict[str, int]:
    """Name → id of the neighbourhoods the breakdowns may link to: the scope's, or for those who
    see everything the ones the snapshots name (one query)."""
    if not scope.everything:
        return {hood.name: hood.pk for hood in scope.neighbourhoods}
    names = {name for snapshot in snapshots for name in snapshot.breakdown.get("neighbourhood", {})}
    return dict(Neighbourhood.objects.filter(name__in=names).values_list("name", "pk"))


def target_card(target, scope, snapshot, history, split, project, hood_ids) -> TargetCard:
    if snapshot is None:
        actual = target_value = percent = None
    elif scope.everything:
        actual, target_value, percent = snapshot.actual, snapshot.target_value, snapshot.percent
    else:
        by_hood = snapshot.breakdown.get("neighbourhood", {})
        actual = sum((Decimal(v) for k, v in by_hood.items() if k in scope.names), Decimal(0))
        target_value = split
        percent = progress.percent(actual, split) if split is not None else None
    return TargetCard(
        target=target,
        scope=scope,
        snapshot=snapshot,
        actual=actual,
        target_value=target_value,
        percent=percent,
        breakdowns=breakdowns(snapshot, scope, hood_ids) if snapshot else [],
        history=history,
        start_date=project.start_date,
        end_date=project.end_date,
    )


def breakdowns(snapshot: ProgressSnapshot, scope: Scope, hood_ids: dict[str, int]) -> list[Breakdown]:
    """The snapshot's breakdown JSON as labelled rows; field staff get their neighbourhoods only
    (the other dimensions are project-wide and cannot be split by neighbourhood)."""
    result = []
    for dimension in ("neighbourhood", "sex", "age_band", "kind"):
        values = snapshot.breakdown.get(dimension)
        if values is None or (dimension != "neighbourhood" and not scope.everything):
            continue
        rows = []
        for key, value in sorted(values.items()):
            if dimension == "neighbourhood":
                if key not in hood_ids:
                    continue
                label, filter_value = key, str(hood_ids[key])
            elif dimension == "sex":
                label, filter_value = _choice_label(Sex, key), key
            elif dimension == "kind":
                label, filter_value = _choice_label(StructureKind, key), key
            else:
                label, filter_value = key, key
            rows.append(BreakdownRow(key, label, Decimal(value), DIMENSION_FILTERS[dimension], filter_value))
        result.append(Breakdown(dimension, str(DIMENSION_LABELS[dimension]), rows))
    return result


def _choice_label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


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


# --- secondary figures ---------------------------------------------------------------------------


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
PART_FIGURES = frozenset({"women", "men", "youth", "service_participants"})
SECONDARY_FIGURES = {
    "sessions": "forum_sessions",
    "participants": "forum_sessions",
    "women": "forum_sessions",
    "men": "forum_sessions",
    "youth": "forum_sessions",
    "structures": "structures",
    "beneficiaries": "beneficiaries",
    "services": "esc_services",
    "service_participants": "esc_services",
}


def secondary_figures(
    project_ids: list[int], user, neighbourhoods: tuple[Neighbourhood, ...] | None = None
) -> dict[int, SecondaryFigures]:
    """Forum sessions and participants, structures prioritised, beneficiaries selected and ESC
    services delivered per project and neighbourhood: four grouped aggregates, verified only."""
    values: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))

    sessions = visible(ForumSession.objects.filter(project_id__in=project_ids, review_state=VERIFIED), user)
    for row in (
        sessions.values("project_id", "forum__neighbourhood__name")
        .annotate(sessions=Count("id"), women=Sum("women"), men=Sum("men"), youth=Sum("youth"))
        .order_by()
    ):
        hood = row["forum__neighbourhood__name"]
        for key in ("sessions", "women", "men", "youth"):
            values[row["project_id"]][key][hood] = row[key]
        values[row["project_id"]]["participants"][hood] = row["women"] + row["men"]

    structures = visible(
        StructurePriority.objects.filter(session__project_id__in=project_ids, session__review_state=VERIFIED),
        user,
    )
    for row in (
        structures.values("session__project_id", "session__forum__neighbourhood__name")
        .annotate(n=Count("id"))
        .order_by()
    ):
        values[row["session__project_id"]]["structures"][row["session__forum__neighbourhood__name"]] = row[
            "n"
        ]

    selections = visible(
        BeneficiarySelection.objects.filter(
            session__project_id__in=project_ids, session__review_state=VERIFIED
        ),
        user,
    )
    for row in (
        selections.values("session__project_id", "beneficiary__neighbourhood__name")
        .annotate(n=Count("beneficiary_id", distinct=True))
        .order_by()
    ):
        values[row["session__project_id"]]["beneficiaries"][row["beneficiary__neighbourhood__name"]] = row[
            "n"
        ]

    services = visible(
        EscService.objects.filter(centre__project_id__in=project_ids, review_state=VERIFIED), user
    )
    for row in (
        services.values("centre__project_id", "centre__neighbourhood__name")
        .annotate(n=Count("id"), participants=Sum("participants"))
        .order_by()
    ):
        hood = row["centre__neighbourhood__name"]
        values[row["centre__project_id"]]["services"][hood] = row["n"]
        values[row["centre__project_id"]]["service_participants"][hood] = row["participants"]

    if neighbourhoods is None:  # those the figures name, not every neighbourhood of the programme
        named = {hood for figures in values.values() for by_hood in figures.values() for hood in by_hood}
        neighbourhoods = visible(Neighbourhood.objects.filter(name__in=named).order_by("name"), user)
    hoods = list(neighbourhoods)
    result = {}
    for project_id in project_ids:
        figures = []
        for key, label in SECONDARY_LABELS.items():
            by_hood = values[project_id].get(key, {})
            figures.append(
                SecondaryFigure(key, str(label), sum(by_hood.values()), by_hood, SECONDARY_FIGURES[key])
            )
        present = set().union(*(f.by_neighbourhood for f in figures))
        result[project_id] = SecondaryFigures([h for h in hoods if h.name in present], figures)
    return result


# --- drill-down lists ----------------------------------------------------------------------------


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


def youth_band(project: Project) -> tuple[int, int]:
    target = project.targets.filter(indicator=Indicator.YOUTH_JOBS).first()
    return (target.youth_min_age, target.youth_max_age) if target else DEFAULT_YOUTH_BAND


def _selected_beneficiaries(project: Project) -> QuerySet:
    # Filtered before annotating: the aggregates read the same (filtered) join, and only the
    # project's selections are grouped, not every person of the programme.
    return Beneficiary.objects.filter(
        selections__session__project=project, selections__session__review_state=VERIFIED
    ).annotate(selected_on=Min("selections__session__held_on"), selections_n=Count("selections"))


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
            lambda project: ForumSession.objects.filter(project=project, review_state=VERIFIED),
            ("forum__neighbourhood", "review_changed_by"),
            ("held_on", "pk"),
        ),
        Figure(
            "structures",
            SECONDARY_LABELS["structures"],
            lambda project: StructurePriority.objects.filter(
                session__project=project, session__review_state=VERIFIED
            ),
            ("session__forum__neighbourhood", "site"),
            ("session__held_on", "rank", "pk"),
        ),
        Figure(
            "beneficiaries",
            SECONDARY_LABELS["beneficiaries"],
            _selected_beneficiaries,
            ("neighbourhood",),
            ("selected_on", "code"),
        ),
        Figure(
            "esc_services",
            SECONDARY_LABELS["services"],
            lambda project: EscService.objects.filter(centre__project=project, review_state=VERIFIED),
            ("centre__neighbourhood", "business", "review_changed_by"),
            ("delivered_on", "pk"),
        ),
    ]
}


def figure_records(figure: Figure, project: Project, user) -> QuerySet:
    """The records that make a figure, as the user may see them, ready for a page of rows."""
    records = visible(figure.records(project), user)
    return records.select_related(*figure.related).order_by(*figure.ordering)


def figure_total(figure: Figure, records: QuerySet) -> Decimal | int:
    if figure.sum_field:
        return records.aggregate(total=Sum(figure.sum_field))["total"] or Decimal(0)
    return records.count()


# --- traceability --------------------------------------------------------------------------------


@dataclass
class SiteTrace:
    site: RehabSite
    session: ForumSession | None
    ranking: list[StructurePriority]
    work_records: list[WorkRecord]
    verified_area: Decimal
    businesses: list[Business]
    jobs: list[Job]
    counted_job_ids: frozenset[int]


def site_trace(pk: int, user) -> SiteTrace:
    """From the forum that prioritised a site to the work, businesses and jobs on it."""
    site = visible(
        RehabSite.objects.select_related(
            "project", "neighbourhood", "priority__session__forum__neighbourhood", "contractor__owner"
        ),
        user,
    ).get(pk=pk)
    session = site.priority.session if site.priority else None
    ranking = list(session.priorities.select_related("site").order_by("rank")) if session else []
    records = list(
        visible(site.work_records.select_related("review_changed_by", "created_by"), user).order_by(
            "date", "pk"
        )
    )
    jobs = list(
        visible(site.jobs.select_related("worker", "business", "review_changed_by"), user).order_by(
            "start_date", "pk"
        )
    )
    counted = frozenset(
        counted_youth_jobs(site.project_id, youth_band(site.project))
        .filter(site=site)
        .values_list("pk", flat=True)
    )
    businesses = {b.pk: b for b in [site.contractor, *(job.business for job in jobs)] if b is not None}
    return SiteTrace(
        site=site,
        session=session,
        ranking=ranking,
        work_records=records,
        verified_area=sum((r.completed_area_m2 for r in records if r.review_state == VERIFIED), Decimal(0)),
        businesses=list(businesses.values()),
        jobs=jobs,
        counted_job_ids=counted,
    )


@dataclass
class BeneficiaryPath:
    beneficiary: Beneficiary
    selections: list[BeneficiarySelection]
    jobs: list[Job]
    businesses: list[Business]
    counted_job_ids: frozenset[int]


def beneficiary_path(pk: int, user) -> BeneficiaryPath:
    """A person's path: selected at a forum session, then the jobs and businesses that followed."""
    beneficiary = visible(Beneficiary.objects.select_related("neighbourhood"), user).get(pk=pk)
    selections = list(
        visible(beneficiary.selections.select_related("session__forum", "session__project"), user).order_by(
            "session__held_on"
        )
    )
    jobs = list(
        visible(
            beneficiary.jobs.select_related("business__centre__project", "site", "review_changed_by"), user
        ).order_by("start_date")
    )
    counted: set[int] = set()
    for project in {job.business.centre.project for job in jobs}:
        counted |= set(
            counted_youth_jobs(project.pk, youth_band(project))
            .filter(worker=beneficiary)
            .values_list("pk", flat=True)
        )
    businesses = list(visible(beneficiary.businesses.select_related("centre"), user).order_by("formed_on"))
    return BeneficiaryPath(beneficiary, selections, jobs, businesses, frozenset(counted))

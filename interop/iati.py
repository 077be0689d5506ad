"""The IATI 2.03 activity file: one `iati-activity` per project (interop.iati_activity builds each),
streamed.

The file is never held whole, and its number of queries does not grow with the projects: each kind
of row the builder reads (projects, their parties, units, neighbourhoods, targets, snapshots,
reporting periods and their figures) is one query for the whole file, ordered by project code and
read through a server-side cursor (`QuerySet.iterator`). The streams are merged in lockstep, a
project at a time, like a merge join; the activities are written with lxml's incremental writer
and yielded CHUNK_SIZE projects at a time, so that the memory of a worker serving the file stays
flat whatever the number of projects. `build_activities` parses the streamed file into a tree,
for tests and for small sets of projects.
"""

from __future__ import annotations

import codecs
import gc
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from lxml import etree

from programs.models import Partnership, Project, Target
from progress.models import Milestone, PeriodFigure, PeriodNarrative, ReportingPeriod
from progress.selectors import actual_aggregates, latest_snapshots

from .iati_activity import IATI_VERSION, build_activity, published_periods, reporting_org

#: Rows fetched from each server-side cursor at once, and activities written between two pieces
#: of the streamed file.
CHUNK_SIZE = 200
#: Indentation of the activities inside `iati-activities`, as `pretty_print` gives it.
INDENT = "  "
Indicator = Target.Indicator
_END = object()


def schema_path() -> Path:
    """The official 2.03 schema, vendored in interop/schemas/iati/ (with its README and licence)."""
    folder = Path(settings.BASE_DIR) / "interop" / "schemas" / "iati" / IATI_VERSION
    return folder / "iati-activities-schema.xsd"


def published_projects() -> QuerySet[Project]:
    """The projects of the file, in its order, with their partnership."""
    return Project.objects.select_related("partnership").order_by("code")


class _Groups:
    """One stream of rows ordered as the projects are, taken a project at a time (a merge join)."""

    def __init__(self, rows, project_of: Callable[[object], int], chunk_size: int) -> None:
        self.rows = rows.iterator(chunk_size=chunk_size)
        self.project_of = project_of
        self.head = next(self.rows, _END)  # the cursor is opened now, with the others

    def take(self, project_id: int) -> list:
        group = []
        while self.head is not _END and self.project_of(self.head) == project_id:
            group.append(self.head)
            self.head = next(self.rows, _END)
        return group


def _scoped(rows: QuerySet, path: str, projects: QuerySet[Project] | None) -> QuerySet:
    """`rows` of the file's projects, in the file's order (by project code: it is unique)."""
    rows = rows if projects is None else rows.filter(**{f"{path}__in": projects.values("pk")})
    return rows.order_by(f"{path}__code", *rows.query.order_by)


def _first(row) -> int:
    return row[0]


def _streams(projects: QuerySet[Project] | None, all_periods: bool, chunk_size: int):
    """Every stream of the file: one query each, whatever the number of projects."""
    through = Partnership.parties.through
    streams = {
        "parties": (
            through.objects.select_related("organisation")
            .annotate(_project=F("partnership__projects__id"))
            .order_by("organisation__name", "organisation_id"),
            "partnership__projects",
            lambda row: row._project,
        ),
        "units": (
            Project.implementing_units.through.objects.select_related("organisation").order_by(
                "organisation__name", "organisation_id"
            ),
            "project",
            lambda row: row.project_id,
        ),
        "hoods": (
            Project.neighbourhoods.through.objects.select_related("neighbourhood").order_by(
                "neighbourhood__city", "neighbourhood__name", "neighbourhood_id"
            ),
            "project",
            lambda row: row.project_id,
        ),
        "targets": (Target.objects.order_by("pk"), "project", lambda row: row.project_id),
        "snapshots": (
            latest_snapshots(_scoped(Target.objects.all(), "project", projects))
            .select_related(None)
            .annotate(_project=F("target__project_id"))
            .order_by("target_id"),
            "target__project",
            lambda row: row._project,
        ),
        "periods": (ReportingPeriod.objects.order_by("end", "pk"), "project", lambda row: row.project_id),
        "milestones": (
            Milestone.objects.values_list("period__project_id", "target_id", "period_id", "value"),
            "period__project",
            _first,
        ),
        "figures": (
            PeriodFigure.objects.select_related("period").order_by("pk"),
            "period__project",
            lambda row: row.period.project_id,
        ),
        "narratives": (
            PeriodNarrative.objects.values_list("period__project_id", "target_id", "period_id", "text"),
            "period__project",
            _first,
        ),
    }
    streams["figures"] = (streams["figures"][0].select_related("period"), *streams["figures"][1:])
    counting: dict = {}
    if all_periods:
        live, counting = _live_streams(projects)
        streams.update({f"live_{name}": stream for name, stream in live.items()})
    streams["projects"] = (published_projects(), None, lambda row: row.pk)
    groups = {}
    for name, (rows, path, project_of) in streams.items():
        rows = rows if path is None else _scoped(rows, path, projects)
        if path is None and projects is not None:
            rows = rows.filter(pk__in=projects.values("pk"))
        groups[name] = _Groups(rows, project_of, chunk_size)
    return groups, counting


def _live_streams(projects: QuerySet[Project] | None) -> tuple[dict[str, tuple], dict]:
    """The live figures of every reporting period (for `all_periods`): the three aggregates of
    `progress.selectors` (`actual_aggregates`, by period), each one query, ordered here by project;
    each project's rows are added up by `progress.selectors.actuals_added_up`."""
    scope = Project.objects.all() if projects is None else projects
    ids = list(scope.order_by().values_list("pk", flat=True))
    youth = Target.objects.filter(project__in=scope.values("pk"), indicator=Indicator.YOUTH_JOBS)
    bands = {
        pk: (low, high) for pk, low, high in youth.values_list("project_id", "youth_min_age", "youth_max_age")
    }
    found = actual_aggregates(ids, youth_bands=bands, by_period=True)
    streams = {
        "businesses": (found.businesses.order_by(), "centre__project", _first),
        "jobs": (found.jobs.order_by(), "business__centre__project", _first),
        "area": (found.area.order_by(), "site__project", _first),
    }
    return streams, {"youth_bands": bands, "edges": found.edges}


def _cache(instance, name: str, objects: list) -> None:
    """Give `instance.<name>.all()` its rows, as `prefetch_related` does: read without a query."""
    rows = getattr(instance, name).all()
    rows._result_cache, rows._prefetch_done = objects, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = rows


def _activities(projects: QuerySet[Project] | None, *, all_periods: bool, chunk_size: int, **context):
    """Each project's activity, built from its groups of every stream."""
    groups, counting = _streams(projects, all_periods, chunk_size)
    try:
        while (project := groups["projects"].head) is not _END:
            groups["projects"].take(project.pk)
            targets = groups["targets"].take(project.pk)
            _cache(project, "targets", targets)
            units = [row.organisation for row in groups["units"].take(project.pk)]
            _cache(project, "implementing_units", units)
            hoods = [row.neighbourhood for row in groups["hoods"].take(project.pk)]
            _cache(project, "neighbourhoods", hoods)
            parties = [row.organisation for row in groups["parties"].take(project.pk)]
            _cache(project.partnership, "parties", parties)
            snapshots = {s.target_id: s for s in groups["snapshots"].take(project.pk)}
            periods = published_periods(project, targets, groups, all_periods, counting)
            yield build_activity(project, snapshots=snapshots, periods=periods, **context)
    finally:
        # Each cursor closed while the transaction that holds it is open.
        for group in groups.values():
            group.rows.close()


@contextmanager
def _one_state():
    """The streams read inside one transaction (their cursors are not held past it), and, when it
    is ours on PostgreSQL, in one snapshot of the database: they agree on the projects."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class _Pending:
    """What lxml's incremental writer has written and the stream not yet yielded."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _stream(
    projects: QuerySet[Project] | None, *, all_periods: bool, chunk_size: int
) -> Iterator[tuple[bytes, int]]:
    """The file's bytes with the number of activities in them, CHUNK_SIZE activities at a time."""
    now = timezone.now()
    attributes = {"version": IATI_VERSION, "generated-datetime": now.isoformat(timespec="seconds")}
    pending = _Pending()
    with _one_state(), ExitStack() as stack, etree.xmlfile(pending, encoding="UTF-8") as xf:
        context = {"publisher": reporting_org(), "today": timezone.localdate(now)}
        activities = stack.enter_context(
            closing(_activities(projects, all_periods=all_periods, chunk_size=chunk_size, **context))
        )
        xf.write_declaration()  # with its line break
        first = next(activities, None)
        if first is None:
            # As `pretty_print` writes an empty document: the root element, closed at once.
            xf.write(etree.Element("iati-activities", attributes))
        else:
            with xf.element("iati-activities", attributes):
                xf.write("\n")
                count = 0
                for activity in _chained(first, activities):
                    # Indented as a child of the root, as `pretty_print` indents it.
                    etree.indent(activity, space=INDENT, level=1)
                    xf.write(INDENT, activity, "\n")
                    count += 1
                    if count == chunk_size:
                        # The projects' model instances hold reference cycles (a project and its
                        # targets point at each other): freed now, not at a later full collection.
                        gc.collect()
                        xf.flush()
                        yield pending.take(), count
                        count = 0
                if count:
                    xf.flush()
                    yield pending.take(), count
        # lxml writes no text outside the root element: the last line break goes to the output.
        xf.flush()
        pending.write(b"\n")
    yield pending.take(), 0


def _chained(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest


def stream_activities(
    projects: QuerySet[Project] | None = None, *, all_periods: bool = False, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The `iati-activities` document of `projects` (all projects when None), as UTF-8 bytes, one
    piece per chunk of projects. Each indicator has a period per approved reporting period (per
    reporting period with `all_periods`), or, when none is published, one for the whole project."""
    for data, _count in _stream(projects, all_periods=all_periods, chunk_size=chunk_size):
        if data:
            yield data


def write_activities(
    write: Callable[[bytes], object],
    projects: QuerySet[Project] | None = None,
    *,
    all_periods: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Stream the document into `write` (a binary file's `write`); returns the number of activities."""
    total = 0
    for data, count in _stream(projects, all_periods=all_periods, chunk_size=chunk_size):
        write(data)
        total += count
    return total


def text_writer(write: Callable[[str], object]) -> Callable[[bytes], None]:
    """A `write` of bytes over a `write` of text (a command's stdout), decoding UTF-8 incrementally."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    return lambda data: write(decoder.decode(data))


def build_activities(
    projects: QuerySet[Project] | None = None, *, all_periods: bool = False
) -> etree._ElementTree:
    """The streamed document as a tree. It holds every activity: for tests and small sets of
    projects; the view and the command stream."""
    data = b"".join(stream_activities(projects, all_periods=all_periods))
    return etree.ElementTree(etree.fromstring(data, etree.XMLParser(remove_blank_text=True)))


def render(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(tree: etree._ElementTree, xsd: Path | None = None) -> None:
    """Raise `lxml.etree.DocumentInvalid` with the first error if the document breaks the schema."""
    schema = etree.XMLSchema(etree.parse(str(xsd or schema_path())))
    schema.assertValid(tree)


def validate_file(path: str | Path, xsd: Path | None = None) -> None:
    """Check a written file against the schema while reading it, an activity at a time (memory stays
    flat). Raises `lxml.etree.XMLSyntaxError` with the first error if it is malformed or invalid."""
    schema = etree.XMLSchema(etree.parse(str(xsd or schema_path())))
    for _event, activity in etree.iterparse(str(path), events=("end",), tag="iati-activity", schema=schema):
        activity.clear()
        while activity.getprevious() is not None:
            del activity.getparent()[0]

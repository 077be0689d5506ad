"""The IATI 2.03 activity file: one `iati-activity` per project (interop.iati_activity builds each),
streamed a chunk of projects at a time.

The file is never held whole: `stream_activities` reads CHUNK_SIZE projects with what their
activities need (a fixed number of queries per chunk, none per project), writes their activities
with lxml's incremental writer and yields the bytes, so that the memory of a worker serving it
stays flat whatever the number of projects. `build_activities` parses the streamed file into a
tree, for tests and for small sets of projects.
"""

from __future__ import annotations

import codecs
import datetime
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from programs.models import Project, Target
from progress.models import PeriodState, ReportingPeriod
from progress.period_selectors import TargetPeriods, period_tables
from progress.selectors import latest_snapshots

from .iati_activity import IATI_VERSION, Publisher, build_activity, reporting_org

#: Projects read and written together: what a worker holds at once, and how many of them share
#: one round of queries.
CHUNK_SIZE = 200
#: Indentation of the activities inside `iati-activities`, as `pretty_print` gives it.
INDENT = "  "


def schema_path() -> Path:
    """The official 2.03 schema, vendored in interop/schemas/iati/ (with its README and licence)."""
    folder = Path(settings.BASE_DIR) / "interop" / "schemas" / "iati" / IATI_VERSION
    return folder / "iati-activities-schema.xsd"


def published_projects() -> QuerySet[Project]:
    """The projects of the file, with what the builder reads, in a fixed number of queries."""
    return (
        Project.objects.select_related("partnership")
        .prefetch_related(
            "partnership__parties",
            "implementing_units",
            "neighbourhoods",
            "targets",
        )
        .order_by("code")
    )


def _published_periods(projects: list[Project], all_periods: bool) -> dict[int, TargetPeriods]:
    """Each target's reporting periods to publish: the approved (and locked) ones, or all."""
    if not projects:
        return {}
    frozen = ReportingPeriod.objects.filter(
        project__in=projects, state__in=[PeriodState.APPROVED, PeriodState.LOCKED]
    )
    if not all_periods:
        with_approved = set(frozen.values_list("project_id", flat=True))
        projects = [p for p in projects if p.pk in with_approved]
        if not projects:
            return {}
    published = {}
    for tables in period_tables(projects).values():
        for table in tables:
            rows = table.rows if all_periods else [row for row in table.rows if row.frozen]
            published[table.target.pk] = TargetPeriods(table.target, rows)
    return published


def _ids(projects: QuerySet[Project]) -> list[int]:
    """The projects' ids in their order: the file's chunks are slices of it."""
    return list(projects.prefetch_related(None).values_list("pk", flat=True))


def _chunk(projects: QuerySet[Project], pks: list[int]) -> list[Project]:
    place = {pk: index for index, pk in enumerate(pks)}
    return sorted(projects.filter(pk__in=pks), key=lambda project: place[project.pk])


def _chunk_activities(
    projects: list[Project], *, publisher: Publisher, today: datetime.date, all_periods: bool
) -> Iterator[etree._Element]:
    """The activities of one chunk, in a fixed number of queries whatever its size."""
    periods = _published_periods(projects, all_periods)
    targets = Target.objects.filter(project__in=[p.pk for p in projects])
    # Without the target and project joined to each snapshot: the chunk has them already.
    snapshots = {s.target_id: s for s in latest_snapshots(targets).select_related(None)}
    for project in projects:
        yield build_activity(project, publisher=publisher, snapshots=snapshots, today=today, periods=periods)


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
    """The file's bytes with the number of activities in them, a chunk of projects at a time."""
    now = timezone.now()
    context = {"publisher": reporting_org(), "today": timezone.localdate(now), "all_periods": all_periods}
    attributes = {"version": IATI_VERSION, "generated-datetime": now.isoformat(timespec="seconds")}
    projects = published_projects() if projects is None else projects
    pks = _ids(projects)
    pending = _Pending()
    with etree.xmlfile(pending, encoding="UTF-8") as xf:
        xf.write_declaration()  # with its line break
        if not pks:
            # As `pretty_print` writes an empty document: the root element, closed at once.
            xf.write(etree.Element("iati-activities", attributes))
        else:
            with xf.element("iati-activities", attributes):
                xf.write("\n")
                for start in range(0, len(pks), chunk_size):
                    count = _write_chunk(xf, _chunk(projects, pks[start : start + chunk_size]), **context)
                    # The chunk's model instances hold reference cycles (a project and its prefetched
                    # targets point at each other): freed now, not at some later full collection
                    # with the next chunks on top of them.
                    gc.collect()
                    xf.flush()
                    yield pending.take(), count
        # lxml writes no text outside the root element: the last line break goes to the output.
        xf.flush()
        pending.write(b"\n")
    yield pending.take(), 0


def _write_chunk(xf, projects: list[Project], **context) -> int:
    count = 0
    for activity in _chunk_activities(projects, **context):
        # Indented as a child of the root, as `pretty_print` indents it.
        etree.indent(activity, space=INDENT, level=1)
        xf.write(INDENT, activity, "\n")
        count += 1
    return count


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

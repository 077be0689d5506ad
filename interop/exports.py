"""The CSV of every job a user may see, streamed by PostgreSQL's own `COPY … TO STDOUT`.

The query is an ordinary query set, so scoping is `programs.access.visible` as everywhere
else; the database neutralises the text cells (`Neutralised`, the same FORMULA_STARTS as
`programs.spreadsheets.neutralise`, a test holds the two equal) and PostgreSQL writes the CSV
itself. Cell by cell in Python (`csv.writer` over `values_list(...).iterator()`) the same file
took five times as long as a raw COPY; this way it stays within about twice.

Other databases (the embedded SQLite of `make demo`) have no COPY: there the same query set is
read through an iterating cursor, FETCH_ROWS rows at a time, and written by `csv.writer` in the
same blocks (`_rows_as_csv`): the same columns, cells and neutralisation, only slower.

`copy_expert` blocks until the whole COPY is done, so a thread runs it and hands the rows over
in blocks of about BLOCK_BYTES through a queue of QUEUE_BLOCKS: at most a few hundred kB are
held, whatever the number of jobs. The thread uses the request's own database connection (a
psycopg2 connection may be shared between threads) while the request thread only waits on the
queue: no second connection, and the COPY sees what the request sees (in tests, their
transaction).

The personal columns (the worker's date of birth and phone) are there only for users who may
view personal data.
"""

from __future__ import annotations

import csv
import io
import os
import queue
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, F, Func, TextField, Value, When
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises.models import Job
from programs.access import may_use_programme, may_view_personal_data, visible
from programs.models import ReviewState
from programs.spreadsheets import FORMULA_STARTS

CSV_TYPE = "text/csv; charset=utf-8"
#: Who may export jobs: whoever sees jobs on the dashboard (field staff: their neighbourhoods').
#: Bytes handed over at a time, and blocks that may wait in the queue (the memory bound).
BLOCK_BYTES = 64 * 1024
QUEUE_BLOCKS = 8
#: Seconds the COPY thread waits for a reader that has gone before it gives up.
STALLED_READER_SECONDS = 300


class Neutralised(Func):
    """Text a spreadsheet would read as a formula gets a leading quote, as `neutralise` does.
    `ascii()` of the first character against codes is cheaper than `left(x, 1) IN (...)`."""

    output_field = TextField()
    #: The SQL function giving the code of a text's first character.
    first_code = "ascii"

    def as_sql(self, compiler, connection, first_code=None, **extra):
        x, params = compiler.compile(self.source_expressions[0])
        codes = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
        code = f"{first_code or self.first_code}({x})"
        sql = f"CASE WHEN {code} IN ({codes}) THEN '''' || {x} ELSE {x} END"
        return sql, [*params, *params, *params]

    def as_sqlite(self, compiler, connection, **extra):
        """SQLite has no `ascii()`; its `unicode()` gives the same code of the first character."""
        return self.as_sql(compiler, connection, first_code="unicode", **extra)


@dataclass(frozen=True)
class Column:
    header: Promise
    cell: object  # a callable returning the cell's expression (built per export: labels translate)
    personal: bool = False


def _field(name: str):
    return lambda: F(name)


def _text(name: str):
    return lambda: Neutralised(F(name))


def _labelled(name: str, labels):
    """A coded value written as its translated label."""

    def cell():
        whens = [When(**{name: code}, then=Value(str(label))) for code, label in labels().items()]
        return Case(*whens, default=F(name), output_field=TextField())

    return cell


def _yes_no(name: str):
    return lambda: Case(When(**{name: True}, then=Value(gettext("yes"))), default=Value(gettext("no")))


JOB_COLUMNS = [
    Column(_("Job"), _field("id")),
    Column(_("Worker code"), _text("worker__code")),
    Column(_("Date of birth"), _field("worker__date_of_birth"), personal=True),
    Column(_("Phone"), _text("worker__phone"), personal=True),
    Column(_("Business"), _text("business__name")),
    Column(_("Neighbourhood"), _text("business__neighbourhood__name")),
    Column(_("Role"), _text("role")),
    Column(_("Start date"), _field("start_date")),
    Column(_("End date"), _field("end_date")),
    Column(_("Rehabilitation work"), _yes_no("is_rehab_work")),
    Column(_("Rehabilitation site"), _text("site__name")),
    Column(_("Review state"), _labelled("review_state", lambda: dict(ReviewState.choices))),
    Column(_("Project"), _text("business__centre__project__code")),
]


def may_export_jobs(user) -> bool:
    return may_use_programme(user)


def jobs_filename() -> str:
    return f"jobs-{timezone.localdate():%Y-%m-%d}.csv"


def job_columns_for(user) -> list[Column]:
    personal = may_view_personal_data(user)
    return [column for column in JOB_COLUMNS if personal or not column.personal]


def jobs_for_export(user, columns: list[Column]):
    """The jobs `user` may see, in id order, one value per column (text neutralised)."""
    cells = {f"c{i}": column.cell() for i, column in enumerate(columns)}
    return visible(Job.objects.all(), user).annotate(**cells).order_by("id").values_list(*cells)


def header_line(columns: list[Column]) -> bytes:
    """The translated column labels, after a byte-order mark so that spreadsheets read UTF-8
    (as the dashboard's CSV files do)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([gettext(column.header) for column in columns])
    return ("\ufeff" + out.getvalue()).encode()


def copies() -> bool:
    """Whether the database writes the CSV itself (PostgreSQL's COPY)."""
    return connection.vendor == "postgresql"


#: Rows read at a time from the cursor where the database has no COPY.
FETCH_ROWS = 2000


def _rows_as_csv(queryset) -> Iterator[bytes]:
    """The rows of `queryset` as CSV in blocks of about BLOCK_BYTES, for databases without COPY:
    read through an iterating cursor, FETCH_ROWS at a time, so that memory stays bounded
    whatever the number of jobs. Cells come out as COPY writes them (ISO dates, nothing for
    NULL, a line feed after each row); a CSV reader reads the two files alike."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in queryset.iterator(chunk_size=FETCH_ROWS):
        writer.writerow(row)
        if out.tell() >= BLOCK_BYTES:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode()


def _copy_sql(queryset) -> str:
    """`COPY (<the query set's SQL>) TO STDOUT` as CSV. COPY takes no parameters, so psycopg2
    interpolates them here exactly as it does for every query it sends."""
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        select = cursor.mogrify(sql, params).decode()
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"


def write_jobs_csv(user, out: IO[bytes]) -> None:
    """The whole CSV into a binary file (the Celery export), straight from COPY where the
    database has it."""
    columns = job_columns_for(user)
    out.write(header_line(columns))
    jobs = jobs_for_export(user, columns)
    if not copies():
        for block in _rows_as_csv(jobs):
            out.write(block)
        return
    copy = _copy_sql(jobs)
    with connection.connection.cursor() as cursor:
        cursor.copy_expert(copy, out)


class _Cancelled(Exception):
    """The reader went away: stop the COPY."""


class _QueueSink:
    """What `copy_expert` writes to: rows gathered into blocks, put on a bounded queue."""

    def __init__(self, blocks: queue.Queue, cancelled: threading.Event) -> None:
        self.blocks, self.cancelled = blocks, cancelled
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> None:
        if self.cancelled.is_set():
            raise _Cancelled
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= BLOCK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.put(b"".join(self.parts))
            self.parts, self.size = [], 0

    def put(self, item) -> None:
        waited = 0
        while not self.cancelled.is_set():
            try:
                self.blocks.put(item, timeout=1)
                return
            except queue.Full:
                waited += 1
                if waited >= STALLED_READER_SECONDS:
                    break
        raise _Cancelled


_DONE = object()


def stream_jobs_csv(user) -> Iterator[bytes]:
    """The CSV in blocks of about BLOCK_BYTES, for a StreamingHttpResponse. Nothing runs until
    the first block is asked for; if the reader stops early the COPY is stopped and the
    connection, left mid-COPY, is closed (Django opens a new one when next needed). Without
    COPY, the rows are read and written here, in the reading thread."""
    columns = job_columns_for(user)
    jobs = jobs_for_export(user, columns)
    if not copies():
        yield header_line(columns)
        yield from _rows_as_csv(jobs)
        return
    copy = _copy_sql(jobs)
    yield header_line(columns)

    blocks: queue.Queue = queue.Queue(maxsize=QUEUE_BLOCKS)
    cancelled = threading.Event()
    raw = connection.connection
    failure: list[BaseException] = []

    def run() -> None:
        sink = _QueueSink(blocks, cancelled)
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(copy, sink)
            sink.flush()
        except BaseException as error:  # noqa: BLE001 - re-raised in the reading thread
            failure.append(error)
        finally:
            try:
                sink.put(_DONE)
            except _Cancelled:
                pass

    thread = threading.Thread(target=run, name="jobs-csv-copy", daemon=True)
    thread.start()
    finished = False
    try:
        while (block := blocks.get()) is not _DONE:
            yield block
        finished = True
    finally:
        cancelled.set()
        while thread.is_alive():  # unblock a waiting put, then let the thread see `cancelled`
            try:
                blocks.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()
        if not finished or failure:
            connection.close()
        if failure and not isinstance(failure[0], _Cancelled):
            raise failure[0]


# --- the same file prepared in the background -----------------------------------------------------

#: Where prepared files go: MEDIA_ROOT/<EXPORT_DIR>/<user id>/<token>.csv, served by no URL of
#: the web server, only by `views.job_export_file` to the user who asked for it.
EXPORT_DIR = "exports/jobs"
#: How long a prepared file is kept (removed when the same user asks for a new one).
KEEP_SECONDS = 24 * 60 * 60


class ExportState:
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


def export_dir(user_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR / str(int(user_id))


def export_path(user_id: int, token: str, state: str = ExportState.READY) -> Path:
    """The file of an export in a given state: `<token>.csv` once ready, a marker before."""
    suffix = {ExportState.READY: ".csv", ExportState.PENDING: ".pending", ExportState.FAILED: ".failed"}
    return export_dir(user_id) / f"{token}{suffix[state]}"


#: The tokens `services.job_export_request` draws (`secrets.token_urlsafe(16)`); any other
#: shape is no file of ours (a name of 500 characters made `exists()` raise: a 500).
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


def export_state(user_id: int, token: str) -> str | None:
    """Ready, failed or pending; None for a token this user never had."""
    if not TOKEN.fullmatch(token):
        return None
    for state in (ExportState.READY, ExportState.FAILED, ExportState.PENDING):
        if export_path(user_id, token, state).exists():
            return state
    return None


def job_export_build(*, user_id: int, token: str, language: str) -> None:
    """Write the CSV of the jobs `user_id` may see to their file for `token` (the Celery task).
    Idempotent: a file already written is kept; the file appears whole or not at all."""
    final = export_path(user_id, token)
    if final.exists():
        return
    user = get_user_model().objects.get(pk=user_id)
    partial = final.with_suffix(".part")
    try:
        with translation.override(language), partial.open("wb") as out:
            write_jobs_csv(user, out)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        export_path(user_id, token, ExportState.FAILED).touch()
        raise
    finally:
        export_path(user_id, token, ExportState.PENDING).unlink(missing_ok=True)


def remove_old_exports(user_id: int) -> None:
    """The user's prepared files older than KEEP_SECONDS: they may hold personal data."""
    folder = export_dir(user_id)
    if not folder.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)

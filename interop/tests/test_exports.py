"""The CSV export of all jobs: content, scoping, neutralisation, personal columns, streaming."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import subprocess
import sys
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import ROOT, make_user, run_with_broker_down, subprocess_env, wait_for
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory, JobFactory
from interop import exports, tasks
from programs import roles
from programs.models import AccessAudit, ReviewState
from programs.spreadsheets import FORMULA_STARTS, neutralise
from tests.worlds import BEL_AIR, FORT_NATIONAL, two_neighbourhoods

pytestmark = pytest.mark.django_db

URL = "/export/jobs.csv"
HEADER = [
    "Job",
    "Worker code",
    "Business",
    "Neighbourhood",
    "Role",
    "Start date",
    "End date",
    "Rehabilitation work",
    "Rehabilitation site",
    "Review state",
    "Project",
]


@pytest.fixture
def world():
    hoods = two_neighbourhoods(project_code="esc-test", records=False)
    bel_air, fort_national = hoods[BEL_AIR], hoods[FORT_NATIONAL]
    return {
        "project": hoods["project"],
        "bel_air": bel_air.neighbourhood,
        "fort_national": fort_national.neighbourhood,
        "centres": {hood.neighbourhood.name: hood.centre for hood in (bel_air, fort_national)},
    }


def job_in(world, hood: str, **kwargs) -> Job:
    business = kwargs.pop("business", None) or BusinessFactory(centre=world["centres"][hood])
    return JobFactory(business=business, **kwargs)


def download(client, **headers) -> list[list[str]]:
    response = client.get(URL, **headers)
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def user_with(role: str, *, neighbourhoods=(), name=None):
    return make_user(name or f"export-{role.split()[0].lower()}", role, neighbourhoods=neighbourhoods)


def test_the_export_has_a_header_and_one_row_per_job_in_id_order(client, world):
    first = job_in(world, "Bel Air", role="Mason", end_date=datetime.date(2015, 1, 31))
    second = job_in(
        world,
        "Fort National",
        role="Helper",
        review_state=ReviewState.VERIFIED,
        review_changed_at=timezone.now(),
    )
    client.force_login(user_with(roles.ILO_MANAGERS))

    header, *rows = download(client)

    assert header == HEADER
    assert rows == [
        [str(first.pk), first.worker.code, first.business.name, "Bel Air", "Mason",
         "2014-08-01", "2015-01-31", "yes", "", "Draft", "esc-test"],  # a mason does construction work
        [str(second.pk), second.worker.code, second.business.name, "Fort National", "Helper",
         "2014-08-01", "", "no", "", "Verified", "esc-test"],
    ]  # fmt: skip


def test_the_header_and_labels_follow_the_language_of_the_request(client, world):
    job_in(world, "Bel Air")
    client.force_login(user_with(roles.ILO_MANAGERS))

    header, row = download(client, HTTP_ACCEPT_LANGUAGE="fr")

    assert "Quartier" in header and "Neighbourhood" not in header
    assert row[HEADER.index("Review state")] == "Brouillon"


def test_the_response_is_a_dated_csv_attachment_streamed_as_it_is_read(client, world):
    job_in(world, "Bel Air")
    client.force_login(user_with(roles.ILO_MANAGERS))

    response = client.get(URL)

    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="jobs-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    b"".join(response.streaming_content)


def test_field_staff_never_see_another_neighbourhoods_job(client, world):
    own = job_in(world, "Bel Air", role="Mason")
    job_in(world, "Fort National", role="FNMARK", business=BusinessFactory(
        centre=world["centres"]["Fort National"], name="FNMARK business"))  # fmt: skip
    client.force_login(user_with(roles.FIELD_STAFF, neighbourhoods=[world["bel_air"]]))

    header, *rows = download(client)

    assert [row[0] for row in rows] == [str(own.pk)]
    assert not any("Fort National" in cell or "FNMARK" in cell for row in rows for cell in row)


def test_a_user_without_a_role_is_refused_and_anonymous_users_go_to_the_login_page(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(User.objects.create_user("nobody"))
    assert client.get(URL).status_code == 403


def test_text_that_a_spreadsheet_would_run_comes_out_quoted(client, world):
    business = BusinessFactory(centre=world["centres"]["Bel Air"], name="=cmd|' /C calc'!A0")
    job_in(world, "Bel Air", business=business, role="@SUM(A1)")
    client.force_login(user_with(roles.ILO_MANAGERS))

    _header, row = download(client)

    assert row[HEADER.index("Business")] == "'=cmd|' /C calc'!A0"
    assert row[HEADER.index("Role")] == "'@SUM(A1)"


@pytest.mark.parametrize(
    "text",
    [
        "=cmd",
        "+509 3712 3456",
        "-2",
        "@x",
        "\tx",
        "\rx",
        "plain",
        "",
        "'=already",
        "é=",
        "=é",
        "\uff1d1+1",
        "\uff20x",
    ],
)
def test_the_databases_neutralisation_is_the_one_of_the_other_exports(text):
    JobFactory()
    neutralised = Job.objects.annotate(cell=exports.Neutralised(Value(text))).values_list("cell", flat=True)
    assert list(neutralised) == [neutralise(text)]
    if text.startswith(("\uff1d", "\uff20")):  # full-width = and @: formulas in an East Asian spreadsheet
        assert neutralise(text) == "'" + text


def test_personal_columns_only_for_those_allowed_to_see_personal_data(client, world):
    job = job_in(world, "Bel Air")
    client.force_login(user_with(roles.ILO_MANAGERS))
    header, row = download(client)
    assert "Phone" not in header and "Date of birth" not in header
    assert job.worker.phone not in ",".join(row) and "1994-06-15" not in row

    client.force_login(user_with(roles.ADMINISTRATORS))
    header, row = download(client)
    assert header[2:4] == ["Date of birth", "Phone"]
    assert row[2:4] == ["1994-06-15", "'+509 3712 3456"]  # neutralised, as in the admin's export


def test_each_export_is_audited_saying_whether_it_held_personal_data(client, world):
    manager, administrator = user_with(roles.ILO_MANAGERS), user_with(roles.ADMINISTRATORS)
    for user in (manager, administrator):
        client.force_login(user)
        download(client)

    audits = AccessAudit.objects.filter(action=AccessAudit.Action.EXPORT, path=URL)
    assert sorted(audits.values_list("username", "what")) == [
        (administrator.username, "jobs.csv (with personal data)"),
        (manager.username, "jobs.csv"),
    ]


def test_the_query_count_does_not_grow_with_the_number_of_jobs(client, world):
    client.force_login(user_with(roles.FIELD_STAFF, neighbourhoods=[world["bel_air"]]))

    def queries_for_export() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = download(client)
        return len(queries), len(rows) - 1

    for _ in range(5):
        job_in(world, "Bel Air")
    few, five = queries_for_export()
    for _ in range(45):
        job_in(world, "Bel Air")
    many, fifty = queries_for_export()

    assert (five, fifty) == (5, 50)
    assert many == few


@pytest.mark.django_db(transaction=True)
def test_a_download_stopped_early_stops_the_copy_and_leaves_a_working_connection(world, monkeypatch):
    monkeypatch.setattr(exports, "BLOCK_BYTES", 64)
    monkeypatch.setattr(exports, "QUEUE_BLOCKS", 1)
    for _ in range(30):
        job_in(world, "Bel Air")
    blocks = exports.stream_jobs_csv(user_with(roles.ILO_MANAGERS))

    assert next(blocks).startswith("\ufeff".encode())
    assert next(blocks)  # the COPY has started and waits on the full queue
    blocks.close()

    assert not any(thread.name == "jobs-csv-copy" for thread in threading.enumerate())
    assert Job.objects.count() == 30  # a fresh connection: the one left mid-COPY was closed


@pytest.mark.django_db(transaction=True)
def test_more_rows_than_a_block_arrive_whole_and_in_order(world, monkeypatch):
    monkeypatch.setattr(exports, "BLOCK_BYTES", 64)
    monkeypatch.setattr(exports, "QUEUE_BLOCKS", 1)
    made = [job_in(world, "Bel Air").pk for _ in range(30)]
    manager = user_with(roles.ILO_MANAGERS)

    body = b"".join(exports.stream_jobs_csv(manager)).decode()

    _header, *rows = csv.reader(io.StringIO(body[1:]))
    assert [int(row[0]) for row in rows] == made


# --- prepared in the background ------------------------------------------------------------------
# Through the real parts: the request queues the task on Redis when its transaction commits, a
# Celery worker process (conftest's `celery_worker`) writes the file, the test reads it back. The
# files go to the test settings' own MEDIA_ROOT (.run/test-media), which the worker process shares
# (a `settings` override would not reach it); `prepared` removes each test's files afterwards.


@pytest.fixture
def prepared():
    """The exports a test asked for, as (user id, token): their files are removed afterwards."""
    made: list[tuple[int, str]] = []
    yield made
    for user_id, token in made:
        folder = exports.export_dir(user_id)
        for path in folder.glob(f"{token}.*"):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: another export of the same user id
            folder.rmdir()


def token_of(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[1]


def files_of(user_id: int, token: str) -> list[str]:
    return sorted(path.name for path in exports.export_dir(user_id).glob(f"{token}.*"))


@contextlib.contextmanager
def jobs_table_locked():
    """The jobs table locked by another connection: the worker's COPY of it waits until the end
    of the block, so the test sees the file while it is being prepared."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Job._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        other.rollback()
        other.close()


def waiting_on_the_jobs_table() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
            [Job._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_asked_for_is_prepared_by_the_worker_and_downloaded_when_ready(
    client, world, prepared, celery_worker
):
    own = job_in(world, "Bel Air")
    job_in(world, "Fort National", role="FNMARK")
    staff = user_with(roles.FIELD_STAFF, neighbourhoods=[world["bel_air"]])
    client.force_login(staff)

    with jobs_table_locked():
        response = client.post(reverse("interop:job-export-request"))
        location = response["Location"]
        token = token_of(location)
        prepared.append((staff.pk, token))
        assert response.status_code == 302
        assert location == reverse("interop:job-export-file", args=[token])
        wait_for(waiting_on_the_jobs_table)  # the worker has the task and is in its COPY
        pending = client.get(location)
        assert pending.status_code == 200 and b"being prepared" in pending.content

    def page_once_ready():
        response = client.get(location)
        if response.streaming:
            return response
        assert b"being prepared" in response.content  # until the worker has finished
        return None

    ready = wait_for(page_once_ready, timeout=15)
    assert ready.status_code == 200
    assert ready["Content-Disposition"].startswith('attachment; filename="jobs-')
    body = b"".join(ready.streaming_content).decode()
    ready.close()
    header, *rows = csv.reader(io.StringIO(body[1:]))
    assert header == HEADER and [row[0] for row in rows] == [str(own.pk)]
    assert "FNMARK" not in body
    assert files_of(staff.pk, token) == [f"{token}.csv"]  # no marker, no partial file left

    # Idempotent (a message delivered again runs the task again): the file is kept as it is,
    # even though a new job would now be in it.
    path = exports.export_path(staff.pk, token)
    written = path.stat().st_mtime_ns
    job_in(world, "Bel Air")
    tasks.build_job_export.run(staff.pk, token, "en")
    tasks.build_job_export.run(staff.pk, token, "en")
    assert path.stat().st_mtime_ns == written and path.read_text() == body
    assert files_of(staff.pk, token) == [f"{token}.csv"]


def test_only_the_user_who_asked_reaches_a_prepared_file(client, world, prepared):
    # The test's transaction is rolled back, never committed: the message to the worker, sent
    # when the request's transaction commits, is never sent. The pending marker is written.
    manager = user_with(roles.ILO_MANAGERS)
    client.force_login(manager)
    location = client.post(reverse("interop:job-export-request"))["Location"]
    prepared.append((manager.pk, token_of(location)))
    assert b"being prepared" in client.get(location).content

    client.force_login(user_with(roles.ADMINISTRATORS))
    assert client.get(location).status_code == 404


#: For the scripts run by a process: signed in as the suite's `force_login` does, with the
#: second factor verified for those who sign in with one (`conftest`); nothing where there is none.
SIGNED_IN_AS_THE_SUITE = """
try:
    from accounts.testing import client_verify_second_factor
except ImportError:
    def client_verify_second_factor(client, user):
        pass
"""


@pytest.mark.django_db(transaction=True)
def test_a_file_that_could_not_be_prepared_says_so(client, world, prepared):
    manager = user_with(roles.ILO_MANAGERS)
    script = f"""
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
{SIGNED_IN_AS_THE_SUITE}
client = Client(HTTP_HOST="localhost")
user = User.objects.get(pk={manager.pk})
client.force_login(user)
client_verify_second_factor(client, user)
print(client.post("/export/jobs/")["Location"])
"""
    # The process asks for the export as the web server would, with its broker unreachable.
    done = run_with_broker_down(script)
    assert done.returncode == 0, done.stderr
    assert "Could not queue the job export" in done.stderr
    location = done.stdout.strip().splitlines()[-1]
    token = token_of(location)
    prepared.append((manager.pk, token))

    client.force_login(manager)
    response = client.get(location)

    assert response.status_code == 200 and b"could not be prepared" in response.content
    assert files_of(manager.pk, token) == [f"{token}.failed"]


def test_the_export_page_offers_both_ways(client, world):
    client.force_login(user_with(roles.ILO_MANAGERS))

    page = client.get(reverse("interop:job-export-request")).content.decode()

    assert f'href="{URL}"' in page
    assert f'action="{reverse("interop:job-export-request")}"' in page


# --- on the embedded SQLite of `make demo` --------------------------------------------------------


def test_without_copy_the_file_holds_the_same_rows_as_with_copy(client, world, monkeypatch):
    """The path of databases without COPY, here over PostgreSQL: the same header and cells."""
    business = BusinessFactory(centre=world["centres"]["Bel Air"], name="=cmd|' /C calc'!A0")
    job_in(world, "Bel Air", business=business, role="@SUM(A1)", end_date=datetime.date(2015, 1, 31))
    job_in(world, "Fort National", role="")
    administrator = user_with(roles.ADMINISTRATORS)
    client.force_login(administrator)
    with_copy = download(client)

    monkeypatch.setattr(exports, "copies", lambda: False)
    monkeypatch.setattr(exports, "BLOCK_BYTES", 64)  # more than one block
    without_copy = download(client)
    out = io.BytesIO()
    exports.write_jobs_csv(administrator, out)

    assert without_copy == with_copy and len(with_copy) == 3
    assert list(csv.reader(io.StringIO(out.getvalue().decode()[1:]))) == with_copy
    assert with_copy[1][HEADER.index("Role") + 2] == "'@SUM(A1)"  # after date of birth and phone


#: Run by a process on a fresh SQLite database with the settings of `make demo`: migrate, load the
#: demo, put text a spreadsheet would run in a business name, a role and a phone, then fetch the
#: export both ways (streamed, and prepared by the Celery task, eager there) as three demo users.
SQLITE_DEMO_EXPORT = f"""
import io, json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("load_demo", stdout=io.StringIO())
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from beneficiaries.models import Beneficiary
from enterprises.models import Business, Job
from programs.access import visible
{SIGNED_IN_AS_THE_SUITE}

job = Job.objects.filter(business__neighbourhood__name="Bel Air").order_by("id").first()
Job.objects.filter(pk=job.pk).update(role="@SUM(A1)")
Business.objects.filter(pk=job.business_id).update(name="=cmd|' /C calc'!A0")
Beneficiary.objects.filter(pk=job.worker_id).update(phone="+509 3712 3456")

def export(username):
    user = User.objects.get(username=username)
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client_verify_second_factor(client, user)
    streamed = client.get("/export/jobs.csv")
    body = b"".join(streamed.streaming_content).decode()
    asked = client.post("/export/jobs/")
    ready = client.get(asked["Location"])
    prepared = b"".join(ready.streaming_content).decode() if ready.streaming else ready.content.decode()
    ready.close()
    return {{
        "status": [streamed.status_code, asked.status_code, ready.status_code],
        "body": body,
        "prepared": prepared,
        "visible": list(visible(Job.objects.order_by("id"), user).values_list("pk", flat=True)),
    }}

print(json.dumps({{
    "vendor": connection.vendor,
    "job": job.pk,
    "exports": {{name: export(name) for name in ("manager", "terrain.belair", "admin")}},
}}))
"""


def test_on_sqlite_both_exports_hold_every_visible_job_neutralised(tmp_path):
    database = tmp_path / "demo.sqlite3"
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="haiti_esc.settings.local",
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL="",  # Celery eager, as in `make demo`
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="1",
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and snippet
        [sys.executable, "-c", SQLITE_DEMO_EXPORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    ran = json.loads(done.stdout.strip().splitlines()[-1])
    assert ran["vendor"] == "sqlite"

    for name, export in ran["exports"].items():
        assert export["status"] == [200, 302, 200], name
        assert export["prepared"] == export["body"], name  # the prepared file is the same file
        assert export["body"].startswith("\ufeff")
        header, *rows = csv.reader(io.StringIO(export["body"][1:]))
        assert [int(row[0]) for row in rows] == export["visible"], name  # every visible job, in order
        assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row), name
        personal = name == "admin"
        assert header == (HEADER[:2] + ["Date of birth", "Phone"] + HEADER[2:] if personal else HEADER), name
        changed = next(row for row in rows if int(row[0]) == ran["job"])
        offset = 2 if personal else 0
        assert changed[HEADER.index("Business") + offset] == "'=cmd|' /C calc'!A0", name
        assert changed[HEADER.index("Role") + offset] == "'@SUM(A1)", name
        if personal:
            assert changed[3] == "'+509 3712 3456"
    field_staff, manager = ran["exports"]["terrain.belair"], ran["exports"]["manager"]
    assert 0 < len(field_staff["visible"]) < len(manager["visible"])
    assert ran["job"] in field_staff["visible"]

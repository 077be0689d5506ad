"""In-process measurements of the benchmark, against the database named by DATABASE_URL.

    python bench/measure.py TASK [--rows N]      (prints one JSON object on its last line)

Tasks: those of bench/scale_measure.py (compared across scales), `users` (bench users and fresh
session cookies), `queries` (queries per page), `import`
(beneficiary import vs raw bulk_create), `copy` (raw COPY of jobs, the export floor).
Everything that writes runs in a transaction that is rolled back: the database is left as found.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haiti_esc.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.testing import client_verify_second_factor  # noqa: E402
from bench.pages import count_queries, pages  # noqa: E402
from programs import roles  # noqa: E402
from programs.models import Neighbourhood, NeighbourhoodAssignment, Project  # noqa: E402

FIRST_PROJECT = "gen-00000"
HOST = "127.0.0.1"
#: The bench's users: (username, group, is_staff); field staff get the first project's neighbourhoods.
USERS = {
    "admin": ("bench.admin", roles.ADMINISTRATORS, True),
    "manager": ("bench.manager", roles.ILO_MANAGERS, True),
    "field": ("bench.field", roles.FIELD_STAFF, False),
}


def bench_users() -> dict[str, User]:
    project = Project.objects.get(code=FIRST_PROJECT)
    users = {}
    for key, (username, group, is_staff) in USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_staff=is_staff)
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=group))
            if key == "field":
                for hood in project.neighbourhoods.all():
                    NeighbourhoodAssignment.objects.create(user=user, neighbourhood=hood)
        users[key] = user
    return users


def client_for(user: User) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    client_verify_second_factor(client, user)  # managers and administrators sign in with one
    return client


#: URL names an export of all jobs may take (ratio 6); the first that resolves is measured.
JOB_EXPORT_URL_NAMES = (
    "interop:job-export",
    "interop:jobs-export",
    "dashboard:jobs-export",
    "dashboard:job-export",
)


def job_export_url() -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in JOB_EXPORT_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def task_users(args) -> dict:
    """Fresh sessions for the HTTP measurements (the cookie of a forced login)."""
    users = bench_users()
    cookies = {key: client_for(user).cookies["sessionid"].value for key, user in users.items()}
    return {
        "cookies": cookies,
        "project_pk": Project.objects.get(code=FIRST_PROJECT).pk,
        "job_export_url": job_export_url(),
    }


def task_queries(args) -> dict:
    from django.conf import settings

    # Every request writes its session, as Django does: a count never depends on whether the
    # once-a-minute refresh of the idle timeout (accounts/sessions.py) fell in that request.
    settings.SESSION_REFRESH_SECONDS = 0
    users = bench_users()
    clients = {key: client_for(user) for key, user in users.items()}
    project_pk = Project.objects.get(code=FIRST_PROJECT).pk
    result = {}
    for page in pages(project_pk):
        url = page.url()
        entry = {"family": page.family, "url": url, "status": None, "queries": None, "seconds": None}
        if url is not None:
            started = time.perf_counter()
            entry["status"], entry["queries"] = count_queries(clients[page.user], url)
            entry["seconds"] = round((time.perf_counter() - started) / 2, 4)
        result[page.name] = entry
    return {"pages": result}


# The three grouped aggregates of `progress.selectors.progress_actuals`, written by hand: the floor.
RAW_AGGREGATES = [
    """SELECT c.project_id, n.name, o.sex, COUNT(*)
       FROM enterprises_business b
       JOIN enterprises_enterpriseservicecentre c ON c.id = b.centre_id
       JOIN programs_neighbourhood n ON n.id = b.neighbourhood_id
       JOIN enterprises_beneficiary o ON o.id = b.owner_id
       WHERE b.review_state = 'verified' AND b.status IN ('created', 'operating')
       GROUP BY 1, 2, 3""",
    """SELECT c.project_id, n.name, w.sex,
              date_part('year', age(j.start_date, w.date_of_birth))::int AS age, COUNT(*)
       FROM enterprises_job j
       JOIN enterprises_business b ON b.id = j.business_id
       JOIN enterprises_enterpriseservicecentre c ON c.id = b.centre_id
       JOIN programs_neighbourhood n ON n.id = b.neighbourhood_id
       JOIN enterprises_beneficiary w ON w.id = j.worker_id
       WHERE j.review_state = 'verified' AND w.date_of_birth IS NOT NULL
       GROUP BY 1, 2, 3, 4""",
    """SELECT s.project_id, n.name, s.kind, SUM(r.completed_area_m2)
       FROM rehab_workrecord r
       JOIN rehab_rehabsite s ON s.id = r.site_id
       JOIN programs_neighbourhood n ON n.id = s.neighbourhood_id
       WHERE r.review_state = 'verified'
       GROUP BY 1, 2, 3""",
]


def _timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def beneficiary_rows(count: int) -> list[dict]:
    hoods = list(Neighbourhood.objects.order_by("pk").values_list("name", flat=True)[:50])
    rows = []
    for n in range(count):
        born = datetime.date(1990, 1, 1) + datetime.timedelta(days=(n * 37) % 4000)
        rows.append(
            {
                "code": f"BENCH-{n:06d}",
                "first_name": ["Marie", "Jean", "Aminata", "Moussa", "Grace", "Patrick"][n % 6]
                + f" {n % 97}",
                "last_name": ["Joseph", "Pierre", "Traoré", "Deng", "Kollie"][n % 5] + f" {n // 97}",
                "sex": "F" if n % 2 else "M",
                "date_of_birth": born,
                "neighbourhood": hoods[n % len(hoods)],
                "phone": f"+509 4{n % 1000:03d} {n % 10000:04d}",
                "consent_given": True,
                "consent_date": datetime.date(2015, 6, 1),
            }
        )
    return rows


def task_import(args) -> dict:
    """The admin's beneficiary import (beneficiaries.services.beneficiaries_import) of `rows` new
    people vs a raw bulk_create of the same rows, alternately, `--repeat` times each (a single
    pair moved by a second with what the machine did just before); each rolled back."""
    import tablib

    from beneficiaries.models import Beneficiary
    from beneficiaries.services import beneficiaries_import

    admin = bench_users()["admin"]
    rows = beneficiary_rows(args.rows)
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(
            [
                row[k].isoformat()
                if isinstance(row[k], datetime.date)
                else ("yes" if row[k] is True else row[k])
                for k in rows[0]
            ]
        )
    by_name = {n.name: n for n in Neighbourhood.objects.filter(name__in={r["neighbourhood"] for r in rows})}

    def too_long(signum, frame):
        raise TimeoutError

    def imported_once() -> tuple[float | None, bool, int]:
        signal.signal(signal.SIGALRM, too_long)
        signal.alarm(args.limit)  # bounded: an import slower than this is reported as not finished
        try:
            with transaction.atomic():
                started = time.perf_counter()
                result = beneficiaries_import(dataset=dataset, by=admin, file_name="bench.csv")
                seconds = time.perf_counter() - started
                signal.alarm(0)
                errors = result.has_errors() or result.has_validation_errors()
                imported = Beneficiary.objects.filter(code__startswith="BENCH-").count()
                transaction.set_rollback(True)
            return seconds, bool(errors), imported
        except TimeoutError:
            return None, False, 0
        finally:
            signal.alarm(0)

    def bulk_once() -> float:
        with transaction.atomic():
            people = [Beneficiary(**{**row, "neighbourhood": by_name[row["neighbourhood"]]}) for row in rows]
            started = time.perf_counter()
            Beneficiary.objects.bulk_create(people, batch_size=2000)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    imports, bulks, errors, imported = [], [], False, 0
    for _ in range(max(args.repeat, 1)):
        seconds, errors, imported = imported_once()
        if seconds is None or errors:
            break  # not finished, or refused rows: the ratio is not met, no need to go on
        imports.append(seconds)
        bulks.append(bulk_once())
    done = bool(imports) and not errors
    return {
        "rows": args.rows,
        "limit_seconds": args.limit,
        "import_seconds": statistics.median(imports) if done else None,
        "import_errors": errors,
        "imported": imported,
        "bulk_create_seconds": statistics.median(bulks) if bulks else None,
        "import_runs": [round(t, 3) for t in imports],
        "bulk_create_runs": [round(t, 3) for t in bulks],
        # bulk_create's speed as a share of the import's, per pair: the ratio, its median
        "speed_median": (
            statistics.median(b / i for b, i in zip(bulks, imports, strict=True)) if done else None
        ),
    }


def task_copy(args) -> dict:
    """Raw `COPY … TO STDOUT` of `rows` jobs with the columns an export shows: the floor."""
    sql = """COPY (
        SELECT j.id, w.code, b.name, n.name, j.role, j.start_date, j.end_date, j.is_rehab_work,
               s.name, j.review_state, p.code
        FROM enterprises_job j
        JOIN enterprises_beneficiary w ON w.id = j.worker_id
        JOIN enterprises_business b ON b.id = j.business_id
        JOIN programs_neighbourhood n ON n.id = b.neighbourhood_id
        JOIN enterprises_enterpriseservicecentre c ON c.id = b.centre_id
        JOIN programs_project p ON p.id = c.project_id
        LEFT JOIN rehab_rehabsite s ON s.id = j.site_id
        ORDER BY j.id LIMIT :rows
    ) TO STDOUT WITH (FORMAT csv, HEADER)""".replace(":rows", str(int(args.rows)))

    def copy():
        sink = io.BytesIO()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, sink) if hasattr(cursor, "cursor") else cursor.copy_expert(
                sql, sink
            )
        return sink.tell()

    size = copy()
    times = _timed(copy, args.repeat)
    return {"rows": args.rows, "copy_seconds": statistics.median(times), "bytes": size}


from bench.scale_measure import TASKS as SCALE_TASKS  # noqa: E402

TASKS = {
    **SCALE_TASKS,
    "users": task_users,
    "queries": task_queries,
    "import": task_import,
    "copy": task_copy,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=1200, help="seconds an import may take")
    args = parser.parse_args()
    from django.core.cache import cache

    # The cache's connection is made before anything is timed, as in a serving process (a first
    # read connects, some 0.1 s, which fell inside the import's time once permissions were cached).
    cache.get("bench:warm")
    print(json.dumps(TASKS[args.task](args), default=str))


if __name__ == "__main__":
    main()

"""In-process measurements that are compared across scales (issue 19), run by bench/measure.py:

- `recompute_one`: the recompute of one project (gen-00000) after one change, median of
  `--repeat` (≥ 5) runs: a change must cost what its project costs, not what the database holds.
- `recompute_one_turns`: the same, one run each time a line "go" comes on stdin (its time
  printed as a line), until "end": two of them, at scales 1 and 10,000, are driven in turn by
  bench/run.py so that each pair of runs meets the same moment of the machine.
- `recompute_all`: the recompute of every project and the three raw SQL aggregates, each run
  `--repeat` times alternately (so that both meet the same cache and machine), with the spread.
- `report_pdf`: the PDF of one period of gen-00000 (median of `--repeat`).
- `timings`: the in-process time of the pages the growth exponent is fitted on (the manager's
  dashboard, a field list of field staff, an API list), median of `--repeat` GETs each.

Every write is in a transaction rolled back: the database is left as found.
"""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from programs.models import Project
from progress.models import ProgressSnapshot
from rehab.models import WorkRecord

FIRST_PROJECT = "gen-00000"
#: The pages of the growth exponent: (key, URL name, kwargs, user).
TIMED_PAGES = [
    ("dashboard", "dashboard:index", {}, "manager"),
    ("field_list", "field:list", {"kind_slug": "jobs"}, "field"),
    ("api_list", "interop:job-list", {}, "field"),
]


def spread(times: list[float]) -> dict:
    """Median, minimum and maximum of a series, and its runs: the spread the issue asks for."""
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": [round(t, 4) for t in times],
    }


def task_recompute_one(args) -> dict:
    """One project's recompute after one change (a verified work record's area changed by
    0.01 m²), in a transaction rolled back each time."""
    project, once = _recompute_one()
    once()  # warm
    # A run takes some 20 ms: three times the repetitions, so that one slow run moves no median.
    return {"project": project.code, **spread([once() for _ in range(3 * max(args.repeat, 5))])}


def task_recompute_one_turns(args) -> dict:
    """`task_recompute_one`'s run, once per "go" read on stdin, its seconds written as a line."""
    import sys

    project, once = _recompute_one()
    once()  # warm
    print("ready", flush=True)
    runs = 0
    for line in sys.stdin:
        if line.strip() != "go":
            break
        print(once(), flush=True)
        runs += 1
    return {"project": project.code, "runs": runs}


def _recompute_one():
    """The project of the one-project recompute, and one timed run of it."""
    from progress.services import progress_recompute

    project = Project.objects.get(code=FIRST_PROJECT)
    record = (
        WorkRecord.objects.filter(site__project=project, review_state="verified", completed_area_m2__gt=1)
        .order_by("pk")
        .first()
    )

    def once() -> float:
        with transaction.atomic():
            if record is not None:
                WorkRecord.objects.filter(pk=record.pk).update(
                    completed_area_m2=record.completed_area_m2 - Decimal("0.01")
                )
            started = time.perf_counter()
            progress_recompute(project_ids=[project.pk], reason="bench")
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed

    return project, once


def task_recompute_all(args) -> dict:
    """Every project's recompute (today's snapshots removed first, so every one is written again)
    against the three raw aggregates of bench/measure.py, alternately, `--repeat` (≥ 5) times."""
    from bench.measure import RAW_AGGREGATES
    from progress.services import progress_recompute

    def recompute() -> tuple[float, int]:
        with transaction.atomic():
            ProgressSnapshot.objects.filter(as_of__date=timezone.localdate()).delete()
            started = time.perf_counter()
            written = progress_recompute(reason="bench")
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed, len(written)

    def raw() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in RAW_AGGREGATES:
                cursor.execute(sql)
                cursor.fetchall()
        return time.perf_counter() - started

    raw()  # warm the cache the same way for both
    recomputes, floors, written = [], [], 0
    for _ in range(max(args.repeat, 5)):
        seconds, written = recompute()
        recomputes.append(seconds)
        floors.append(raw())
    ratios = [r / f for r, f in zip(recomputes, floors, strict=True)]
    return {
        "projects": Project.objects.count(),
        "snapshots_written": written,
        "recompute": spread(recomputes),
        "raw_sql": spread(floors),
        "ratio": spread(ratios),
    }


def task_report_pdf(args) -> dict:
    """The PDF of one period of gen-00000 (its first quarter with verified records)."""
    from progress.models import ReportingPeriod
    from progress.period_services import reporting_periods_ensure
    from reports.pdf import report_pdf

    project = Project.objects.get(code=FIRST_PROJECT)
    with transaction.atomic():
        reporting_periods_ensure(project_ids=[project.pk])
        periods = list(ReportingPeriod.objects.filter(project=project).order_by("start"))
        period = periods[min(3, len(periods) - 1)]
        size = len(report_pdf(project, period, language="en"))  # warm: fonts, templates
        times = []
        for _ in range(max(args.repeat, 3)):
            started = time.perf_counter()
            report_pdf(project, period, language="en")
            times.append(time.perf_counter() - started)
        transaction.set_rollback(True)
    return {"project": project.code, "period": period.code, "bytes": size, **spread(times)}


def task_timings(args) -> dict:
    """The in-process time of each page of TIMED_PAGES: median of `--repeat` (≥ 5) GETs."""
    from bench.measure import bench_users, client_for
    from bench.pages import drain

    users = bench_users()
    clients = {key: client_for(user) for key, user in users.items()}
    result = {}
    for key, url_name, kwargs, user in TIMED_PAGES:
        url = reverse(url_name, kwargs=kwargs)
        response = clients[user].get(url)  # warm
        drain(response)
        times = []
        for _ in range(3 * max(args.repeat, 5)):  # tens of ms each: see task_recompute_one
            started = time.perf_counter()
            drain(clients[user].get(url))
            times.append(time.perf_counter() - started)
        result[key] = {"url": url, "status": response.status_code, **spread(times)}
    started = time.perf_counter()
    result["recompute_one"] = task_recompute_one(args)
    result["seconds"] = time.perf_counter() - started
    return result


TASKS = {
    "recompute_one": task_recompute_one,
    "recompute_one_turns": task_recompute_one_turns,
    "recompute_all": task_recompute_all,
    "report_pdf": task_report_pdf,
    "timings": task_timings,
}

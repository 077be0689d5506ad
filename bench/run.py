"""The benchmark: ratios measured in one run at scales 1, 100, 1000 and 10,000 (`make bench`).

    .venv/bin/python bench/run.py [--small 1] [--mid 1000] [--large 10000] [--between 100]
                                  [--repeat 5] [--quick] [--rewrite]

1. Static files collected for the production settings (their manifest storage needs them before
   any page renders), as `make up` does.
2. Databases haiti_esc_bench_<scale>: created, migrated and generated once (`generate_data`),
   reused afterwards; the generation time and each database's size are reported.
3. In-process measurements (bench/measure.py and bench/scale_measure.py, one process per
   database): queries per page at scales 1, 1000 and 10,000; the recompute of every project vs
   the raw SQL aggregates (median of ≥ 5 alternating runs, with the spread) at 1000 and 10,000;
   the timings of the growth exponent at every scale (dashboard, one project's recompute, a field
   list, an API list); one project's recompute at 1 and 10,000 in two processes driven in turn
   (the ratio of `recompute_one_project_10000_vs_1`); one period's PDF at 1 and 10,000;
   beneficiary import vs raw bulk_create; raw COPY of 100,000 jobs.
4. gunicorn (production settings, DEBUG off, plain HTTP) on 127.0.0.1 (bench/server.py):
   latencies of the dashboard, a trivial authenticated view and the field list at 10,000, requests
   per second under a bounded load (wrk) (bench/http_measure.py); the export of all jobs at 1000
   (114,000 jobs, against the COPY of 100,000); the IATI file of 10,000 projects, streamed, with
   the worker's memory (bench/iati_measure.py); the freshness of the dashboard after a verify,
   idle and under load, with a real Celery worker (bench/freshness.py); in Chromium, the field
   form on a 400 kbit/s, 400 ms link and an outbox of 100 entries (bench/browser_measure.py).
5. bench/results.json (the issue's shape) and bench/RESULTS.md, with the machine and the date
   (bench/report.py, bench/report_scale.py).

Every load is bounded in count and time and goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run as a script (`python bench/run.py`), the folder on the path is bench/, not the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser_measure import browser_measurements  # noqa: E402
from bench.environment import BENCH, PG, PY, ROOT, RUN, collect_static, env_for, log, run  # noqa: E402
from bench.freshness import freshness_measurements  # noqa: E402
from bench.http_measure import export_measurement, http_measurements  # noqa: E402
from bench.iati_measure import iati_measurement  # noqa: E402
from bench.report import rewrite, write  # noqa: E402
from bench.server import Server  # noqa: E402


def measure(scale: int, task: str, *extra: str, timeout: float = 1800) -> dict:
    """One task of bench/measure.py in its own process over the database of `scale`."""
    out = run([PY, str(BENCH / "measure.py"), task, *extra], env_for(scale), timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


#: Rounds of the growth exponent's timings: each round measures every scale once, in turn.
TIMING_ROUNDS = 5


def timings_in_turn(scales: list[int], repeat: list[str]) -> dict:
    """bench/measure.py `timings` at every scale, TIMING_ROUNDS times in turn (1, 100, 1000, 10000,
    1, 100, …): tens of milliseconds compared across scales meet the same moments of the machine,
    not minutes apart. Each series' runs are pooled and its median taken over all of them."""
    pooled: dict[str, dict] = {str(scale): {} for scale in scales}
    for _round in range(TIMING_ROUNDS):
        for scale in scales:
            for key, entry in measure(scale, "timings", *repeat).items():
                if not isinstance(entry, dict) or "runs" not in entry:
                    pooled[str(scale)][key] = entry
                    continue
                into = pooled[str(scale)].setdefault(key, {**entry, "runs": []})
                into["runs"] = into["runs"] + entry["runs"]
    for by_key in pooled.values():
        for entry in by_key.values():
            if isinstance(entry, dict) and "runs" in entry:
                runs = entry["runs"]
                entry.update(
                    median=statistics.median(runs), min=min(runs), max=max(runs), rounds=TIMING_ROUNDS
                )
    return pooled


#: Pairs of the one-project recompute at the smallest and the largest scale, run in turn.
RECOMPUTE_PAIRS = 100


def recompute_one_side_by_side(small: int, large: int, pairs: int = RECOMPUTE_PAIRS) -> dict:
    """One project's recompute at `small` and at `large`, in two processes driven in turn (one
    run at one scale, then one at the other, the first of each pair alternating): a pair's two
    runs, tens of ms apart, meet the same moment of the machine, whose speed moves by a third
    over seconds (the same code measured 11.8 and 24.4 ms within minutes). The ratio is the
    median of the pairs' ratios."""
    processes = {
        scale: subprocess.Popen(  # noqa: S603
            [PY, str(BENCH / "measure.py"), "recompute_one_turns"],
            cwd=ROOT,
            env=env_for(scale),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for scale in (small, large)
    }
    times: dict[int, list[float]] = {small: [], large: []}
    try:
        for process in processes.values():
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("bench/measure.py recompute_one_turns did not start")
        for n in range(pairs):
            for scale in (small, large) if n % 2 == 0 else (large, small):
                processes[scale].stdin.write("go\n")
                processes[scale].stdin.flush()
                times[scale].append(float(processes[scale].stdout.readline()))
    finally:
        for process in processes.values():
            process.communicate("end\n", timeout=60)
    ratios = [b / a for a, b in zip(times[small], times[large], strict=True)]
    return {
        "pairs": pairs,
        str(small): {"median": statistics.median(times[small]), "min": min(times[small])},
        str(large): {"median": statistics.median(times[large]), "min": min(times[large])},
        "ratio_median": statistics.median(ratios),
        "ratio_quartiles": statistics.quantiles(ratios, n=4),
    }


def ensure_database(scale: int) -> float | None:
    """Create, migrate and generate haiti_esc_bench_<scale> unless it holds generated data.
    Returns the generation time in seconds, or None when the data was reused."""
    import psycopg2

    name = f"haiti_esc_bench_{scale}"
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = env_for(scale)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    database = psycopg2.connect(f"{PG}/{name}")
    with database.cursor() as cursor:
        cursor.execute("SELECT 1 FROM programs_project WHERE code = 'gen-00000'")
        generated = cursor.fetchone() is not None
    database.close()
    if generated:
        log(f"{name}: generated data present, reused")
        return None
    log(f"{name}: generate_data --scale {scale} (log in .run/bench-generate-{scale}.log)")
    started = time.monotonic()
    run(
        [PY, "manage.py", "generate_data", "--scale", str(scale)],
        env,
        log_to=RUN / f"bench-generate-{scale}.log",
    )
    seconds = time.monotonic() - started
    log(f"{name}: generated in {seconds:.0f} s")
    return seconds


def generated_before(scale: int) -> float | None:
    """How long the generation of reused data took, as its log says (`generate_data`'s last line)."""
    log_file = RUN / f"bench-generate-{scale}.log"
    if not log_file.exists():
        return None
    found = re.findall(r"Generated scale \d+ in ([\d.]+) s", log_file.read_text())
    return float(found[-1]) if found else None


def vacuum(scale: int) -> None:
    """VACUUM (ANALYZE) of a bench database before the measurements over HTTP: the rows the
    rolled-back and cleaned-up measurements left dead are not vacuumed by autovacuum in the
    middle of a timed series."""
    import psycopg2

    log(f"VACUUM (ANALYZE) of haiti_esc_bench_{scale}")
    connection = psycopg2.connect(f"{PG}/haiti_esc_bench_{scale}")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SET client_min_messages = error")  # the system catalogs it may not vacuum
        cursor.execute("VACUUM (ANALYZE)")
    connection.close()


def database_size(scale: int) -> str:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(%s))", [f"haiti_esc_bench_{scale}"])
        size = cursor.fetchone()[0]
    connection.close()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description="haiti_esc benchmark of ratios")
    parser.add_argument("--small", type=int, default=1)
    parser.add_argument("--mid", type=int, default=1000, help="the first round's large scale")
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument(
        "--between", default="100", help="more scales for the growth exponent (comma-separated)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each repeated measurement (>= 5)")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="no load test, 1,000-row import (a smoke run)")
    parser.add_argument("--output", default=str(BENCH), help="folder of results.json and RESULTS.md")
    parser.add_argument(
        "--export-path",
        help="URL path of an export of all jobs (default: the first of bench/measure.py's "
        "JOB_EXPORT_URL_NAMES that exists)",
    )
    parser.add_argument("--rewrite", action="store_true", help="only rewrite RESULTS.md from the last run")
    args = parser.parse_args()
    if args.rewrite:
        return rewrite(Path(args.output))
    RUN.mkdir(exist_ok=True)
    started = time.monotonic()
    between = [int(s) for s in args.between.split(",") if s.strip()]
    scales = sorted({args.small, *between, args.mid, args.large})
    repeat = ["--repeat", str(max(args.repeat, 5))]
    data: dict = {
        "small_scale": args.small,
        "mid_scale": args.mid,
        "large_scale": args.large,
        "scales": scales,
    }

    log("collectstatic for the production settings")
    collect_static(args.small)
    data["generated"] = {}
    for scale in scales:
        seconds = ensure_database(scale)
        data["generated"][str(scale)] = {
            "seconds": seconds,
            "earlier": generated_before(scale) if seconds is None else None,
            "size": database_size(scale),
        }
    data["generated_seconds"] = data["generated"][str(args.large)]["seconds"]

    data["queries"] = {}
    for key, scale in (("small", args.small), ("mid", args.mid), ("large", args.large)):
        log(f"queries per page at scale {scale}")
        data["queries"][key] = measure(scale, "queries")["pages"]
    log(f"progress recompute of every project vs raw SQL, {repeat[1]} runs, at {args.mid} and {args.large}")
    mid_recompute = measure(args.mid, "recompute_all", *repeat)
    data["recompute"] = {
        "recompute_seconds": mid_recompute["recompute"]["median"],
        "raw_sql_seconds": mid_recompute["raw_sql"]["median"],
        "ratio_median": mid_recompute["ratio"]["median"],
        "snapshots_written": mid_recompute["snapshots_written"],
        "projects": mid_recompute["projects"],
    }
    data["recompute_all"] = measure(args.large, "recompute_all", *repeat)
    log(f"timings of the growth exponent at scales {scales}, {TIMING_ROUNDS} rounds in turn")
    data["timings"] = timings_in_turn(scales, repeat)
    log(f"one project's recompute at scales {args.small} and {args.large}, {RECOMPUTE_PAIRS} pairs in turn")
    data["recompute_one_pairs"] = recompute_one_side_by_side(args.small, args.large)
    data["report_pdf"] = {}
    for scale in (args.small, args.large):
        log(f"PDF of one period at scale {scale}")
        data["report_pdf"][str(scale)] = measure(scale, "report_pdf", *repeat)
    rows = 1000 if args.quick else args.import_rows
    # The first round's ratios that depend on the data's size at the first round's scale (1000), as
    # its query ratios; the import at 10,000 too, reported beside it.
    log(f"import of {rows:,} beneficiaries vs bulk_create at scales {args.mid} and {args.large}")
    data["import"] = measure(args.mid, "import", "--rows", str(rows), timeout=2400)
    data["import_large"] = measure(args.large, "import", "--rows", str(rows), timeout=2400)
    # The export of all jobs against a COPY of 100,000: at the first round's scale (114,000 jobs).
    log(f"raw COPY of 100,000 jobs at scale {args.mid}")
    data["copy"] = measure(args.mid, "copy", "--rows", "100000")
    mid_session = measure(args.mid, "users")
    export_path = args.export_path or mid_session["job_export_url"]
    session = measure(args.large, "users")
    vacuum(args.large)
    data["http"] = http_measurements(args.large, session["cookies"], quick=args.quick, export_path=None)
    if export_path:
        data["http"]["export"] = export_at(args.mid, mid_session["cookies"], export_path)
    with Server(args.large) as server:
        log(f"IATI file of every project at scale {args.large}, streamed")
        data["iati"] = iati_measurement(server, session["cookies"])
    log(f"freshness of the dashboard after a verify, idle and under load, at scale {args.large}")
    vacuum(args.large)
    data["freshness"] = freshness_measurements(
        args.large, measure(args.large, "users")["cookies"], verifies=5 if args.quick else 30
    )
    log(f"Chromium: the field form on a slow network, and an outbox of 100 entries, at scale {args.large}")
    data["browser"] = browser_measurements(
        args.large, measure(args.large, "users")["cookies"], entries=10 if args.quick else 100
    )
    data["seconds"] = time.monotonic() - started

    output = Path(args.output)
    write(output, data, scale=args.large)
    print((output / "RESULTS.md").read_text())
    log(f"done in {data['seconds']:.0f} s; wrote {output / 'results.json'} and {output / 'RESULTS.md'}")


def export_at(scale: int, cookies: dict, path: str) -> dict:
    """The export of all jobs and its worker's memory, from a server over the database of `scale`."""
    with Server(scale) as server:
        log(f"HTTP: export of all jobs at scale {scale}, {path}")
        return export_measurement(server, path, cookies["admin"])


if __name__ == "__main__":
    main()

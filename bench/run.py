"""The benchmark: ratios measured in one run at scale 1 and scale 1000 (`make bench`).

    .venv/bin/python bench/run.py [--large 1000] [--small 1] [--quick]

1. Static files collected for the production settings (their manifest storage needs them before
   any page renders), as `make up` does.
2. Databases haiti_esc_bench_<scale>: created, migrated and generated once (`generate_data`),
   reused afterwards.
3. In-process measurements (bench/measure.py, one process per database): queries per page at both
   scales, progress recompute vs the raw SQL aggregates, beneficiary import vs raw bulk_create,
   raw COPY of jobs.
4. gunicorn (2 workers, production settings, DEBUG off, plain HTTP) on 127.0.0.1 over the large
   database (bench/server.py): latencies of the dashboard, a trivial authenticated view, the field
   list for field staff and for an administrator, and requests per second under a bounded load
   (wrk, 10 s) (bench/http_measure.py).
5. bench/results.json (the issue's shape) and bench/RESULTS.md, with the machine and the date
   (bench/report.py).

Every load is bounded in count and time and goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Run as a script (`python bench/run.py`), the folder on the path is bench/, not the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import BENCH, PG, PY, RUN, collect_static, env_for, log, run  # noqa: E402
from bench.http_measure import http_measurements  # noqa: E402
from bench.report import rewrite, write  # noqa: E402


def measure(scale: int, task: str, *extra: str, timeout: float = 1800) -> dict:
    """One task of bench/measure.py in its own process over the database of `scale`."""
    out = run([PY, str(BENCH / "measure.py"), task, *extra], env_for(scale), timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


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


def main() -> None:
    parser = argparse.ArgumentParser(description="haiti_esc benchmark of ratios")
    parser.add_argument("--small", type=int, default=1)
    parser.add_argument("--large", type=int, default=1000)
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
    data: dict = {"small_scale": args.small}

    log("collectstatic for the production settings")
    collect_static(args.small)
    ensure_database(args.small)
    data["generated_seconds"] = ensure_database(args.large)

    log(f"queries per page at scale {args.small}")
    small = measure(args.small, "queries")["pages"]
    log(f"queries per page at scale {args.large}")
    large = measure(args.large, "queries")["pages"]
    data["queries"] = {"small": small, "large": large}
    log("progress recompute vs raw SQL")
    data["recompute"] = measure(args.large, "recompute")
    rows = 1000 if args.quick else args.import_rows
    log(f"import of {rows:,} beneficiaries vs bulk_create")
    data["import"] = measure(args.large, "import", "--rows", str(rows), timeout=2400)
    log("raw COPY of 100,000 jobs")
    data["copy"] = measure(args.large, "copy", "--rows", "100000")
    session = measure(args.large, "users")
    export_path = args.export_path or session["job_export_url"]
    data["http"] = http_measurements(
        args.large, session["cookies"], quick=args.quick, export_path=export_path
    )
    data["seconds"] = time.monotonic() - started

    output = Path(args.output)
    write(output, data, scale=args.large)
    print((output / "RESULTS.md").read_text())
    log(f"done in {data['seconds']:.0f} s; wrote {output / 'results.json'} and {output / 'RESULTS.md'}")


if __name__ == "__main__":
    main()

"""Where the benchmark runs: its paths, the environment of its child processes, and how it runs them.

Every child (manage.py, bench/measure.py, gunicorn) gets the production settings (DEBUG off, plain
HTTP) over the database of one scale, haiti_esc_bench_<scale>, on 127.0.0.1.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RUN = ROOT / ".run"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = "postgres://haiti_esc:haiti_esc@127.0.0.1:5432"
#: gunicorn's address; BENCH_PORT lets two benchmark sessions run side by side while they are written.
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8765"))


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def env_for(scale: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="haiti_esc.settings.production",
        DATABASE_URL=f"{PG}/haiti_esc_bench_{scale}",
        REDIS_URL="redis://127.0.0.1:6379/11",
        SECRET_KEY="bench-only-secret-key-0d4b3c7e9a1f6e2d8c5b4a3f2e1d0c9b8a7f6e5d",
        HTTPS="0",
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict, *, log_to: Path | None = None, timeout: float = 3600) -> str:
    if log_to is None:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout
    with open(log_to, "a") as out:
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: see {log_to}")
    return ""


def collect_static(scale: int) -> None:
    """collectstatic for the production settings, into their STATIC_ROOT, as `make up` does.

    Those settings keep static files in a manifest storage: a page rendered before the manifest
    exists (the in-process query counts of bench/measure.py come first) fails with "Missing
    staticfiles manifest entry", and a fresh clone has none."""
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env_for(scale))

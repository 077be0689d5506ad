"""A bounded load test on 127.0.0.1 only: 50 users mixing dashboard views and field submissions.

    make loadtest            (or: .venv/bin/python scripts/loadtest.py --users 50 --seconds 60)

It makes its own database (haiti_esc_load), loads the demo, starts gunicorn (2 workers,
production settings over plain HTTP) and a Celery worker, runs the users for the given time,
then checks: no error response, and as many work records in the database as successful posts.
The report is printed and written to .run/loadtest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
DB = "haiti_esc_load"
DATABASE_URL = f"postgres://haiti_esc:haiti_esc@127.0.0.1:5432/{DB}"
PORT = 8190
BASE = f"http://127.0.0.1:{PORT}"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
SITE = re.compile(r'<option value="(\d+)"[^>]*>')

SETUP = """
from decimal import Decimal
from django.contrib.auth.models import User
from conftest import make_user
from programs import roles
from programs.models import Neighbourhood
from rehab.models import RehabSite
for hood in Neighbourhood.objects.all():
    # A site large enough for every post of the test.
    RehabSite.objects.filter(neighbourhood=hood).update(planned_area_m2=Decimal("99999999"))
hoods = list(Neighbourhood.objects.order_by("name"))
for i in range({users}):
    make_user(f"load{{i}}", roles.FIELD_STAFF, neighbourhoods=[hoods[i % len(hoods)]])
make_user("loadmanager", roles.ILO_MANAGERS)
"""


def manage(env, *args, stdin: str | None = None) -> None:
    subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        input=stdin,
        text=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(env: dict[str, str], users: int) -> None:
    subprocess.run(
        [
            "psql",
            "postgres://haiti_esc:haiti_esc@127.0.0.1:5432/haiti_esc",
            "-qc",
            f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)",
        ],
        check=True,
    )
    subprocess.run(
        ["psql", "postgres://haiti_esc:haiti_esc@127.0.0.1:5432/haiti_esc", "-qc", f"CREATE DATABASE {DB}"],
        check=True,
    )
    manage(env, "migrate", "--noinput")
    manage({**env, "DEBUG": "1"}, "load_demo")
    manage(env, "shell", stdin=SETUP.format(users=users))
    manage(env, "collectstatic", "--noinput", "-v0")


class User(threading.Thread):
    """One person: logs in, then alternates between the dashboard and posting a work record."""

    def __init__(self, name: str, deadline: float, results: Counter, lock: threading.Lock):
        super().__init__(daemon=True)
        self.name, self.deadline, self.results, self.lock = name, deadline, results, lock
        self.session = requests.Session()

    def count(self, key: str) -> None:
        with self.lock:
            self.results[key] += 1

    def login(self) -> None:
        page = self.session.get(f"{BASE}/accounts/login/", timeout=30)
        response = self.session.post(
            f"{BASE}/accounts/login/",
            timeout=30,
            allow_redirects=False,
            data={
                "csrfmiddlewaretoken": CSRF.search(page.text)[1],
                "username": self.name,
                "password": f"pw-{self.name}",
            },
            headers={"Referer": f"{BASE}/accounts/login/"},
        )
        self.count("login_ok" if response.status_code == 302 else f"login_{response.status_code}")

    def run(self) -> None:
        try:
            self.login()
            turn = 0
            while time.monotonic() < self.deadline:
                turn += 1
                if turn % 2:
                    self.view("/dashboard/")
                else:
                    self.submit()
        except requests.RequestException as error:
            self.count(f"exception_{type(error).__name__}")

    def view(self, path: str) -> None:
        response = self.session.get(f"{BASE}{path}", timeout=30)
        self.count("get_ok" if response.status_code == 200 else f"get_{response.status_code}")

    def submit(self) -> None:
        form = self.session.get(f"{BASE}/field/work/new/", timeout=30)
        if form.status_code != 200:
            self.count(f"get_{form.status_code}")
            return
        response = self.session.post(
            f"{BASE}/field/work/new/",
            timeout=30,
            allow_redirects=False,
            data={
                "csrfmiddlewaretoken": CSRF.search(form.text)[1],
                "token": str(uuid.uuid4()),
                "site": SITE.search(form.text.split('name="site"', 1)[1])[1],
                "date": "2014-10-06",
                "completed_area_m2": "0.01",
                "submit": "1",
            },
            headers={"Referer": f"{BASE}/field/work/new/"},
        )
        self.count("post_ok" if response.status_code == 302 else f"post_{response.status_code}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    options = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haiti_esc.settings.production",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": "redis://127.0.0.1:6379/10",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        # Every simulated person logs in from 127.0.0.1 within seconds: the per-address login rate
        # of production (10 a minute) would turn most of them away.
        "THROTTLE_LOGIN_RATE": "1000/minute",
        "CONN_MAX_AGE": "60",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    prepare(env, options.users)
    before = count_work_records()
    run_dir = ROOT / ".run"
    run_dir.mkdir(exist_ok=True)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "haiti_esc.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(run_dir / "loadtest-gunicorn.log", "w"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "haiti_esc", "worker", "--pool=solo", "-n", "load@%h"],
        cwd=ROOT,
        env=env,
        stdout=open(run_dir / "loadtest-worker.log", "w"),
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"{BASE}/accounts/login/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        results: Counter = Counter()
        lock = threading.Lock()
        started = time.monotonic()
        deadline = started + options.seconds
        users = [User(f"load{i}", deadline, results, lock) for i in range(options.users)]
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=options.seconds + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        worker.wait(timeout=30)
    rows = count_work_records() - before
    errors = sum(n for key, n in results.items() if not key.endswith("_ok"))
    report = {
        "users": options.users,
        "seconds": round(elapsed, 1),
        "results": dict(results),
        "errors": errors,
        "successful_posts": results["post_ok"],
        "rows_created": rows,
        "requests_per_second": round(sum(results.values()) / elapsed, 1),
        "ok": errors == 0 and rows == results["post_ok"],
    }
    (run_dir / "loadtest.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


def count_work_records() -> int:
    out = subprocess.run(
        ["psql", DATABASE_URL, "-tAc", "SELECT count(*) FROM rehab_workrecord"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


if __name__ == "__main__":
    sys.exit(main())

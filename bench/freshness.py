"""Freshness of the dashboard under load (issue 19, `freshness_p95_loaded_vs_idle`).

    BENCH_PORT=8768 .venv/bin/python bench/freshness.py [--scale 1000] [--verifies 30]

From a manager's verify over HTTP (the field review's POST) to the manager's open /dashboard/ page of
the first project showing it (one of its target cards' actual value changed, as the page's live
requests to /dashboard/live/ bring it), against gunicorn (gunicorn.conf.py, 2 threaded workers as
`make up`) and a real Celery worker, idle, then under the 50 users of scripts/loadtest.py (field
staff, each their own session, alternating their dashboard and a work-record submission, no think
time).
Each verified record is put back after its verify; what the load and the run added is removed after.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import HOST, PORT, PY, ROOT, RUN, env_for, log  # noqa: E402
from bench.server import Server  # noqa: E402

CELERY = str(ROOT / ".venv" / "bin" / "celery")
#: Verifies per series; users of the load; gunicorn workers (idle and loaded alike).
VERIFIES, USERS, WORKERS, POLL_SECONDS, FIGURE_TIMEOUT = 30, 50, 2, 0.05, 60.0
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIGURES_SEEN = re.compile(r'class="dashboard" data-figures="(\d+)"')


class Browser:
    """One person: their cookies (session, then the CSRF cookie a page sets); a connection a request."""

    def __init__(self, session: str) -> None:
        self.cookies = {"sessionid": session}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """Status, body and Location of one request (gunicorn's sync workers close every connection)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None if form is None else urlencode(form)
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{PORT}{path}"
        connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            text = (response := connection.getresponse()).read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name, value in re.findall(
            r"^\s*(csrftoken|sessionid)=([^;]+)",
            "\n".join(response.headers.get_all("Set-Cookie") or []),
            re.M,
        ):
            self.cookies[name] = value
        return response.status, text, response.getheader("Location", "")


def card_figures(html: str, project_pk: int) -> dict[str, str]:
    """The actual value of each target card of one project on a dashboard page."""
    start = html.find(f'aria-labelledby="project-{project_pk}"')
    section = html[start : html.find('class="secondary-figures"', start)] if start >= 0 else ""
    cards = re.findall(r'<article[^>]*data-indicator="([^"]+)"(.*?)</article>', section, re.S)
    actual = re.compile(r'<span class="actual">([^<]*)</span>')
    return {indicator: m[1].strip() if (m := actual.search(body)) else "" for indicator, body in cards}


def percentile(times: list[float], q: float) -> float | None:
    times = sorted(times)
    return times[min(len(times) - 1, round(q * (len(times) - 1)))] if times else None


class Helper:
    """bench/freshness_helper.py over the database of `scale`: JSON commands in, JSON answers out."""

    def __init__(self, scale: int) -> None:
        pipe, env, cmd = (
            subprocess.PIPE,
            env_for(scale),
            [PY, str(Path(__file__).with_name("freshness_helper.py"))],
        )
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=pipe, stdout=pipe, text=True)  # noqa: S603

    def call(self, command: str, **args) -> dict:
        self.process.stdin.write(json.dumps({"command": command, **args}) + "\n")
        self.process.stdin.flush()  # then wait for the answer
        answer = json.loads(self.process.stdout.readline() or '{"error": "the helper ended"}')
        if "error" in answer:
            raise SystemExit(f"bench/freshness.py helper, {command!r}: {answer['error']}")
        return answer

    def close(self) -> None:
        self.process.stdin.close()  # the helper's loop ends
        self.process.wait(timeout=60)


@contextlib.contextmanager
def celery_worker(scale: int):
    """A Celery worker process (solo pool) over the database of `scale`, its queue purged first."""
    env, out = env_for(scale), RUN / f"bench-freshness-worker-{PORT}.log"
    subprocess.run([CELERY, "-A", "haiti_esc", "purge", "-f"], cwd=ROOT, env=env, capture_output=True)  # noqa: S603
    with open(out, "w") as log_file:
        process = subprocess.Popen(  # noqa: S603
            [CELERY, "-A", "haiti_esc", "worker", "--pool=solo", "-l", "INFO", "-n", f"freshness-{PORT}@%h"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "ready." not in out.read_text():
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the Celery worker did not start; see {out}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()  # a warm shutdown: the task running ends first
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


class Load:
    """USERS field staff, each in their own thread and session: a dashboard view, a work-record
    submission, and again, until stopped (scripts/loadtest.py's mix)."""

    def __init__(self, sessions: list[str], site: int, date: str) -> None:
        self.sessions, self.site, self.date = sessions, site, date
        self.results: Counter = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.user, args=(s,), daemon=True) for s in sessions]
        self.latencies: list[float] = []
        self.started = self.seconds = 0.0

    def __enter__(self) -> Load:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        time.sleep(2)  # every user has sent a first request
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=180)
        self.seconds = time.monotonic() - self.started

    def send(self, browser: Browser, method: str, path: str, form: dict | None = None) -> str | None:
        """One request, counted as `get_ok`, `post_ok` or what went wrong; the page when it is one."""
        started, expected, page = time.perf_counter(), 200 if method == "GET" else 302, None
        try:
            status, page, _location = browser.request(method, path, form)
            key = f"{method.lower()}_{'ok' if status == expected else status}"
        except (OSError, http.client.HTTPException) as error:
            key = f"exception_{type(error).__name__}"
        with self.lock:
            self.results[key] += 1
            self.latencies.append(time.perf_counter() - started)
        return page if key.endswith("_ok") else None

    def user(self, session: str) -> None:
        browser = Browser(session)
        while not self.stop.is_set():
            self.send(browser, "GET", "/dashboard/")
            form = None if self.stop.is_set() else self.send(browser, "GET", "/field/work/new/")
            if token := CSRF.search(form or ""):
                self.send(browser, "POST", "/field/work/new/",
                          {"csrfmiddlewaretoken": token[1], "token": str(uuid.uuid4()), "site": self.site,
                           "date": self.date, "completed_area_m2": "0.01", "submit": "1"})  # fmt: skip

    def report(self) -> dict:
        requests = sum(self.results.values())
        return {
            "what": f"{len(self.sessions)} field staff (threads, a session each): GET /dashboard/, then a "
            "work record submitted (GET, POST /field/work/new/), again, no think time (scripts/loadtest.py)",
            "users": len(self.sessions), "seconds": round(self.seconds, 1), "requests": requests,
            "requests_per_second": round(requests / self.seconds, 1), "results": dict(self.results),
            "errors": sum(n for key, n in self.results.items() if not key.endswith("_ok")),
            "latency_median": statistics.median(self.latencies) if self.latencies else None,
            "latency_p95": percentile(self.latencies, 0.95),
        }  # fmt: skip


def series(count: int, manager: Browser, helper: Helper, info: dict) -> dict:
    """`count` verifies, each timed from its POST being sent to the changed figure being seen on
    the dashboard open in the manager's browser: what its page does (static/js/dashboard.js),
    one request to /dashboard/live/ after another, each answered once the board changed."""
    page = f"/dashboard/?page={info['page']}"
    project, records = info["project_pk"], info["records"]

    def shown() -> tuple[str, dict[str, str]]:  # the page now: its board's key and figures
        html = manager.request("GET", page)[1]
        key = FIGURES_SEEN.search(html)
        return (key[1] if key else ""), card_figures(html, project)

    def settle(expected: dict) -> str:
        deadline = time.monotonic() + FIGURE_TIMEOUT
        while (now := shown())[1] != expected:
            if time.monotonic() > deadline:
                raise SystemExit(f"the dashboard did not come back to {expected}")
            time.sleep(POLL_SECONDS)
        return now[0]

    times, posts, polls, missed = [], [], [], 0
    for n in range(count):
        record = records[n % len(records)]
        board = settle(info["figures"])
        path = f"/field/{record['kind']}/{record['pk']}/"
        if not (token := CSRF.search(manager.request("GET", path)[1])):  # as a browser: the page first
            raise SystemExit(f"no review form on {path}")
        started = time.perf_counter()
        form = {"csrfmiddlewaretoken": token[1], "decision": "verify", "comment": ""}
        status, _body, location = manager.request("POST", f"{path}review/", form)
        posts.append(time.perf_counter() - started)
        if status != 302 or "/review/" not in location:
            raise SystemExit(f"the verify of {record} was refused: {status} → {location}")
        seen, tries = None, 0
        while seen is None and time.perf_counter() - started < FIGURE_TIMEOUT:
            tries += 1
            status, body, _location = manager.request(
                "GET", f"/dashboard/live/?page={info['page']}&figures={board}"
            )
            if status == 200:
                answer = json.loads(body)
                board = answer["figures"]
                if card_figures(answer["projects"].get(str(project), ""), project) != info["figures"]:
                    seen = time.perf_counter() - started
            elif status != 204:
                raise SystemExit(f"/dashboard/live/ answered {status}")
        polls.append(tries)
        times.extend([seen] if seen is not None else [])
        missed += seen is None
        helper.call("restore", record=record)
    settle(info["figures"])
    return {"p95": percentile(times, 0.95), "median": statistics.median(times) if times else None,
            "min": min(times, default=None), "max": max(times, default=None), "n": len(times),
            "missed": missed, "post_median": statistics.median(posts), "post_p95": percentile(posts, 0.95),
            "live_requests_median": statistics.median(polls)}  # fmt: skip


def freshness_measurements(
    scale: int, cookies: dict, *, verifies: int = VERIFIES, workers: int = WORKERS
) -> dict:
    """Idle and loaded series of verifies over the database of `scale`, with the bench users' cookies."""
    helper = Helper(scale)
    try:
        info = helper.call("prepare", users=USERS)
        manager = Browser(cookies["manager"])
        with Server(scale, workers=workers), celery_worker(scale):
            page = f"/dashboard/?page={info['page']}"
            info["figures"] = card_figures(manager.request("GET", page)[1], info["project_pk"])
            if not info["figures"] or "" in info["figures"].values():
                raise SystemExit(f"no target figures of project {info['project_pk']} on {page}")
            log(f"freshness: {verifies} verifies, idle; {page}, {info['figures']}, {info['records']}")
            idle = series(verifies, manager, helper, info)
            log(f"freshness: {verifies} verifies under {USERS} users")
            with Load(info["sessions"], info["site"], info["date"]) as load:
                loaded = series(verifies, manager, helper, info)
    finally:
        helper.call("finish")
        helper.close()
    return {
        "page": f"/dashboard/?page={info['page']} as the ILO manager (bench.manager)",
        "figure": "the actual value (<span class='actual'>) of each target card of the first project "
        f"(gen-00000, pk {info['project_pk']}): {', '.join(info['figures'])}; a verify changes one",
        "seen_by": "the dashboard page open in the manager's browser, as static/js/dashboard.js follows it: "
        "one GET /dashboard/live/ after another, each answered once a project of the page has a newer "
        "snapshot (the project's section rendered), or with 204 after DASHBOARD_LIVE_SECONDS",
        "records": info["records"], "gunicorn_workers": workers, "coalesce_seconds": info["coalesce_seconds"],
        "idle": idle, "loaded": loaded, "load": load.report(),
        "ratio": loaded["p95"] / idle["p95"] if idle["p95"] and loaded["p95"] else None,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--verifies", type=int, default=VERIFIES)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    out = subprocess.run(  # noqa: S603
        [PY, str(ROOT / "bench" / "measure.py"), "users"], cwd=ROOT, env=env_for(args.scale),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    cookies = json.loads(out.stdout.strip().splitlines()[-1])["cookies"]
    result = freshness_measurements(args.scale, cookies, verifies=args.verifies, workers=args.workers)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

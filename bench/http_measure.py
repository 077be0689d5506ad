"""The measurements over HTTP, against gunicorn on 127.0.0.1 (bench/server.py): latencies of pages,
the download of an export with the serving worker's memory, requests per second under load (wrk).

Every series is bounded in count and time; pages compared in a ratio are requested in turn.
"""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.environment import HOST, PORT, log
from bench.server import Server, get

TRIVIAL = "/accounts/password_change/"
#: Bounds of each latency series: requests and seconds (at least one request is always made).
SAMPLES, SAMPLE_SECONDS = 100, 120
LOAD_SECONDS, LOAD_CONNECTIONS = 10, 4


def side_by_side(series: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """Latencies of several pages compared in a ratio, name → (path, cookie): one warm-up request
    each, then rounds of one request to each page, in an order turned by one every round, so
    that every page meets the same moments of the machine (up to SAMPLES rounds within
    SAMPLE_SECONDS)."""
    names, times, results = list(series), {name: [] for name in series}, {}
    for name, (path, cookie) in series.items():
        status, size = get(path, cookie)
        results[name] = {"path": path, "status": status, "bytes": size}
    live = [name for name in names if results[name]["status"] == 200]
    deadline = time.monotonic() + SAMPLE_SECONDS
    for n in range(SAMPLES if live else 0):
        if n and time.monotonic() > deadline:
            break
        for name in live[n % len(live) :] + live[: n % len(live)]:
            started = time.perf_counter()
            get(*series[name])
            times[name].append(time.perf_counter() - started)
    for name in names:
        ordered = sorted(times[name])
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else None
        median = statistics.median(ordered) if ordered else None
        results[name].update(median=median, p95=p95, n=len(ordered))
    return results


def peak_rss_kb(pids: list[int]) -> dict[int, int]:
    """Each process's peak resident memory so far (VmHWM), in kB."""
    peaks = {}
    for pid in pids:
        match = re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
        peaks[pid] = int(match.group(1)) if match else 0
    return peaks


def export_measurement(server: Server, path: str, cookie: str) -> dict:
    """Time of a full download of `path` and the growth of the serving worker's peak memory."""
    before = peak_rss_kb(server.workers())
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, PORT, timeout=600)
    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = connection.getresponse()
    size, lines = 0, 0
    while chunk := response.read(65536):
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    connection.close()
    after = peak_rss_kb(server.workers())
    growth = max((after[pid] - before.get(pid, after[pid]) for pid in after), default=0)
    return {"path": path, "status": response.status, "seconds": seconds, "bytes": size, "lines": lines,
            "memory_growth_mb": growth / 1024}  # fmt: skip


def throughput(path: str, cookie: str) -> dict:
    """Requests per second under LOAD_CONNECTIONS connections for LOAD_SECONDS (wrk)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"path": path, "rps": None, "note": "wrk is not installed"}
    done = subprocess.run(  # noqa: S603
        [wrk, "-t2", f"-c{LOAD_CONNECTIONS}", f"-d{LOAD_SECONDS}s", "--timeout", f"{LOAD_SECONDS}s",
         "-H", f"Cookie: sessionid={cookie}", f"http://{HOST}:{PORT}{path}"],
        capture_output=True, text=True, timeout=LOAD_SECONDS + 60,
    )  # fmt: skip
    rps = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    errors = re.search(r"Socket errors: .*timeout (\d+)", done.stdout)
    return {
        "path": path,
        "rps": float(rps.group(1)) if rps else None,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
        "output": done.stdout.strip().splitlines()[-6:],
    }


def http_measurements(scale: int, cookies: dict, *, quick: bool, export_path: str | None) -> dict:
    """Every HTTP measurement, over the database of `scale`, with the bench users' session cookies."""
    results = {}
    with Server(scale) as server:
        log("HTTP: trivial view and dashboard latencies, side by side")
        results.update(side_by_side({
            "trivial": (TRIVIAL, cookies["manager"]), "dashboard": ("/dashboard/", cookies["manager"]),
            "dashboard_field": ("/dashboard/", cookies["field"]),
        }))  # fmt: skip
        if export_path:
            log(f"HTTP: export of all jobs, {export_path}")
            results["export"] = export_measurement(server, export_path, cookies["admin"])
        log("HTTP: field list, field staff vs administrator, side by side")
        results.update(side_by_side({
            "list_field": ("/field/jobs/", cookies["field"]),
            "list_admin": ("/field/jobs/", cookies["admin"]),
        }))  # fmt: skip
        if not quick:
            log(f"HTTP: load, {LOAD_CONNECTIONS} connections for {LOAD_SECONDS} s each (wrk)")
            results["load_trivial"] = throughput(TRIVIAL, cookies["manager"])
            results["load_dashboard"] = throughput("/dashboard/", cookies["manager"])
    return results

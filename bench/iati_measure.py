"""The download of the IATI activity file (`/iati/activities.xml`) from gunicorn (bench/server.py):
its time, size, number of activities, and the growth of the serving worker's peak memory.

The file is public: it is fetched without a session cookie unless one is given.

    BENCH_PORT=8767 .venv/bin/python bench/iati_measure.py --scale 1000     (prints one JSON object)
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from pathlib import Path

# Run as a script (`python bench/iati_measure.py`), the folder on the path is bench/, not the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import HOST, PORT  # noqa: E402
from bench.http_measure import peak_rss_kb  # noqa: E402
from bench.server import Server, get  # noqa: E402

IATI_PATH = "/iati/activities.xml"
#: A small page every worker serves before the measurement: the URL configuration, the views'
#: modules (lxml, interop.iati) and the database connection are loaded by then, so that the
#: growth measured is the file's and not the worker's first request.
WARM_PATH = "/accounts/login/"
WARM_ROUNDS, WARM_CONNECTIONS = 3, 6
ACTIVITY = b"<iati-activity"
READ_SIZE = 65536


def warm(workers: int) -> None:
    """A few rounds of concurrent small requests, so that each sync worker serves at least one."""
    for _ in range(WARM_ROUNDS):
        threads = [
            threading.Thread(target=get, args=(WARM_PATH, None), kwargs={"timeout": 30})
            for _ in range(max(WARM_CONNECTIONS, 2 * workers))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def iati_measurement(server: Server, cookie: str | None = None) -> dict:
    """A full download of the IATI file, read in chunks; the worker's peak memory (VmHWM) before and
    after, after every worker has served a small page. `cookie` is optional: the file is public."""
    warm(len(server.workers()))
    before = peak_rss_kb(server.workers())
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, PORT, timeout=600)
    connection.request("GET", IATI_PATH, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    response = connection.getresponse()
    size, activities, first_byte, tail = 0, 0, None, b""
    while chunk := response.read(READ_SIZE):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        # A marker cut by a chunk boundary is counted once: the tail kept is shorter than it.
        window = tail + chunk
        activities += window.count(ACTIVITY)
        tail = window[-(len(ACTIVITY) - 1) :]
    seconds = time.perf_counter() - started
    connection.close()
    after = peak_rss_kb(server.workers())
    growth = max((after[pid] - before.get(pid, after[pid]) for pid in after), default=0)
    return {
        "path": IATI_PATH,
        "status": response.status,
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "bytes": size,
        "activities": activities,
        "memory_growth_mb": growth / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="download of the IATI file from gunicorn")
    parser.add_argument("--scale", type=int, required=True, help="the bench database haiti_esc_bench_<scale>")
    args = parser.parse_args()
    with Server(args.scale) as server:
        print(json.dumps(iati_measurement(server)))


if __name__ == "__main__":
    main()

"""The server the HTTP measurements go to: gunicorn on 127.0.0.1, and one request to it."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

from bench.environment import GUNICORN, HOST, PORT, ROOT, RUN, env_for


class Server:
    """gunicorn with 2 workers (or `workers`) on 127.0.0.1, production settings, over one bench
    database.

    The static files must have been collected first (bench.environment.collect_static)."""

    def __init__(self, scale: int, *, workers: int = 2) -> None:
        self.scale = scale
        self.worker_count = workers
        # Per port: two benchmark sessions side by side (BENCH_PORT) must not share a pid file.
        self.pidfile = RUN / ("bench-gunicorn.pid" if PORT == 8765 else f"bench-gunicorn-{PORT}.pid")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = env_for(self.scale)
        self.process = subprocess.Popen(  # noqa: S603
            [GUNICORN, "haiti_esc.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", str(self.worker_count),
             "--timeout", "300", "--pid", str(self.pidfile),
             "--error-logfile", str(RUN / "bench-gunicorn.log")],
            cwd=ROOT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = get("/accounts/login/", None, timeout=5)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer on 127.0.0.1 within 30 s; see .run/bench-gunicorn.log")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                for pid in self.workers():
                    os.kill(pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait()


def get(path: str, cookie: str | None, *, timeout: float = 300) -> tuple[int, int]:
    """One GET of `path` (with a session cookie when given): its status and body size."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    size = len(response.read())
    connection.close()
    return response.status, size

"""A TCP relay between the browser and the live server, to cut the network for real.

`context.set_offline(True)` does not reach a service worker's own fetches (microsoft/playwright
#2311): the browser is pointed at this relay instead of the live server, and the relay can be
`down` (every connection is reset: the server is unreachable, for the pages and for the service
worker alike), or drop requests (never passed on) and responses (the server did the work, the
browser never hears of it), by rule or at random.

HTTP is read just enough to tell one request from the next (headers, then Content-Length bytes);
each request goes to the server on a connection of its own, and every response is sent with
`Connection: close`, so that Chromium never retries a request on a reused connection by itself.
Only loopback addresses are used.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Exchange:
    method: str
    path: str
    outcome: str  # passed | request dropped | response dropped | refused
    status: int | None = None
    seconds: float = 0.0  # the server's time on it
    at: float = field(default_factory=time.monotonic)  # when it was over


@dataclass
class Rule:
    """Drop the request or the response of the next `times` requests that `matches`."""

    matches: Callable[[str, str], bool]
    drop: str  # "request" | "response"
    times: int = 1


@dataclass
class Relay:
    upstream_port: int
    upstream_host: str = HOST
    down: bool = False
    drop_request_rate: float = 0.0
    drop_response_rate: float = 0.0
    #: Random drops apply to requests for which this is true (all by default).
    chaos_applies: Callable[[str, str], bool] = lambda method, path: True
    seed: int = 20
    rules: list[Rule] = field(default_factory=list)
    #: Called with each exchange once it is over (a test cuts the server after the first send).
    after: Callable[[Exchange], None] | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self):
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="relay", daemon=True)
        self._thread.start()

    # ---- what the tests use ----

    @property
    def url(self) -> str:
        # "localhost": the live server's allowed host, and a secure context for service workers.
        return f"http://localhost:{self.port}"

    def go_down(self):
        self.down = True

    def come_up(self):
        self.down = False

    def drop_next(self, drop: str, *, method: str = "POST", path_contains: str = "", times: int = 1):
        with self._lock:
            self.rules.append(Rule(lambda m, p: m == method and path_contains in p, drop, times))

    def seen(self, method: str, path_contains: str = "", outcome: str | None = None) -> list[Exchange]:
        with self._lock:
            return [
                e
                for e in self.exchanges
                if e.method == method
                and path_contains in e.path
                and (outcome is None or e.outcome == outcome)
            ]

    def stop(self):
        self._stopped.set()
        try:
            self._listener.close()
        except OSError:
            pass

    # ---- the relay ----

    def _serve(self):
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _record(self, method, path, outcome, status=None, seconds=0.0):
        exchange = Exchange(method, path, outcome, status, seconds)
        with self._lock:
            self.exchanges.append(exchange)
            self.counts[outcome] += 1
        if self.after is not None:
            self.after(exchange)

    def _decide(self, method: str, path: str) -> str | None:
        with self._lock:
            for rule in self.rules:
                if rule.times > 0 and rule.matches(method, path):
                    rule.times -= 1
                    return rule.drop
            self.rules = [rule for rule in self.rules if rule.times > 0]
            if self.chaos_applies(method, path):
                if self._random.random() < self.drop_request_rate:
                    return "request"
                if self._random.random() < self.drop_response_rate:
                    return "response"
        return None

    @staticmethod
    def _reset(sock):
        """Close with a TCP reset: the browser sees the connection fail, at once."""
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        sock.close()

    @staticmethod
    def _read_request(sock, buffer: bytes):
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                return None, buffer
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return None, b""
            rest += chunk
        body, buffer = rest[:length], rest[length:]
        return (lines, body), buffer

    def _handle(self, client):
        client.settimeout(120)
        buffer = b""
        try:
            while True:
                if self.down:
                    self._record("-", "-", "refused")
                    self._reset(client)
                    return
                request, buffer = self._read_request(client, buffer)
                if request is None:
                    client.close()
                    return
                lines, body = request
                method, path = (lines[0].decode("latin-1").split(" ") + ["", ""])[:2]
                if self.down:
                    self._record(method, path, "refused")
                    self._reset(client)
                    return
                drop = self._decide(method, path)
                if drop == "request":
                    self._record(method, path, "request dropped")
                    self._reset(client)
                    return
                headers = [line for line in lines[1:] if not line.lower().startswith(b"connection:")]
                upstream_request = b"\r\n".join([lines[0], *headers, b"Connection: close", b"", b""]) + body
                began = time.monotonic()
                response = self._forward(upstream_request)
                seconds = time.monotonic() - began
                status = _status(response)
                if drop == "response" or self.down:
                    self._record(method, path, "response dropped", status, seconds)
                    self._reset(client)
                    return
                self._record(method, path, "passed", status, seconds)
                client.sendall(_closing(response))
                client.close()
                return
        except (OSError, ValueError):
            self._reset(client)

    def _forward(self, request: bytes) -> bytes:
        upstream = socket.create_connection((self.upstream_host, self.upstream_port), timeout=120)
        try:
            upstream.sendall(request)
            chunks = []
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            upstream.close()


def _status(response: bytes) -> int | None:
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def _closing(response: bytes) -> bytes:
    """The response with `Connection: close`: the browser opens a new connection for the next."""
    head, sep, body = response.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + sep + body


def wait_until(condition, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()

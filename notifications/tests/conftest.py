"""A real SMTP server process (aiosmtpd, writing each mail it accepts into a Maildir) on
127.0.0.1, and the settings that send through it."""

from __future__ import annotations

import email
import email.policy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, RUN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """`python -m aiosmtpd` with its Mailbox handler: a separate process, stopped and started
    again on the same port to play a mail server that is down."""

    def __init__(self, maildir: Path):
        self.maildir = maildir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        RUN.mkdir(exist_ok=True)
        log = open(RUN / "test-smtp.log", "a")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}"]
            + ["-c", "aiosmtpd.handlers.Mailbox", str(self.maildir)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"220"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("The SMTP server did not start; see .run/test-smtp.log")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def messages(self) -> list[email.message.EmailMessage]:
        """Every mail the server accepted so far, oldest first."""
        paths = sorted((self.maildir / "new").glob("*"), key=lambda path: path.stat().st_mtime_ns)
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in paths]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages() if address in message["To"]]


def text_of(message: email.message.EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""


@pytest.fixture
def smtp_server(tmp_path, settings):
    """A running SMTP server, and Django's mail framework sending through it."""
    server = SmtpServer(tmp_path / "maildir")
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()

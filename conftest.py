"""Fixtures shared by every app's tests: users by role, a real Celery worker process."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent
RUN = ROOT / ".run"


@pytest.fixture
def administrator(db, django_user_model):
    from django.contrib.auth.models import Group

    from programs import roles

    user = django_user_model.objects.create_user("admin-test", password="pw-admin-test", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    return user


def test_database_url() -> str:
    """The URL of pytest-django's test database, for processes started by the tests."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment of a process that shares this test run's database and broker."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="haiti_esc.settings.test",
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on Redis, using the test database; ended after the session."""
    from django.conf import settings

    from haiti_esc.celery import app

    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: run the suite with `make test` (Redis on 127.0.0.1).")
    with django_db_blocker.unblock():
        env = subprocess_env()
    app.connection_for_write().default_channel.client.flushdb()  # no message left by earlier runs
    RUN.mkdir(exist_ok=True)
    log = open(RUN / "test-worker.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "haiti_esc",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while not app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start; see {RUN / 'test-worker.log'}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_for(condition, *, timeout: float = 15, interval: float = 0.1):
    """Poll `condition` until it returns a truthy value, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Condition not met within {timeout} s")
        time.sleep(interval)

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


def role_group(name: str):
    """The group of a role. Transactional tests flush the tables, the groups that the data
    migration made included: they are made again here when missing."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from programs.roles import sync_roles

    group = Group.objects.filter(name=name).first()
    if group is None:
        sync_roles(apps)
        group = Group.objects.get(name=name)
    return group


def make_user(username: str, role: str, *, neighbourhoods=(), is_staff: bool = False):
    """A user in the group of `role`, assigned to `neighbourhoods`; password = 'pw-' + username."""
    from django.contrib.auth.models import User

    from programs.models import NeighbourhoodAssignment

    user = User.objects.create_user(username, password=f"pw-{username}", is_staff=is_staff)
    user.groups.add(role_group(role))
    for hood in neighbourhoods:
        NeighbourhoodAssignment.objects.create(user=user, neighbourhood=hood)
    return user


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts in English: a French request earlier in the thread leaves French active."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_dashboard_boards():
    """Each test's database is rolled back to the same state, which real data never is: the
    cached dashboard boards (dashboard/boards.py) are invalidated so that none outlives its test."""
    from dashboard import boards

    boards.bump()


#: True while a test marked `raw_second_factor` runs: `Client.force_login` is then Django's own.
RAW_SECOND_FACTOR = {"on": False}


@pytest.fixture(scope="session", autouse=True)
def second_factor_with_force_login():
    """`Client.force_login(user)` also marks the session verified by the user's authenticator
    (enrolled on the spot) when the user signs in with a second factor (ILO managers,
    administrators, personal data): tests about something else log in as before, module- and
    session-scoped fixtures included. The login form, `Client.login` and every test marked
    `raw_second_factor` (accounts/tests/) ask for the code."""
    from django.test import Client

    from accounts.testing import client_verify_second_factor

    django_force_login = Client.force_login

    def force_login(self, user, backend=None):
        django_force_login(self, user, backend)
        if not RAW_SECOND_FACTOR["on"]:
            client_verify_second_factor(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        yield


@pytest.fixture(autouse=True)
def raw_second_factor(request):
    """Tests marked `raw_second_factor` get Django's own `Client.force_login`."""
    RAW_SECOND_FACTOR["on"] = request.node.get_closest_marker("raw_second_factor") is not None
    yield
    RAW_SECOND_FACTOR["on"] = False


def throttles_cleared() -> None:
    """Forget the throttles' request counts (they live in the cache, which outlives tests and runs)."""
    from django.conf import settings
    from django.core.cache import caches

    cache = caches[settings.THROTTLE_CACHE]
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):  # Redis: our keys only
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Request counts of the throttles start at zero in each test, whatever ran before: an
    earlier test, or an earlier run stopped within the throttles' window."""
    throttles_cleared()
    yield
    throttles_cleared()


@pytest.fixture
def administrator(db):
    from programs import roles

    return make_user("admin-test", roles.ADMINISTRATORS, is_staff=True)


@pytest.fixture
def two_hoods(db):
    """Bel Air and Fort National, each with a record of every kind and its field staff member,
    an ILO manager ("manager-world") and an administrator ("admin-world"): `tests/worlds.py`."""
    from tests.worlds import two_neighbourhoods

    return two_neighbourhoods(manager="manager-world", admin="admin-world")


def database_url_of_the_tests() -> str:
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
        DATABASE_URL=database_url_of_the_tests(),
        REDIS_URL=settings.REDIS_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def run_with_broker_down(script: str) -> subprocess.CompletedProcess:
    """Run a Python snippet in a process of this test run whose broker does not answer: port 9
    (discard) on loopback is closed. The snippet sets Django up itself."""
    return subprocess.run(  # noqa: S603 - our own interpreter and snippet
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(REDIS_URL="redis://127.0.0.1:9/15"),
    )


def start_worker(env: dict[str, str], name: str, queues: str = "celery") -> subprocess.Popen:
    """Start a Celery worker process (solo pool) and wait until it answers a ping."""
    from haiti_esc.celery import app

    RUN.mkdir(exist_ok=True)
    log = open(RUN / f"test-worker-{name}.log", "w")  # noqa: SIM115 - the process owns it
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
            "-Q",
            queues,
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while not app.control.ping(destination=[f"{name}-{os.getpid()}@{os.uname().nodename}"], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start; see {log.name}")
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


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
    process = start_worker(env, "test")
    yield process
    stop_worker(process)


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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A phone-sized page in French, as CVR field staff use the app."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """Log a user in through the login page; returns the page."""

    def log_in(username: str, password: str):
        from django.contrib.auth.models import User

        from accounts.second_factor import signs_in_with_second_factor
        from accounts.testing import second_factor_device, totp_code

        user = User.objects.filter(username=username).first()
        device = second_factor_device(user) if user and signs_in_with_second_factor(user) else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if device is not None and "/accounts/second-factor/verify/" in page.url:
            # The second step, as the person types the code their app shows.
            device.refresh_from_db()
            page.fill("input[name=code]", totp_code(device))
            page.click("main button[type=submit]")
            page.wait_for_load_state()
        return page

    return log_in

"""Faults survived with nothing lost: a worker killed mid-task, the database going away."""

import datetime
import os
import signal
import subprocess
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from conftest import start_worker, stop_worker, subprocess_env, wait_for
from programs.models import Project, ReviewState, Target
from programs.tests.factories import ProjectFactory, TargetFactory
from progress.selectors import latest_snapshots
from progress.tasks import recompute_project_progress
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VERIFIED = {
    "review_state": ReviewState.VERIFIED,
    "review_changed_at": datetime.datetime(2014, 10, 7, tzinfo=datetime.UTC),
}
QUEUE = "fault-test"


def blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Activity is read once per transaction unless the snapshot is cleared: we poll in one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_a_recompute_killed_mid_task_runs_again_and_the_snapshot_is_right(settings):
    project = ProjectFactory()
    target = TargetFactory(
        project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=Decimal("4000")
    )
    WorkRecordFactory(site=RehabSiteFactory(project=project), completed_area_m2=Decimal("50"), **VERIFIED)
    env = subprocess_env(CELERY_VISIBILITY_TIMEOUT="2")
    with transaction.atomic():
        # Hold the project's row: the recompute waits on it, mid-task, when its worker is killed.
        Project.objects.select_for_update().get(pk=project.pk)
        first = start_worker(env, "doomed", QUEUE)
        recompute_project_progress.apply_async(args=[project.pk], queue=QUEUE)
        sent_at = time.monotonic()
        wait_for(blocked_on_a_lock, timeout=20)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert not target.snapshots.exists()
    # A starting worker puts back the unacknowledged messages older than the visibility timeout
    # (2 s here); after that kombu looks again only every 100 s. Start it once the message is.
    time.sleep(max(0.0, sent_at + 2.5 - time.monotonic()))
    second = start_worker(env, "survivor", QUEUE)
    try:
        wait_for(lambda: target.snapshots.exists(), timeout=30, interval=0.25)
    finally:
        stop_worker(second)
    assert latest_snapshots().get(target=target).actual == 50


@pytest.mark.skipif(
    os.environ.get("FAULT_TESTS_RESTART_POSTGRES") != "1",
    reason="stops and starts the PostgreSQL cluster: `make test` sets FAULT_TESTS_RESTART_POSTGRES=1",
)
def test_while_the_database_is_down_pages_answer_503_and_the_next_request_after_restart_succeeds(live_server):
    """Through a live server (its requests start with the connection health check, as under
    gunicorn), a logged-in user's page: 200, then 503 while PostgreSQL is stopped, then 200."""
    import re

    import requests

    from conftest import make_user
    from programs import roles

    make_user("outage", roles.FIELD_STAFF)
    browser = requests.Session()
    login = browser.get(f"{live_server.url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    browser.post(
        f"{live_server.url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "outage", "password": "pw-outage"},
        headers={"Referer": f"{live_server.url}/accounts/login/"},
        timeout=10,
    )
    home = f"{live_server.url}{reverse('field:home')}"
    assert browser.get(home, timeout=10, allow_redirects=False).status_code == 200
    subprocess.run(["pg_ctlcluster", "15", "main", "stop", "-m", "fast"], check=True)  # noqa: S607
    try:
        down = browser.get(home, timeout=30, allow_redirects=False)
    finally:
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)  # noqa: S607
        wait_for(lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0)  # noqa: S607
        connection.close()  # this test's own connection died with the server
    assert down.status_code == 503
    assert down.headers["Retry-After"] == "30"
    assert "Traceback" not in down.text
    assert browser.get(home, timeout=30, allow_redirects=False).status_code == 200

"""Progress through the real parts: a Celery worker process on Redis, PostgreSQL, and a broker outage."""

import datetime
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from conftest import ROOT, subprocess_env, wait_for
from programs.models import Project, ReviewState, Target
from programs.selectors import latest_snapshots
from programs.services import progress_recompute, review_set_state
from programs.tasks import catch_up_progress
from programs.tests.factories import ProjectFactory, TargetFactory
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMITTED = {
    "review_state": ReviewState.SUBMITTED,
    "review_changed_at": datetime.datetime(2014, 10, 7, tzinfo=datetime.UTC),
}


@pytest.fixture
def area_target():
    project = ProjectFactory()
    target = TargetFactory(
        project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=Decimal("4000")
    )
    progress_recompute(project_ids=[project.pk])
    return target


def area(target) -> Decimal:
    return latest_snapshots().get(target=target).actual


def test_verifying_a_work_record_raises_the_area_through_the_worker(
    celery_worker, area_target, django_user_model
):
    manager = django_user_model.objects.create_user("manager-w")
    site = RehabSiteFactory(project=area_target.project)
    record = WorkRecordFactory(site=site, completed_area_m2=Decimal("50"), **SUBMITTED)
    before = area(area_target)
    review_set_state(record=record, to_state=ReviewState.VERIFIED, by=manager)
    started = time.monotonic()
    wait_for(lambda: area(area_target) == before + 50, timeout=10)
    assert time.monotonic() - started < 10
    assert Project.objects.get(pk=site.project_id).progress_stale_since is None


def test_a_burst_of_changes_is_coalesced_into_a_handful_of_recomputes(
    celery_worker, area_target, django_user_model
):
    manager = django_user_model.objects.create_user("manager-b")
    site = RehabSiteFactory(project=area_target.project, planned_area_m2=Decimal("1000"))
    records = [WorkRecordFactory(site=site, completed_area_m2=Decimal("2"), **SUBMITTED) for _ in range(40)]
    for record in records:
        review_set_state(record=record, to_state=ReviewState.VERIFIED, by=manager)
    wait_for(lambda: area(area_target) == 80, timeout=15)
    snapshots = area_target.snapshots.filter(reason="change").count()
    assert 1 <= snapshots <= 6, snapshots


def test_with_the_broker_down_a_save_succeeds_and_the_catch_up_repairs_progress(
    celery_worker, area_target, django_user_model
):
    manager = django_user_model.objects.create_user("manager-d")
    record = WorkRecordFactory(
        site=RehabSiteFactory(project=area_target.project), completed_area_m2=Decimal("75"), **SUBMITTED
    )
    script = (
        "import django; django.setup();"
        "from django.contrib.auth.models import User;"
        "from rehab.models import WorkRecord;"
        "from programs.services import review_set_state;"
        f"review_set_state(record=WorkRecord.objects.get(pk={record.pk}), to_state='verified',"
        f" by=User.objects.get(pk={manager.pk}))"
    )
    started = time.monotonic()
    # Port 9 (discard) on loopback is closed: the broker is unreachable for this process.
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(REDIS_URL="redis://127.0.0.1:9/15"),
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "catch-up will do it" in done.stderr
    assert elapsed < 5, elapsed
    record.refresh_from_db()
    assert record.review_state == ReviewState.VERIFIED
    assert area(area_target) == 0
    assert Project.objects.get(pk=area_target.project_id).progress_stale_since is not None
    time.sleep(1.1)  # the catch-up takes projects stale for longer than PROGRESS_CATCH_UP_SECONDS
    catch_up_progress.delay()
    wait_for(lambda: area(area_target) == 75, timeout=10)

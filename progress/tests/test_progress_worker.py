"""Progress through the real parts: a Celery worker process on Redis, PostgreSQL, and a broker outage."""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import transaction

from conftest import run_with_broker_down, wait_for
from programs.models import Project, ReviewState, Target
from programs.review import review_set_state
from programs.tests.factories import ProjectFactory, TargetFactory
from progress.selectors import latest_snapshots
from progress.services import progress_recompute
from progress.tasks import catch_up_progress
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
    records = [WorkRecordFactory(site=site, completed_area_m2=Decimal("2"), **SUBMITTED) for _ in range(60)]
    baseline = area_target.snapshots.count()
    # An import-like burst: 40 changes in one transaction queue one recompute.
    with transaction.atomic():
        for record in records[:40]:
            review_set_state(record=record, to_state=ReviewState.VERIFIED, by=manager)
    wait_for(lambda: area(area_target) == 80, timeout=15)
    assert area_target.snapshots.count() - baseline == 1
    # 20 changes committed one by one: far fewer recomputes than changes.
    for record in records[40:]:
        review_set_state(record=record, to_state=ReviewState.VERIFIED, by=manager)
    wait_for(lambda: area(area_target) == 120, timeout=15)
    assert area_target.snapshots.count() - baseline - 1 < 10


def test_with_the_broker_down_a_save_succeeds_and_the_catch_up_repairs_progress(
    celery_worker, area_target, django_user_model
):
    manager = django_user_model.objects.create_user("manager-d")
    record = WorkRecordFactory(
        site=RehabSiteFactory(project=area_target.project), completed_area_m2=Decimal("75"), **SUBMITTED
    )
    script = (
        "import time, django; django.setup();"
        "from django.contrib.auth.models import User;"
        "from rehab.models import WorkRecord;"
        "from programs.review import review_set_state;"
        f"record, by = WorkRecord.objects.get(pk={record.pk}), User.objects.get(pk={manager.pk});"
        "started = time.monotonic();"
        "review_set_state(record=record, to_state='verified', by=by);"
        "print(time.monotonic() - started)"
    )
    done = run_with_broker_down(script)
    assert done.returncode == 0, done.stderr
    assert "catch-up will do it" in done.stderr
    saving = float(done.stdout.strip().splitlines()[-1])  # the save itself, broker failure included
    assert saving < 5, saving
    record.refresh_from_db()
    assert record.review_state == ReviewState.VERIFIED
    assert area(area_target) == 0
    assert Project.objects.get(pk=area_target.project_id).progress_stale_since is not None
    time.sleep(1.1)  # the catch-up takes projects stale for longer than PROGRESS_CATCH_UP_SECONDS
    catch_up_progress.delay()
    wait_for(lambda: area(area_target) == 75, timeout=10)

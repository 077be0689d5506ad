"""A large project's approved report: its PDF prepared by a real Celery worker process after the
approval commits, not in the approval's request."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from conftest import make_user, wait_for
from programs import roles
from programs.models import ReviewState, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory
from progress.models import PeriodState, ReportingPeriod
from progress.period_services import narrative_save, reporting_periods_ensure
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory
from reports.services import report_transition

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_large_projects_approved_pdf_is_prepared_by_the_worker(celery_worker, settings):
    settings.REPORTS_PDF_INLINE_RECORDS = 0  # every project with a record is "large" here
    project = ProjectFactory(neighbourhoods=[NeighbourhoodFactory(name="Bel Air")])
    area = TargetFactory(project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=Decimal(4000))
    reporting_periods_ensure(project_ids=[project.pk])
    WorkRecordFactory(
        site=RehabSiteFactory(project=project, planned_area_m2=Decimal(1000)),
        date=datetime.date(2015, 2, 10),
        completed_area_m2=Decimal(120),
        review_state=ReviewState.VERIFIED,
        review_changed_at=datetime.datetime(2015, 3, 1, tzinfo=datetime.UTC),
    )
    first, second = make_user("big-m1", roles.ILO_MANAGERS), make_user("big-m2", roles.ILO_MANAGERS)
    period = ReportingPeriod.objects.get(project=project, code="2015-Q1")
    narrative_save(period=period, target=area, text="Corridors paved between the rains.", by=first)
    report_transition(period=period, to_state=PeriodState.IN_REVIEW, by=first)
    approved = report_transition(period=period, to_state=PeriodState.APPROVED, by=second)
    assert approved.state == PeriodState.APPROVED
    assert not approved.approved_pdf  # not built in the request
    kept = wait_for(
        lambda: ReportingPeriod.objects.filter(pk=period.pk).exclude(approved_pdf=None).first(), timeout=60
    )
    assert bytes(kept.approved_pdf).startswith(b"%PDF")
    assert kept.approved_pdf_language == "en"

"""The dashboard's query count does not grow with the data; a page of a list costs a fixed number."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from dashboard import boards
from dashboard.figures import FIGURES
from enterprises.tests.factories import BusinessFactory, CentreFactory, EscServiceFactory, JobFactory
from fora.models import BeneficiarySelection
from fora.tests.factories import ForumFactory, ForumSessionFactory, StructurePriorityFactory
from programs import roles
from programs.models import ReviewState, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory
from progress.services import progress_backfill, progress_recompute
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

pytestmark = pytest.mark.django_db

VERIFIED = {
    "review_state": ReviewState.VERIFIED,
    "review_changed_at": datetime.datetime(2014, 12, 1, tzinfo=datetime.UTC),
}


def build(*, projects: int, records: int) -> list:
    """`projects` projects in two neighbourhoods, each with `records` records of every kind per
    neighbourhood, their monthly trend and a latest snapshot."""
    hoods = [NeighbourhoodFactory(name="Bel Air"), NeighbourhoodFactory(name="Fort National")]
    made = []
    for _ in range(projects):
        project = ProjectFactory(neighbourhoods=hoods)
        for indicator, value in [("businesses", 16), ("youth_jobs", 114), ("rehabilitated_m2", 4000)]:
            TargetFactory(project=project, indicator=indicator, value=Decimal(value))
        for hood in hoods:
            centre = CentreFactory(project=project, neighbourhood=hood)
            session = ForumSessionFactory(project=project, forum=ForumFactory(neighbourhood=hood), **VERIFIED)
            site = RehabSiteFactory(project=project, neighbourhood=hood, planned_area_m2=Decimal(100_000))
            for n in range(records):
                business = BusinessFactory(centre=centre, status="operating", **VERIFIED)
                JobFactory(business=business, **VERIFIED)
                EscServiceFactory(business=business, centre=centre, **VERIFIED)
                WorkRecordFactory(
                    site=site, date=datetime.date(2014, 10, 6) + datetime.timedelta(days=n), **VERIFIED
                )
                StructurePriorityFactory(session=session, rank=n + 1)
                BeneficiarySelection.objects.create(session=session, beneficiary=business.owner)
        progress_backfill(project_id=project.pk)
        made.append(project)
    progress_recompute()
    return made


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def manager_client(client, db):
    client.force_login(make_user("manager-queries", roles.ILO_MANAGERS))
    return client


def dashboard_queries(client, url: str) -> tuple[int, int]:
    """Queries of the page rendered (its cached board invalidated first), then served again."""
    boards.bump()
    rendered = count_queries(client, url)
    return rendered, count_queries(client, url)


def test_dashboard_query_count_is_the_same_with_ten_times_the_data(
    manager_client, django_assert_max_num_queries
):
    build(projects=1, records=2)
    url = reverse("dashboard:index")
    manager_client.get(url)  # the session and the user's groups are read like on any page
    small, small_cached = dashboard_queries(manager_client, url)

    build(projects=1, records=20)
    assert Target.objects.count() == 6
    large, large_cached = dashboard_queries(manager_client, url)
    print(
        f"/dashboard/ queries: {small} (2 records of each kind) vs {large} (10×, two projects); "
        f"from the cached board: {small_cached} vs {large_cached}"
    )
    assert large == small
    assert large_cached == small_cached < small
    with django_assert_max_num_queries(small):
        manager_client.get(url)


def test_a_page_of_a_drill_down_list_costs_a_fixed_number_of_queries(manager_client):
    few = build(projects=2, records=3)[0]
    many = build(projects=1, records=30)[0]
    for figure in FIGURES:
        small = count_queries(manager_client, reverse("dashboard:figure", args=[few.pk, figure]))
        large = count_queries(manager_client, reverse("dashboard:figure", args=[many.pk, figure]))
        print(f"{figure}: {small} queries for 6 rows, {large} for a page of 50")
        assert large == small, figure

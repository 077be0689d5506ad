"""Which records count towards progress, computed through the real selector and service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory, JobFactory
from programs.models import ReviewState, Target
from programs.review import review_set_state
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory
from progress.models import ProgressSnapshot
from progress.selectors import jobs_with_age_at_start, latest_snapshots, progress_actuals
from progress.services import progress_recompute
from rehab.models import WorkRecord
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

pytestmark = pytest.mark.django_db

VERIFIED = {
    "review_state": ReviewState.VERIFIED,
    "review_changed_at": datetime.datetime(2014, 9, 1, tzinfo=datetime.UTC),
}
START = datetime.date(2014, 8, 1)
D = Decimal


def born(age: int) -> datetime.date:
    """Born so as to be `age` on START."""
    return START.replace(year=START.year - age) - datetime.timedelta(days=10)


def actuals(project, **kwargs):
    return progress_actuals([project.pk], **kwargs)[project.pk]


@pytest.fixture
def project():
    return ProjectFactory(
        neighbourhoods=[NeighbourhoodFactory(name="Bel Air"), NeighbourhoodFactory(name="Fort National")]
    )


@pytest.fixture
def business(project):
    return BusinessFactory(centre__project=project, **VERIFIED)


def test_only_verified_created_or_operating_businesses_count(project):
    BusinessFactory(centre__project=project, status="operating", **VERIFIED)
    BusinessFactory(centre__project=project, status="created", **VERIFIED)
    BusinessFactory(centre__project=project, status="closed", **VERIFIED)
    BusinessFactory(centre__project=project, status="planned", **VERIFIED)
    BusinessFactory(
        centre__project=project,
        review_state=ReviewState.SUBMITTED,
        review_changed_at=VERIFIED["review_changed_at"],
    )
    BusinessFactory(centre__project=project)  # draft
    BusinessFactory(**VERIFIED)  # another project
    deleted = BusinessFactory(centre__project=project, **VERIFIED)
    deleted.delete()
    assert actuals(project)[Target.Indicator.BUSINESSES].total == 2


def test_business_breakdown_by_neighbourhood_and_owner_sex(project):
    bel_air, fort_national = project.neighbourhoods.order_by("name")
    for hood, sex in [(bel_air, "F"), (bel_air, "M"), (fort_national, "F")]:
        BusinessFactory(
            centre__project=project,
            centre__neighbourhood=hood,
            neighbourhood=hood,
            owner__sex=sex,
            owner__neighbourhood=hood,
            **VERIFIED,
        )
    breakdown = actuals(project)[Target.Indicator.BUSINESSES].breakdown
    assert breakdown["neighbourhood"] == {"Bel Air": 2, "Fort National": 1}
    assert breakdown["sex"] == {"F": 2, "M": 1}


def test_youth_jobs_count_verified_jobs_of_workers_inside_the_band(project, business):
    hood = business.neighbourhood
    for age in (15, 24):
        JobFactory(
            business=business,
            worker=BeneficiaryFactory(date_of_birth=born(age), neighbourhood=hood),
            start_date=START,
            **VERIFIED,
        )
    JobFactory(
        business=business,
        worker=BeneficiaryFactory(date_of_birth=born(25), neighbourhood=hood),
        start_date=START,
        **VERIFIED,
    )  # not youth by default
    JobFactory(
        business=business,
        worker=BeneficiaryFactory(date_of_birth=born(20), neighbourhood=hood),
        start_date=START,
    )  # draft
    JobFactory(
        business=business,
        worker=BeneficiaryFactory(date_of_birth=born(19), neighbourhood=hood),
        start_date=START,
        end_date=START + datetime.timedelta(days=30),
        **VERIFIED,
    )  # ended: still counts
    JobFactory(
        worker=BeneficiaryFactory(date_of_birth=born(20)), start_date=START, **VERIFIED
    )  # other project
    youth = actuals(project)[Target.Indicator.YOUTH_JOBS]
    assert youth.total == 3
    assert youth.breakdown["age_band"] == {"15–17": 1, "18–24": 2}
    widened = actuals(project, youth_bands={project.pk: (15, 35)})[Target.Indicator.YOUTH_JOBS]
    assert widened.total == 4


def test_age_is_taken_on_the_job_start_date_to_the_day(project, business):
    birthday = START.replace(year=START.year - 25)  # 25 on START exactly
    JobFactory(
        business=business,
        worker=BeneficiaryFactory(
            date_of_birth=birthday + datetime.timedelta(days=1), neighbourhood=business.neighbourhood
        ),
        start_date=START,
        **VERIFIED,
    )  # 24 the day before 25
    JobFactory(
        business=business,
        worker=BeneficiaryFactory(date_of_birth=birthday, neighbourhood=business.neighbourhood),
        start_date=START,
        **VERIFIED,
    )  # 25 that day
    assert actuals(project)[Target.Indicator.YOUTH_JOBS].total == 1


@pytest.mark.parametrize(
    ("born_on", "start", "age"),
    [
        (datetime.date(1996, 8, 2), datetime.date(2014, 8, 1), 17),  # the day before the 18th birthday
        (datetime.date(1996, 8, 1), datetime.date(2014, 8, 1), 18),  # the 18th birthday
        (datetime.date(1996, 12, 31), datetime.date(2015, 1, 1), 18),  # the day after, across a new year
        (datetime.date(1996, 2, 29), datetime.date(2015, 2, 28), 18),  # born on 29 February ...
        (datetime.date(1996, 2, 29), datetime.date(2015, 3, 1), 19),  # ... is a year older on 1 March
        (datetime.date(1996, 2, 29), datetime.date(2016, 2, 29), 20),  # ... or on 29 February
    ],
)
def test_age_at_start_is_in_completed_years_on_the_birthday_edges(project, business, born_on, start, age):
    JobFactory(
        business=business,
        worker=BeneficiaryFactory(date_of_birth=born_on, neighbourhood=business.neighbourhood),
        start_date=start,
        **VERIFIED,
    )
    assert jobs_with_age_at_start([project.pk]).get().age == age
    youth = Target.Indicator.YOUTH_JOBS
    assert actuals(project, youth_bands={project.pk: (age, age)})[youth].total == 1
    assert actuals(project, youth_bands={project.pk: (age + 1, 35)})[youth].total == 0
    assert actuals(project, youth_bands={project.pk: (15, age - 1)})[youth].total == 0


def _jobs_of_ages(business, ages) -> None:
    for age in ages:
        JobFactory(
            business=business,
            worker=BeneficiaryFactory(date_of_birth=born(age), neighbourhood=business.neighbourhood),
            start_date=START,
            **VERIFIED,
        )


def test_each_project_counts_by_its_own_band_and_labels_ages_outside_the_age_bands_by_it(project, business):
    _jobs_of_ages(business, [15, 16, 17, 18, 24, 25, 29, 30, 35, 36, 40, 41])
    other = ProjectFactory()
    _jobs_of_ages(BusinessFactory(centre__project=other, **VERIFIED), [17, 18, 22, 25, 31])
    with CaptureQueriesContext(connection) as queries:
        result = progress_actuals([project.pk, other.pk], youth_bands={project.pk: (16, 40)})
    assert len(queries) == 3
    wide, default = (result[p][Target.Indicator.YOUTH_JOBS] for p in (project.pk, other.pk))
    assert wide.total == 10
    assert wide.breakdown["age_band"] == {"15–17": 2, "18–24": 2, "25–29": 2, "30–35": 2, "16–40": 2}
    assert default.total == 3
    assert default.breakdown["age_band"] == {"15–17": 1, "18–24": 2}


def test_rehabilitated_area_sums_verified_work_with_decimals(project):
    site = RehabSiteFactory(project=project, planned_area_m2=D("1000"))
    WorkRecordFactory(site=site, completed_area_m2=D("120.25"), **VERIFIED)
    WorkRecordFactory(site=site, completed_area_m2=D("79.50"), **VERIFIED)
    WorkRecordFactory(site=site, completed_area_m2=D("300"))  # draft
    area = actuals(project)[Target.Indicator.REHABILITATED_AREA]
    assert area.total == D("199.75")
    assert area.breakdown["neighbourhood"] == {site.neighbourhood.name: D("199.75")}


def test_a_record_returned_after_verification_leaves_the_count(project, django_user_model):
    manager = django_user_model.objects.create_user("manager-t")
    TargetFactory(project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=D("4000"))
    record = WorkRecordFactory(
        site=RehabSiteFactory(project=project),
        completed_area_m2=D("50"),
        review_state=ReviewState.SUBMITTED,
        review_changed_at=VERIFIED["review_changed_at"],
    )
    review_set_state(record=record, to_state=ReviewState.VERIFIED, by=manager)
    progress_recompute(project_ids=[project.pk])
    assert latest_snapshots().get().actual == D("50")
    with pytest.raises(ValidationError) as caught:
        review_set_state(record=record, to_state=ReviewState.RETURNED, by=manager)
    assert "comment" in caught.value.message_dict
    review_set_state(record=record, to_state=ReviewState.RETURNED, by=manager, comment="Photo missing")
    progress_recompute(project_ids=[project.pk])
    assert latest_snapshots().get().actual == D("0")
    assert [e.to_state for e in record_events(record)] == ["verified", "returned"]


def record_events(record):
    from django.contrib.contenttypes.models import ContentType

    from programs.models import ReviewEvent

    return ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def test_a_draft_cannot_be_verified_without_being_submitted(project, django_user_model):
    record = WorkRecordFactory(site=RehabSiteFactory(project=project))
    with pytest.raises(ValidationError) as caught:
        review_set_state(
            record=record, to_state=ReviewState.VERIFIED, by=django_user_model.objects.create_user("m")
        )
    assert "review_state" in caught.value.message_dict
    record.refresh_from_db()
    assert record.review_state == ReviewState.DRAFT


def test_recompute_is_idempotent_and_writes_one_snapshot_per_change(project, business):
    for indicator, value in [("businesses", 16), ("youth_jobs", 114), ("rehabilitated_m2", 4000)]:
        TargetFactory(project=project, indicator=indicator, value=D(value))
    assert len(progress_recompute(project_ids=[project.pk])) == 3
    assert progress_recompute(project_ids=[project.pk]) == []
    BusinessFactory(centre=business.centre, **VERIFIED)
    changed = progress_recompute(project_ids=[project.pk])
    indicators = dict(project.targets.values_list("pk", "indicator"))
    assert [(indicators[s.target_id], s.actual) for s in changed] == [("businesses", D("2"))]
    assert ProgressSnapshot.objects.count() == 4
    latest = {s.target.indicator: s for s in latest_snapshots()}
    assert latest["businesses"].percent == D("12.50")
    assert latest["businesses"].breakdown["sex"] == {"F": "2"}


def _bulk_records(project, n: int) -> None:
    """n verified jobs (each with its own worker), n verified work records and n businesses."""
    business = BusinessFactory(centre__project=project, **VERIFIED)
    hood = business.neighbourhood
    workers = Beneficiary.objects.bulk_create(
        BeneficiaryFactory.build(neighbourhood=hood, date_of_birth=born(18 + i % 15)) for i in range(n)
    )
    Job.objects.bulk_create(
        JobFactory.build(business=business, worker=w, start_date=START, **VERIFIED) for w in workers
    )
    site = RehabSiteFactory(project=project, planned_area_m2=D(n))
    WorkRecord.objects.bulk_create(
        WorkRecordFactory.build(site=site, completed_area_m2=D("1"), **VERIFIED) for _ in range(n)
    )
    for _ in range(min(n, 20)):
        BusinessFactory(centre=business.centre, **VERIFIED)


@pytest.mark.parametrize("n", [10, 1000])
def test_the_selector_runs_three_queries_whatever_the_number_of_records(project, n):
    _bulk_records(project, n)
    other = ProjectFactory()
    with CaptureQueriesContext(connection) as queries:
        result = progress_actuals([project.pk, other.pk])
    assert len(queries) == 3
    assert result[project.pk][Target.Indicator.REHABILITATED_AREA].total == n
    assert result[other.pk][Target.Indicator.YOUTH_JOBS].total == 0

"""Each domain rule refuses bad input twice: in `full_clean()` with a message on the field,
and in PostgreSQL (constraint or trigger) when a write skips validation. Nothing is saved."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory, EscServiceFactory, JobFactory
from fora.tests.factories import ForumSessionFactory
from programs.tests.factories import ProjectFactory, TargetFactory
from rehab.models import WorkRecord
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

pytestmark = pytest.mark.django_db

BEFORE_SIGNING = datetime.date(2014, 3, 26)


def future() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=3)


def born_years_before(day: datetime.date, years: int, days_after: int = 1) -> datetime.date:
    """A birth date making the person `years` old on `day`, turning years+1 `days_after` days later."""
    return day.replace(year=day.year - years - 1) + datetime.timedelta(days=days_after)


@dataclass
class Rule:
    """A saved valid record, the bad values, the field the message must name."""

    id: str
    make: Callable[[], Any]
    bad: dict
    field: str
    message: str = ""

    def __str__(self) -> str:
        return self.id


def light_job_of_a_17_year_old():
    start = datetime.date(2014, 8, 1)
    worker = BeneficiaryFactory(date_of_birth=born_years_before(start, 17))
    return JobFactory(worker=worker, business__neighbourhood=worker.neighbourhood, start_date=start)


def site_with_400_of_500_done():
    record = WorkRecordFactory(completed_area_m2=Decimal("400"), site__planned_area_m2=Decimal("500"))
    return record.site


RULES = [
    Rule("target-value-positive", TargetFactory, {"value": Decimal("0")}, "value"),
    Rule("site-area-positive", RehabSiteFactory, {"planned_area_m2": Decimal("-5")}, "planned_area_m2"),
    Rule("work-area-positive", WorkRecordFactory, {"completed_area_m2": Decimal("0")}, "completed_area_m2"),
    Rule(
        "work-area-within-plan",
        WorkRecordFactory,
        {"completed_area_m2": Decimal("500.01")},
        "completed_area_m2",
        "remain",
    ),
    Rule(
        "site-plan-not-below-done",
        site_with_400_of_500_done,
        {"planned_area_m2": Decimal("399")},
        "planned_area_m2",
        "already recorded",
    ),
    Rule(
        "session-has-participants",
        ForumSessionFactory,
        {"women": 0, "men": 0, "youth": 0},
        "women",
        "participant",
    ),
    Rule("session-youth-within-participants", ForumSessionFactory, {"youth": 46}, "youth"),
    Rule("project-end-after-start", ProjectFactory, {"end_date": datetime.date(2014, 3, 31)}, "end_date"),
    Rule("job-end-after-start", JobFactory, {"end_date": datetime.date(2014, 7, 31)}, "end_date"),
    Rule("session-not-before-signing", ForumSessionFactory, {"held_on": BEFORE_SIGNING}, "held_on", "signed"),
    Rule(
        "business-not-before-signing", BusinessFactory, {"formed_on": BEFORE_SIGNING}, "formed_on", "signed"
    ),
    Rule(
        "service-not-before-signing",
        EscServiceFactory,
        {"delivered_on": BEFORE_SIGNING},
        "delivered_on",
        "signed",
    ),
    Rule("job-not-before-signing", JobFactory, {"start_date": BEFORE_SIGNING}, "start_date", "signed"),
    Rule("work-not-before-signing", WorkRecordFactory, {"date": BEFORE_SIGNING}, "date", "signed"),
    Rule("session-not-in-future", ForumSessionFactory, {"held_on": future}, "held_on", "future"),
    Rule("business-not-in-future", BusinessFactory, {"formed_on": future}, "formed_on", "future"),
    Rule("service-not-in-future", EscServiceFactory, {"delivered_on": future}, "delivered_on", "future"),
    Rule("job-not-in-future", JobFactory, {"start_date": future}, "start_date", "future"),
    Rule("work-not-in-future", WorkRecordFactory, {"date": future}, "date", "future"),
    # A 17-year-old may do light work; turning it into construction work is child labour.
    Rule(
        "no-child-labour-rehab-under-18",
        light_job_of_a_17_year_old,
        {"is_rehab_work": True},
        "worker",
        "child labour",
    ),
    # Correcting a worker's birth date so that a past job becomes child labour is refused too.
    Rule(
        "no-child-labour-birth-date-change",
        lambda: JobFactory().worker,
        {"date_of_birth": datetime.date(2000, 1, 1)},
        "date_of_birth",
        "child labour",
    ),
    Rule("beneficiary-consent-dated", BeneficiaryFactory, {"consent_date": None}, "consent_date"),
]


def bad_values(rule: Rule) -> dict:
    return {key: value() if callable(value) else value for key, value in rule.bad.items()}


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_full_clean_refuses_with_a_message_on_the_field(rule: Rule):
    obj = rule.make()
    values = bad_values(rule)
    stored_before = type(obj).objects.filter(pk=obj.pk).values(*values).get()
    for key, value in values.items():
        setattr(obj, key, value)
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert rule.field in caught.value.message_dict, caught.value.message_dict
    assert rule.message.lower() in " ".join(caught.value.message_dict[rule.field]).lower()
    assert type(obj).objects.filter(pk=obj.pk).values(*values).get() == stored_before


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_database_refuses_a_direct_write_naming_the_field(rule: Rule):
    obj = rule.make()
    model = type(obj)
    values = bad_values(rule)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**values)
    assert rule.field in str(caught.value)
    stored = model.objects.filter(pk=obj.pk).values(*values).get()
    assert stored != values


def test_child_labour_is_refused_for_a_14_year_old_in_any_job():
    start = datetime.date(2014, 8, 1)
    child = BeneficiaryFactory(date_of_birth=born_years_before(start, 14))
    job = JobFactory.build(worker=child, business=BusinessFactory(), start_date=start)
    with pytest.raises(ValidationError) as caught:
        job.full_clean()
    assert "child labour" in caught.value.message_dict["worker"][0].lower()
    with pytest.raises(IntegrityError, match="worker: child labour"), transaction.atomic():
        Job.objects.bulk_create([job])
    assert not Job.objects.filter(worker=child).exists()


def test_a_16_year_old_may_hold_a_light_job_but_no_construction_work():
    start = datetime.date(2014, 8, 1)
    teen = BeneficiaryFactory(date_of_birth=born_years_before(start, 16))
    business = BusinessFactory()
    light = Job(business=business, worker=teen, role="Shop assistant", start_date=start)
    light.full_clean()
    light.save()
    heavy = Job(business=business, worker=teen, role="Mason", start_date=start, is_rehab_work=True)
    with pytest.raises(ValidationError) as caught:
        heavy.full_clean()
    assert "18" in caught.value.message_dict["worker"][0]


def test_an_18th_birthday_allows_construction_work_that_day():
    start = datetime.date(2014, 8, 1)
    worker = BeneficiaryFactory(date_of_birth=start.replace(year=1996))
    job = Job(business=BusinessFactory(), worker=worker, role="Mason", start_date=start, is_rehab_work=True)
    job.full_clean()
    job.save()
    assert Job.objects.filter(pk=job.pk).exists()


def test_overlapping_jobs_of_one_person_are_refused_and_back_to_back_jobs_accepted():
    first = JobFactory(start_date=datetime.date(2014, 8, 1), end_date=datetime.date(2014, 9, 30))
    overlapping = Job(
        business=first.business, worker=first.worker, role="Mason", start_date=datetime.date(2014, 9, 30)
    )
    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()
    assert "start_date" in caught.value.message_dict
    with (
        pytest.raises(IntegrityError, match="start_date: this person already holds a job"),
        transaction.atomic(),
    ):
        Job.objects.bulk_create([overlapping])
    after = Job(
        business=first.business, worker=first.worker, role="Mason", start_date=datetime.date(2014, 10, 1)
    )
    after.full_clean()
    after.save()
    assert Job.objects.filter(worker=first.worker).count() == 2


def test_a_duplicate_beneficiary_code_is_refused():
    first = BeneficiaryFactory(code="BA-0001")
    duplicate = BeneficiaryFactory.build(code="BA-0001", neighbourhood=first.neighbourhood)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "code" in caught.value.message_dict
    with pytest.raises(IntegrityError, match=r"\(code\)"), transaction.atomic():
        Beneficiary.objects.bulk_create([duplicate])
    assert Beneficiary.objects.filter(code="BA-0001").count() == 1


def test_a_work_record_that_overflows_the_site_is_refused_on_insert():
    record = WorkRecordFactory(completed_area_m2=Decimal("450"), site__planned_area_m2=Decimal("500"))
    extra = WorkRecord(site=record.site, date=datetime.date(2014, 10, 7), completed_area_m2=Decimal("60"))
    with pytest.raises(ValidationError) as caught:
        extra.full_clean()
    assert "50" in caught.value.message_dict["completed_area_m2"][0]
    with pytest.raises(IntegrityError, match="completed_area_m2"), transaction.atomic():
        WorkRecord.objects.bulk_create([extra])
    assert record.site.work_records.count() == 1

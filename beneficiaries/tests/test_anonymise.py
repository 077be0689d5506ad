"""Consent withdrawal and anonymisation: the name, phone and date of birth go (here, in the
history and the admin log); the counts stay."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import IntegerField
from django.db.models.functions import Coalesce
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.services import beneficiary_anonymise, beneficiary_withdraw_consent
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory, JobFactory
from programs.models import ReviewState, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory
from progress.selectors import age_expression, age_on_start_annotations, progress_actuals

pytestmark = pytest.mark.django_db

VERIFIED = {
    "review_state": ReviewState.VERIFIED,
    "review_changed_at": datetime.datetime(2014, 9, 1, tzinfo=datetime.UTC),
}
START = datetime.date(2014, 8, 1)


def born(age: int) -> datetime.date:
    """Born so as to be `age` on START, and `age` + 1 ten days later."""
    return START.replace(year=START.year - age - 1) + datetime.timedelta(days=10)


@pytest.fixture
def project():
    return ProjectFactory(
        neighbourhoods=[NeighbourhoodFactory(name="Bel Air"), NeighbourhoodFactory(name="Fort National")]
    )


@pytest.fixture
def workers(project):
    """Verified jobs of workers aged 16, 24 (youth), 25 and 30 (not youth) on their start date;
    the 24-year-old turned 25 ten days after starting: counted by the age at start, 24."""
    business = BusinessFactory(centre__project=project, owner__phone="+509 4000 0001", **VERIFIED)
    people = {}
    for age, sex in [(16, "F"), (24, "M"), (25, "F"), (30, "M")]:
        person = BeneficiaryFactory(
            code=f"W-{age}",
            date_of_birth=born(age),
            sex=sex,
            phone=f"+509 4000 00{age}",
            neighbourhood=business.neighbourhood,
        )
        JobFactory(business=business, worker=person, start_date=START, **VERIFIED)
        people[age] = person
    return people


def youth_jobs(project) -> tuple:
    actual = progress_actuals([project.pk])[project.pk][Target.Indicator.YOUTH_JOBS]
    return actual.total, actual.breakdown


def test_anonymising_keeps_the_progress_figures_unchanged(project, workers, administrator):
    before = youth_jobs(project)
    assert before[0] == 2

    for person in workers.values():
        beneficiary_anonymise(beneficiary=person, by=administrator)

    assert youth_jobs(project) == before


def test_the_proposed_selector_expression_keeps_every_age_at_start(project, workers, administrator):
    """What `jobs_with_age_at_start` gives once it reads `worker_age_at_start` first."""

    def ages():
        jobs = Job.objects.filter(business__centre__project=project).annotate(
            **age_on_start_annotations("start_date", "worker__date_of_birth")
        )
        jobs = jobs.annotate(
            age=Coalesce(age_expression(), "worker_age_at_start", output_field=IntegerField())
        )
        return sorted(jobs.values_list("worker__code", "age", "worker__sex"))

    before = ages()
    assert [age for _code, age, _sex in before] == [16, 24, 25, 30]

    for person in workers.values():
        beneficiary_anonymise(beneficiary=person, by=administrator)

    assert ages() == before


def test_anonymising_removes_name_phone_and_birth_date_here_and_in_the_history(workers, administrator):
    person = workers[24]
    LogEntry.objects.log_actions(administrator.pk, [person], CHANGE, change_message="checked")
    assert person.last_name in LogEntry.objects.get().object_repr

    beneficiary_anonymise(beneficiary=person, by=administrator)

    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.phone, person.date_of_birth) == ("", "", "", None)
    assert person.anonymised_at is not None
    assert (person.code, person.sex) == ("W-24", "M")
    assert str(person) == "W-24"
    versions = Beneficiary.history.filter(id=person.pk)
    assert versions.count() == 2
    assert set(versions.values_list("first_name", "last_name", "phone", "date_of_birth")) == {
        ("", "", "", None)
    }
    assert versions.latest("history_date").history_user == administrator
    assert (
        LogEntry.objects.get(
            content_type=ContentType.objects.get_for_model(Beneficiary), object_id=str(person.pk)
        ).object_repr
        == "W-24"
    )
    job = person.jobs.get()
    assert job.worker_age_at_start == 24
    assert job.history.latest("history_date").history_user == administrator


def test_anonymising_twice_changes_nothing(workers, administrator):
    first = beneficiary_anonymise(beneficiary=workers[16], by=administrator).anonymised_at

    again = beneficiary_anonymise(beneficiary=workers[16], by=administrator)

    assert again.anonymised_at == first
    assert again.jobs.get().worker_age_at_start == 16


def test_no_new_job_for_an_anonymised_person(workers, administrator):
    person = beneficiary_anonymise(beneficiary=workers[25], by=administrator)
    job = Job(
        business=person.jobs.get().business, worker=person, role="Mason", start_date=datetime.date(2015, 1, 5)
    )

    with pytest.raises(ValidationError, match="worker"):
        job.full_clean()


def test_withdrawing_consent_records_the_date_and_anonymises(workers, administrator):
    person = beneficiary_withdraw_consent(
        beneficiary=workers[30], on=datetime.date(2015, 2, 1), by=administrator
    )

    assert (person.consent_given, person.consent_withdrawn_on) == (False, datetime.date(2015, 2, 1))
    assert person.consent_date == datetime.date(2014, 5, 20)  # when it was given, kept
    assert person.anonymised_at is not None and person.date_of_birth is None


def test_consent_cannot_be_withdrawn_before_it_was_given_or_in_the_future(workers, administrator):
    with pytest.raises(ValidationError):
        beneficiary_withdraw_consent(beneficiary=workers[30], on=datetime.date(2014, 5, 1), by=administrator)
    with pytest.raises(ValidationError):
        beneficiary_withdraw_consent(
            beneficiary=workers[30], on=datetime.date.today() + datetime.timedelta(days=2), by=administrator
        )
    assert Beneficiary.objects.get(pk=workers[30].pk).anonymised_at is None


def test_the_admin_action_asks_for_the_date_then_withdraws_and_anonymises(workers, administrator_client):
    changelist = reverse("admin:beneficiaries_beneficiary_changelist")
    selected = {"action": "withdraw_consent", "_selected_action": [workers[16].pk, workers[24].pk]}

    question = administrator_client.post(changelist, selected)

    assert question.status_code == 200 and b'name="withdrawn_on"' in question.content
    assert Beneficiary.objects.filter(anonymised_at__isnull=False).count() == 0

    administrator_client.post(changelist, {**selected, "confirm": "yes", "withdrawn_on": "2015-03-02"})

    gone = Beneficiary.objects.filter(anonymised_at__isnull=False)
    assert set(gone.values_list("code", "consent_withdrawn_on")) == {
        ("W-16", datetime.date(2015, 3, 2)),
        ("W-24", datetime.date(2015, 3, 2)),
    }
    change = administrator_client.get(
        reverse("admin:beneficiaries_beneficiary_change", args=[workers[16].pk])
    )
    assert change.status_code == 200  # shown read-only: nothing is left to change
    assert b'name="first_name"' not in change.content

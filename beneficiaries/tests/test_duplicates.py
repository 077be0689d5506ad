"""Suspected duplicates: flagged by name and date of birth or by phone, merged without losing
a job, a selection or a business."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.selectors import look_alikes_of, with_duplicate_flag
from beneficiaries.services import beneficiaries_confirm_distinct, beneficiary_anonymise, beneficiary_merge
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Business, Job
from enterprises.tests.factories import BusinessFactory, JobFactory
from fora.models import BeneficiarySelection
from fora.tests.factories import ForumSessionFactory
from programs.models import Project

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:beneficiaries_beneficiary_changelist")


def flagged() -> set[str]:
    return set(
        with_duplicate_flag(Beneficiary.objects.all())
        .filter(suspected_duplicate=True)
        .values_list("code", flat=True)
    )


def test_same_name_and_birth_date_or_same_phone_is_a_suspected_duplicate(hoods):
    bel_air = hoods[0]
    BeneficiaryFactory(
        code="A", first_name="Marie", last_name="Joseph", phone="+509 3712 3456", neighbourhood=bel_air
    )
    BeneficiaryFactory(code="B", first_name=" marie", last_name="JOSEPH ", phone="", neighbourhood=bel_air)
    BeneficiaryFactory(
        code="C", first_name="Jean", last_name="Pierre", phone="37123456", neighbourhood=bel_air
    )
    BeneficiaryFactory(
        code="D", first_name="Marie", last_name="Joseph", phone="", date_of_birth=datetime.date(1990, 1, 1)
    )
    BeneficiaryFactory(code="E", first_name="Rose", last_name="Paul", phone="+509 4000 0000")

    assert flagged() == {"A", "B", "C"}
    assert list(look_alikes_of(Beneficiary.objects.get(code="A")).values_list("code", flat=True)) == [
        "B",
        "C",
    ]


def test_an_anonymised_person_is_never_a_look_alike(hoods, administrator):
    BeneficiaryFactory(code="A", first_name="Marie", last_name="Joseph", phone="+509 3712 3456")
    twin = BeneficiaryFactory(code="B", first_name="Marie", last_name="Joseph", phone="+509 3712 3456")

    beneficiary_anonymise(beneficiary=twin, by=administrator)

    assert flagged() == set()


def test_people_confirmed_different_are_no_longer_flagged(hoods, administrator):
    sister = BeneficiaryFactory(code="A", first_name="Marie", phone="+509 3712 3456")
    brother = BeneficiaryFactory(code="B", first_name="Jean", phone="+509 3712 3456")
    cousin = BeneficiaryFactory(code="C", first_name="Rose", phone="+509 3712 3456")

    beneficiaries_confirm_distinct(beneficiaries=[sister, brother], by=administrator)

    assert flagged() == {"A", "B", "C"}  # both still share the phone with C
    beneficiaries_confirm_distinct(beneficiaries=[sister, brother, cousin], by=administrator)
    assert flagged() == set()


@pytest.fixture
def two_records(hoods):
    """The same person recorded twice, each record with a job, selections and (one) a business."""
    session_1 = ForumSessionFactory(held_on=datetime.date(2014, 4, 26))
    project = session_1.project
    session_2 = ForumSessionFactory(
        project=project, forum=session_1.forum, held_on=datetime.date(2014, 5, 10)
    )
    hood = session_1.forum.neighbourhood
    keep = BeneficiaryFactory(code="BA-1", first_name="Marie", last_name="Joseph", neighbourhood=hood)
    duplicate = BeneficiaryFactory(code="BA-2", first_name="Marie", last_name="Joseph", neighbourhood=hood)
    kept_job = JobFactory(
        worker=keep,
        business__centre__project=project,
        business__centre__neighbourhood=hood,
        business__neighbourhood=hood,
        business__owner__phone="+509 4999 0000",
        start_date=datetime.date(2014, 5, 1),
        end_date=datetime.date(2014, 6, 30),
    )
    moved_job = JobFactory(worker=duplicate, business=kept_job.business, start_date=datetime.date(2014, 8, 1))
    owned = BusinessFactory(owner=duplicate, centre=kept_job.business.centre, neighbourhood=hood)
    BeneficiarySelection.objects.create(session=session_1, beneficiary=keep, reason="unemployed")
    BeneficiarySelection.objects.create(session=session_1, beneficiary=duplicate, reason="head of household")
    BeneficiarySelection.objects.create(session=session_2, beneficiary=duplicate, reason="")
    Project.objects.update(progress_stale_since=None)
    return keep, duplicate, kept_job, moved_job, owned, session_1, session_2


def test_merge_keeps_every_job_selection_and_business(two_records, administrator):
    keep, duplicate, kept_job, moved_job, owned, session_1, session_2 = two_records
    jobs_before = Job.objects.count()

    summary = beneficiary_merge(keep=keep, duplicates=[duplicate], by=administrator)

    assert not Beneficiary.objects.filter(pk=duplicate.pk).exists()
    assert Job.objects.count() == jobs_before
    assert set(keep.jobs.values_list("pk", flat=True)) == {kept_job.pk, moved_job.pk}
    selections = {s.session_id: s.reason for s in keep.selections.all()}
    assert selections == {session_1.pk: "unemployed; head of household", session_2.pk: ""}
    assert Business.objects.get(pk=owned.pk).owner == keep
    assert (summary.jobs_moved, summary.selections_moved, summary.selections_joined) == (1, 1, 1)
    assert summary.businesses_moved == 1
    # The merge moved counted records: their project is recomputed.
    assert Project.objects.get(pk=session_1.project_id).progress_stale_since is not None
    # The removed record's history stays, with who merged it and why.
    last = Beneficiary.history.filter(id=duplicate.pk).latest("history_date")
    assert (last.history_type, last.history_user) == ("-", administrator)
    assert "BA-1" in last.history_change_reason
    moved = Job.history.filter(id=moved_job.pk).latest("history_date")
    assert (moved.worker_id, moved.history_user) == (keep.pk, administrator)


def test_a_merge_that_would_make_overlapping_jobs_changes_nothing(two_records, administrator):
    keep, duplicate, kept_job, moved_job, *_ = two_records
    Job.objects.filter(pk=moved_job.pk).update(start_date=datetime.date(2014, 6, 1))

    with pytest.raises(ValidationError, match="BA-2"):
        beneficiary_merge(keep=keep, duplicates=[duplicate], by=administrator)

    assert Beneficiary.objects.filter(pk=duplicate.pk).exists()
    assert duplicate.jobs.count() == 1 and duplicate.selections.count() == 2


def test_an_anonymised_record_cannot_be_merged(two_records, administrator):
    keep, duplicate, *_ = two_records
    beneficiary_anonymise(beneficiary=duplicate, by=administrator)

    with pytest.raises(ValidationError):
        beneficiary_merge(keep=keep, duplicates=[duplicate], by=administrator)


def test_merge_from_the_admin_asks_which_record_to_keep(two_records, administrator, administrator_client):
    keep, duplicate, kept_job, moved_job, *_ = two_records
    selected = {"action": "merge_selected", "_selected_action": [keep.pk, duplicate.pk]}

    question = administrator_client.post(CHANGELIST, selected)

    assert question.status_code == 200
    assert b'name="keep"' in question.content and b"BA-2" in question.content
    assert Beneficiary.objects.filter(code__in=["BA-1", "BA-2"]).count() == 2

    done = administrator_client.post(
        CHANGELIST, {**selected, "confirm": "yes", "keep": duplicate.pk}, follow=True
    )

    assert done.status_code == 200
    assert not Beneficiary.objects.filter(code="BA-1").exists()
    assert set(Job.objects.values_list("worker__code", flat=True)) == {"BA-2"}
    assert "BA-1" in done.content.decode()


def test_the_changelist_flags_and_filters_suspected_duplicates(two_records, administrator_client):
    BeneficiaryFactory(code="ZZ-1", first_name="Other", last_name="Person", phone="+509 4444 4444")

    response = administrator_client.get(CHANGELIST, {"duplicate": "yes"})

    codes = [p.code for p in response.context["cl"].result_list]
    assert codes == ["BA-1", "BA-2"]

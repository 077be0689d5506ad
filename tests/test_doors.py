"""A field record saved through the field form, the API and the admin goes through the same
service: each door shows the same rule refusal, saves nothing then, and leaves the same review
history (`programs.review`) when the record is valid. Real requests, real PostgreSQL."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import models
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from enterprises.services import job_save
from programs.models import ReviewEvent, ReviewState
from rehab.models import WorkRecord
from tests.worlds import BEL_AIR, FORT_NATIONAL

pytestmark = pytest.mark.django_db

START = datetime.date(2014, 9, 1)
CHILD_LABOUR_ON_REHAB_WORK_AT_16 = (
    "Child labour is refused: this worker is 16 on the start date, and rehabilitation / "
    "construction work needs 18 years or more (ILO Conventions 138 and 182). "
    "The job is on a rehabilitation site."
)
#: The Bel Air site: 500 m² planned, the world's work record has 100 of them.
ONLY_400_OF_500_REMAIN = "Only 400.00 m² of the site's planned 500.00 m² remain to be completed."


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    field_path: str  # /field/<slug>/new/
    api_path: str
    admin_path: str  # the add page; the change page is <admin_path without add/><pk>/change/


JOBS = Kind(Job, "/field/jobs/new/", "/api/jobs/", "/admin/enterprises/job/add/")
WORK = Kind(WorkRecord, "/field/work/new/", "/api/work-records/", "/admin/rehab/workrecord/add/")


def form_value(value, *, people_by: str):
    """A value as a form posts it: a record by its pk, a person by code (field) or pk (admin)."""
    if isinstance(value, Beneficiary):
        return getattr(value, people_by)
    if isinstance(value, models.Model):
        return value.pk
    return "" if value is None else str(value)


def as_form(values: dict, *, people_by: str) -> dict:
    """A checkbox is sent when ticked, omitted otherwise."""
    data = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = form_value(value, people_by=people_by)
    return data


def through_field_form(world, kind: Kind, values: dict, *, submit: bool = True) -> dict[str, list[str]]:
    """POST the field page's form as Bel Air's field staff member; the form's errors ({} when saved)."""
    client = Client()
    client.force_login(world[BEL_AIR].staff)
    data = {**as_form(values, people_by="code"), "token": str(uuid.uuid4())}
    data["submit" if submit else "draft"] = "1"
    response = client.post(kind.field_path, data)
    if response.status_code == 302:
        return {}
    assert response.status_code == 200, response.status_code
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def through_api(world, kind: Kind, values: dict, *, submit: bool = True) -> dict[str, list[str]]:
    """POST to the API as Bel Air's field staff member (token); the 400's messages ({} when created)."""
    token, _created = Token.objects.get_or_create(user=world[BEL_AIR].staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    payload = {
        name: value if value is None or isinstance(value, bool) else form_value(value, people_by="code")
        for name, value in values.items()
    }
    response = client.post(kind.api_path, {**payload, "submit": submit}, format="json")
    if response.status_code == 201:
        return {}
    assert response.status_code == 400, (response.status_code, response.content)
    return response.json()


def through_admin(world, kind: Kind, values: dict, *, submit: bool = True) -> dict[str, list[str]]:
    """POST the admin's add page as an administrator; the form's errors ({} when saved).
    The admin has no submit: its door keeps the review state (`submit=None`)."""
    client = Client()
    client.force_login(world["admin"])
    response = client.post(kind.admin_path, {**as_form(values, people_by="pk"), "_save": "Save"})
    if response.status_code == 302:
        return {}
    assert response.status_code == 200, response.status_code
    return {name: list(errors) for name, errors in response.context["adminform"].form.errors.items()}


DOORS: dict[str, Callable[..., dict[str, list[str]]]] = {
    "field form": through_field_form,
    "api": through_api,
    "admin": through_admin,
}


def history(record) -> list[tuple[str, str, str]]:
    """The record's review events: (from, to, by whom), oldest first."""
    events = ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).order_by("at", "pk")
    return list(events.values_list("from_state", "to_state", "by__username"))


def rehab_job_of(world, worker) -> dict:
    bel_air = world[BEL_AIR]
    return {
        "business": bel_air.business,
        "worker": worker,
        "role": "Maçon",
        "start_date": START.isoformat(),
        "end_date": None,
        "is_rehab_work": True,
        "site": bel_air.site,
    }


def born_16_on_start(world):
    return BeneficiaryFactory(
        neighbourhood=world[BEL_AIR].neighbourhood, date_of_birth=START.replace(year=START.year - 16)
    )


@pytest.mark.parametrize("door", DOORS)
def test_a_job_for_a_16_year_old_on_rehab_work_is_refused_with_the_same_message_at_every_door(
    two_hoods, door
):
    child = born_16_on_start(two_hoods)
    events_before = ReviewEvent.objects.count()

    errors = DOORS[door](two_hoods, JOBS, rehab_job_of(two_hoods, child))

    assert errors["worker"] == [CHILD_LABOUR_ON_REHAB_WORK_AT_16]
    assert not Job.objects.filter(worker=child).exists()
    assert ReviewEvent.objects.count() == events_before


@pytest.mark.parametrize("door", DOORS)
def test_a_work_record_over_the_sites_planned_area_is_refused_with_the_same_message_at_every_door(
    two_hoods, door
):
    site = two_hoods[BEL_AIR].site
    events_before = ReviewEvent.objects.count()

    errors = DOORS[door](two_hoods, WORK, {"site": site, "date": "2014-10-07", "completed_area_m2": "400.01"})

    assert errors["completed_area_m2"] == [ONLY_400_OF_500_REMAIN]
    assert list(WorkRecord.objects.filter(site=site)) == [two_hoods[BEL_AIR].work]
    assert ReviewEvent.objects.count() == events_before


@pytest.mark.parametrize("door", DOORS)
def test_the_last_square_metres_of_a_site_are_accepted_at_every_door(two_hoods, door):
    site = two_hoods[BEL_AIR].site

    errors = DOORS[door](two_hoods, WORK, {"site": site, "date": "2014-10-07", "completed_area_m2": "400"})

    assert errors == {}
    assert site.completed_area_m2() == site.planned_area_m2


@pytest.mark.parametrize("door", ["field form", "api"])
def test_a_job_submitted_by_field_staff_has_one_event_submitted_by_them_at_either_door(two_hoods, door):
    staff = two_hoods[BEL_AIR].staff
    worker = BeneficiaryFactory(neighbourhood=two_hoods[BEL_AIR].neighbourhood)

    assert DOORS[door](two_hoods, JOBS, rehab_job_of(two_hoods, worker), submit=True) == {}

    job = Job.objects.get(worker=worker)
    assert (job.review_state, job.review_changed_by, job.created_by) == (ReviewState.SUBMITTED, staff, staff)
    assert history(job) == [("", "submitted", staff.username)]


@pytest.mark.parametrize("door", ["field form", "api"])
def test_a_job_saved_as_a_draft_by_field_staff_has_one_event_draft_by_them_at_either_door(two_hoods, door):
    staff = two_hoods[BEL_AIR].staff
    worker = BeneficiaryFactory(neighbourhood=two_hoods[BEL_AIR].neighbourhood)

    assert DOORS[door](two_hoods, JOBS, rehab_job_of(two_hoods, worker), submit=False) == {}

    job = Job.objects.get(worker=worker)
    assert (job.review_state, job.created_by) == (ReviewState.DRAFT, staff)
    assert history(job) == [("", "draft", staff.username)]


def test_a_job_added_in_the_admin_is_a_draft_created_by_the_administrator_with_its_event(two_hoods):
    """A plain save would leave no event and no author: the admin's door is the service."""
    admin = two_hoods["admin"]
    worker = BeneficiaryFactory(neighbourhood=two_hoods[BEL_AIR].neighbourhood)

    assert through_admin(two_hoods, JOBS, rehab_job_of(two_hoods, worker)) == {}

    job = Job.objects.get(worker=worker)
    assert (job.review_state, job.created_by) == (ReviewState.DRAFT, admin)
    assert history(job) == [("", "draft", admin.username)]


def test_an_admin_change_of_a_submitted_job_keeps_its_review_state_and_adds_no_event(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    job = job_save(record=bel_air.job, by=bel_air.staff, submit=True)
    assert history(job) == [("draft", "submitted", bel_air.staff.username)]
    client = Client()
    client.force_login(two_hoods["admin"])
    values = {
        "business": job.business,
        "worker": job.worker,
        "role": "Chef d'équipe",
        "start_date": job.start_date.isoformat(),
        "end_date": None,
        "is_rehab_work": job.is_rehab_work,
        "site": job.site,
    }

    response = client.post(
        f"/admin/enterprises/job/{job.pk}/change/", {**as_form(values, people_by="pk"), "_save": "Save"}
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert (job.role, job.review_state, job.review_changed_by) == (
        "Chef d'équipe",
        ReviewState.SUBMITTED,
        bel_air.staff,
    )
    assert history(job) == [("draft", "submitted", bel_air.staff.username)]


def test_an_admin_change_that_breaks_a_rule_is_refused_with_the_field_doors_message(two_hoods):
    work = two_hoods[BEL_AIR].work
    client = Client()
    client.force_login(two_hoods["admin"])

    response = client.post(
        f"/admin/rehab/workrecord/{work.pk}/change/",
        {"site": work.site_id, "date": "2014-10-06", "completed_area_m2": "500.01", "_save": "Save"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["completed_area_m2"] == [
        "Only 500.00 m² of the site's planned 500.00 m² remain to be completed."
    ]
    work.refresh_from_db()
    assert work.completed_area_m2 == 100


def business_change_with_jobs(business, *jobs: dict) -> dict:
    """The business's admin change page as posted: its fields, and its jobs inline (the first
    ones being those it has, with their "id")."""
    data = as_form(
        {
            "name": business.name,
            "owner": business.owner,
            "centre": business.centre,
            "neighbourhood": business.neighbourhood,
            "size": business.size,
            "activity": business.activity,
            "formed_on": business.formed_on.isoformat(),
            "status": business.status,
        },
        people_by="pk",
    )
    data.update(
        {
            "jobs-TOTAL_FORMS": str(len(jobs)),
            "jobs-INITIAL_FORMS": str(sum("id" in job for job in jobs)),
            "jobs-MIN_NUM_FORMS": "0",
            "jobs-MAX_NUM_FORMS": "1000",
            "_save": "Save",
        }
    )
    for index, job in enumerate(jobs):
        fields = {"business": business, **job}
        data.update(
            {f"jobs-{index}-{name}": value for name, value in as_form(fields, people_by="pk").items()}
        )
    return data


def inline_job(job: Job) -> dict:
    return {
        "id": job.pk,
        "worker": job.worker,
        "role": job.role,
        "start_date": job.start_date.isoformat(),
        "end_date": job.end_date,
        "is_rehab_work": job.is_rehab_work,
        "site": job.site,
    }


def test_a_job_added_in_a_business_inline_is_refused_or_saved_by_the_service_too(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    admin = two_hoods["admin"]
    existing = bel_air.job
    url = f"/admin/enterprises/business/{bel_air.business.pk}/change/"
    client = Client()
    client.force_login(admin)
    child = born_16_on_start(two_hoods)
    worker = BeneficiaryFactory(neighbourhood=bel_air.neighbourhood)

    refused = client.post(
        url, business_change_with_jobs(bel_air.business, inline_job(existing), rehab_job_of(two_hoods, child))
    )

    assert refused.status_code == 200
    formset = refused.context["inline_admin_formsets"][0].formset
    assert formset.forms[1].errors["worker"] == [CHILD_LABOUR_ON_REHAB_WORK_AT_16]
    assert not Job.objects.filter(worker=child).exists()

    saved = client.post(
        url,
        business_change_with_jobs(bel_air.business, inline_job(existing), rehab_job_of(two_hoods, worker)),
    )

    assert saved.status_code == 302
    job = Job.objects.get(worker=worker)
    assert (job.review_state, job.created_by) == (ReviewState.DRAFT, admin)
    assert history(job) == [("", "draft", admin.username)]
    assert history(existing) == []  # unchanged, so not saved again


def submitted_and_draft(world) -> tuple[Job, Job]:
    """Bel Air's job submitted by its staff member (draft → submitted), Fort National's a draft."""
    bel_air = world[BEL_AIR]
    return job_save(record=bel_air.job, by=bel_air.staff, submit=True), world[FORT_NATIONAL].job


def test_the_admins_verify_action_verifies_submitted_records_with_their_event_and_skips_drafts(two_hoods):
    submitted, draft = submitted_and_draft(two_hoods)
    admin = two_hoods["admin"]
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/enterprises/job/",
        {"action": "verify_selected", "_selected_action": [submitted.pk, draft.pk], "index": "0"},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 verified; 1 skipped (only submitted records can be verified)."
    ]
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.review_state, draft.review_state) == (ReviewState.VERIFIED, ReviewState.DRAFT)
    assert history(submitted) == [
        ("draft", "submitted", two_hoods[BEL_AIR].staff.username),
        ("submitted", "verified", admin.username),
    ]
    assert history(draft) == []


def test_the_review_queues_verify_many_verifies_submitted_records_with_their_event_and_skips_drafts(
    two_hoods,
):
    submitted, draft = submitted_and_draft(two_hoods)
    manager = two_hoods["manager"]
    client = Client()
    client.force_login(manager)

    response = client.post("/field/review/", {"record": [f"jobs:{submitted.pk}", f"jobs:{draft.pk}"]})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 record verified.",
        "1 record could not be verified (no longer submitted).",
    ]
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.review_state, draft.review_state) == (ReviewState.VERIFIED, ReviewState.DRAFT)
    assert history(submitted) == [
        ("draft", "submitted", two_hoods[BEL_AIR].staff.username),
        ("submitted", "verified", manager.username),
    ]
    assert history(draft) == []

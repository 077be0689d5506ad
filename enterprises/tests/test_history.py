"""The change history of beneficiaries, businesses, jobs and work records: who, what, when."""

import datetime

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Business, Job
from enterprises.tests.factories import JobFactory
from rehab.models import WorkRecord
from rehab.tests.factories import WorkRecordFactory

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def form_data(person: Beneficiary, **changes) -> dict:
    data = {
        "code": person.code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth.isoformat(),
        "neighbourhood": person.neighbourhood_id,
        "phone": person.phone,
        "consent_given": "on",
        "consent_date": person.consent_date.isoformat(),
        # the read-only inlines still post their management forms
        "jobs-TOTAL_FORMS": "0",
        "jobs-INITIAL_FORMS": "0",
        "selections-TOTAL_FORMS": "0",
        "selections-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_a_change_in_the_admin_is_recorded_with_the_acting_user(hoods, administrator, administrator_client):
    person = BeneficiaryFactory(neighbourhood=hoods[0])

    response = administrator_client.post(change_url(person), form_data(person, last_name="Josephine"))

    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    record = Beneficiary.history.filter(id=person.pk).latest("history_date")
    assert (record.history_type, record.history_user, record.last_name) == ("~", administrator, "Josephine")


def test_the_history_page_lists_each_change_with_user_and_time(hoods, administrator, administrator_client):
    person = BeneficiaryFactory(neighbourhood=hoods[0])
    administrator_client.post(change_url(person), form_data(person, last_name="Josephine"))
    administrator_client.post(
        change_url(person), form_data(person, last_name="Josephine", phone="+509 4000 0000")
    )

    page = administrator_client.get(history_url(person))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Josephine" in html and "+509 4000 0000" in html
    entries = list(page.context["page_obj"])
    assert [(e.history_type, e.history_user) for e in entries] == [
        ("~", administrator),
        ("~", administrator),
        ("+", None),  # made by a factory, outside a request
    ]
    assert all(e.history_date for e in entries)
    assert b"Revert" not in page.content and b"Revenir" not in page.content


def test_deleting_keeps_the_history(hoods, administrator, administrator_client):
    person = BeneficiaryFactory(neighbourhood=hoods[0])
    delete_url = reverse("admin:beneficiaries_beneficiary_delete", args=[person.pk])

    administrator_client.post(delete_url, {"post": "yes"})

    assert not Beneficiary.objects.filter(pk=person.pk).exists()
    kinds = list(
        Beneficiary.history.filter(id=person.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user")
    )
    assert kinds == [("+", None), ("-", administrator.pk)]
    assert administrator_client.get(history_url(person)).status_code == 200


def test_jobs_and_businesses_changed_in_the_admin_record_the_user(administrator, administrator_client):
    job = JobFactory(end_date=None)
    data = {
        "business": job.business_id,
        "worker": job.worker_id,
        "role": "Foreman",
        "start_date": job.start_date.isoformat(),
        "end_date": "2014-12-31",
    }

    response = administrator_client.post(change_url(job), data)

    assert response.status_code == 302
    record = Job.history.filter(id=job.pk).latest("history_date")
    assert (record.role, record.end_date, record.history_user) == (
        "Foreman",
        datetime.date(2014, 12, 31),
        administrator,
    )
    assert administrator_client.get(history_url(job)).status_code == 200
    assert administrator_client.get(history_url(job.business)).status_code == 200
    assert Business.history.filter(id=job.business_id).exists()


def test_work_records_have_a_history(administrator):
    record = WorkRecordFactory()
    record.notes = "Second layer of the wall"
    record._history_user = administrator
    record.save()

    versions = WorkRecord.history.filter(id=record.pk).order_by("history_date")
    assert [v.history_type for v in versions] == ["+", "~"]
    assert versions.last().history_user == administrator


def test_a_past_version_is_shown_but_cannot_be_restored(hoods, administrator_client):
    person = BeneficiaryFactory(neighbourhood=hoods[0], last_name="Before")
    administrator_client.post(change_url(person), form_data(person, last_name="After"))
    first = Beneficiary.history.filter(id=person.pk).earliest("history_date")
    url = reverse("admin:beneficiaries_beneficiary_simple_history", args=[person.pk, first.history_id])

    assert administrator_client.get(url).status_code == 200
    assert administrator_client.post(url, form_data(person, last_name="Before")).status_code == 403
    person.refresh_from_db()
    assert person.last_name == "After"

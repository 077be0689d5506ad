"""A person who withdrew their consent (their personal data removed) cannot be selected at a forum
session again: the page says who, nothing is saved, and the database refuses it. One whose
consent is not recorded yet may be (the admin lists them to follow up)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from fora.models import BeneficiarySelection, ForumSession

pytestmark = pytest.mark.django_db


def session_form(hood, codes: str) -> dict:
    return {
        "forum": hood.forum.pk,
        "project": hood.project.pk,
        "kind": "consultation",
        "held_on": "2014-10-06",
        "women": "3",
        "men": "2",
        "youth": "1",
        "selected_codes": codes,
        "token": str(uuid.uuid4()),
        "priorities-TOTAL_FORMS": "0",
        "priorities-INITIAL_FORMS": "0",
        "draft": "1",
    }


def without_consent(hood, **state) -> Beneficiary:
    person = BeneficiaryFactory(neighbourhood=hood.neighbourhood)
    Beneficiary.objects.filter(pk=person.pk).update(**state)
    return Beneficiary.objects.get(pk=person.pk)


STATES = [
    {"consent_given": False, "consent_withdrawn_on": datetime.date(2014, 9, 1)},
    {
        "consent_given": False,
        "consent_withdrawn_on": datetime.date(2014, 9, 1),
        "anonymised_at": "2014-09-02T12:00Z",
    },
]


@pytest.mark.parametrize("state", STATES, ids=["withdrawn", "withdrawn and anonymised"])
def test_a_person_who_withdrew_consent_cannot_be_selected_at_a_session(two_hoods, state):
    hood = two_hoods["Bel Air"]
    person = without_consent(hood, **state)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hood.staff)
    sessions = ForumSession.objects.count()

    response = client.post(reverse("field:create", args=["sessions"]), session_form(hood, person.code))

    assert response.status_code == 200
    assert f"{person.code} withdrew their consent" in response.content.decode()
    assert ForumSession.objects.count() == sessions
    assert not BeneficiarySelection.objects.filter(beneficiary=person).exists()


def test_a_person_whose_consent_is_not_recorded_yet_may_be_selected(two_hoods):
    hood = two_hoods["Bel Air"]
    person = without_consent(hood, consent_given=False, consent_date=None)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hood.staff)

    response = client.post(reverse("field:create", args=["sessions"]), session_form(hood, person.code))

    assert response.status_code == 302
    assert BeneficiarySelection.objects.filter(beneficiary=person).exists()


def test_the_database_refuses_selecting_a_person_who_withdrew_consent(two_hoods):
    hood = two_hoods["Bel Air"]
    person = without_consent(hood, **STATES[0])
    with pytest.raises(IntegrityError, match="consent"), transaction.atomic():
        BeneficiarySelection.objects.create(session=hood.session, beneficiary=person)


def test_a_person_who_withdrew_consent_cannot_own_a_new_business(two_hoods):
    from rest_framework.test import APIClient

    from enterprises.models import Business

    hood = two_hoods["Bel Air"]
    person = without_consent(hood, **STATES[1])
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(hood.staff)
    body = {
        "name": "Couture Saint-Martin",
        "owner": person.code,
        "centre": hood.centre.pk,
        "neighbourhood": hood.neighbourhood.pk,
        "activity": "Tailoring",
        "formed_on": "2014-10-01",
    }

    response = client.post("/api/businesses/", body, format="json")

    assert response.status_code == 400
    assert f"{person.code} withdrew their consent" in response.json()["owner"][0]
    assert not Business.objects.filter(owner=person).exists()


def test_the_database_refuses_a_new_business_owned_by_a_person_who_withdrew_consent(two_hoods):
    from enterprises.tests.factories import BusinessFactory

    hood = two_hoods["Bel Air"]
    person = without_consent(hood, **STATES[1])
    with pytest.raises(IntegrityError, match="owner: .* withdrew their consent"), transaction.atomic():
        BusinessFactory(centre=hood.centre, owner=person)

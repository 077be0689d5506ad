"""A business that employs a 16-year-old in light work cannot be turned into a construction
business afterwards (its activity, or its box): the job would become child labour. Refused with a
message on the field, through the API and by the database; an adult's job does not stop it."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Business, Job
from enterprises.tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db


def staff_api(hood) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(hood.staff)
    return client


def tailor_with_worker(hood, born: datetime.date) -> Business:
    business = BusinessFactory(centre=hood.centre, neighbourhood=hood.neighbourhood, activity="Tailoring")
    worker = BeneficiaryFactory(neighbourhood=hood.neighbourhood, date_of_birth=born)
    Job.objects.create(business=business, worker=worker, role="Aide", start_date=datetime.date(2014, 10, 1))
    return business


@pytest.mark.parametrize(
    "change,field",
    [
        ({"activity": "Masonry and retaining walls"}, "activity"),
        ({"is_construction": True}, "is_construction"),
    ],
)
def test_a_business_employing_a_16_year_old_cannot_become_construction_work(two_hoods, change, field):
    hood = two_hoods["Bel Air"]
    business = tailor_with_worker(hood, datetime.date(1998, 1, 1))

    response = staff_api(hood).patch(f"/api/businesses/{business.pk}/", change, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()[field][0].startswith("Child labour is refused")
    business.refresh_from_db()
    assert business.activity == "Tailoring" and business.is_construction is False


def test_a_business_employing_adults_may_become_construction_work(two_hoods):
    hood = two_hoods["Bel Air"]
    business = tailor_with_worker(hood, datetime.date(1990, 1, 1))

    response = staff_api(hood).patch(
        f"/api/businesses/{business.pk}/", {"activity": "Masonry"}, format="json"
    )

    assert response.status_code == 200, response.json()


def test_the_database_refuses_turning_a_16_year_olds_business_into_construction(two_hoods):
    business = tailor_with_worker(two_hoods["Bel Air"], datetime.date(1998, 1, 1))
    with pytest.raises(IntegrityError, match="child labour"), transaction.atomic():
        Business.objects.filter(pk=business.pk).update(activity="Rubble removal")
    with pytest.raises(IntegrityError, match="child labour"), transaction.atomic():
        Business.objects.filter(pk=business.pk).update(is_construction=True)

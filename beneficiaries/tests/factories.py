"""Factories of the register: people."""

import datetime

import factory

from beneficiaries.models import Beneficiary
from programs.tests.factories import NeighbourhoodFactory


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    code = factory.Sequence(lambda n: f"BA-{n:05d}")
    first_name = "Marie"
    last_name = factory.Sequence(lambda n: f"Joseph{n}")
    sex = "F"
    date_of_birth = datetime.date(1994, 6, 15)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    phone = "+509 3712 3456"
    consent_given = True
    consent_date = datetime.date(2014, 5, 20)

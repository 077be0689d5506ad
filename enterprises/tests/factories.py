"""Factories for centres, people, businesses, services and jobs."""

import datetime

import factory

from enterprises.models import Beneficiary, Business, EnterpriseServiceCentre, EscService, Job
from programs.tests.factories import NeighbourhoodFactory, OrganisationFactory, ProjectFactory


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseServiceCentre

    name = factory.Sequence(lambda n: f"ESC {n}")
    project = factory.SubFactory(ProjectFactory)
    neighbourhood = factory.LazyAttribute(lambda o: o.project.neighbourhoods.first())
    operator = factory.SubFactory(OrganisationFactory)


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


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    centre = factory.SubFactory(CentreFactory)
    owner = factory.SubFactory(
        BeneficiaryFactory, neighbourhood=factory.SelfAttribute("..centre.neighbourhood")
    )
    neighbourhood = factory.LazyAttribute(lambda o: o.centre.neighbourhood)
    activity = "Masonry"
    formed_on = datetime.date(2014, 7, 1)


class EscServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscService

    business = factory.SubFactory(BusinessFactory)
    centre = factory.LazyAttribute(lambda o: o.business.centre)
    kind = EscService.Kind.TRAINING_SIMULATION
    delivered_on = datetime.date(2014, 8, 1)


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    business = factory.SubFactory(BusinessFactory)
    worker = factory.SubFactory(
        BeneficiaryFactory, neighbourhood=factory.SelfAttribute("..business.neighbourhood")
    )
    role = "Mason"
    start_date = datetime.date(2014, 8, 1)

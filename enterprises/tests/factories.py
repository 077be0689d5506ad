"""Factories for centres, businesses, services and jobs."""

import datetime

import factory

from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Business, EnterpriseServiceCentre, EscService, Job
from programs.tests.factories import OrganisationFactory, ProjectFactory


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseServiceCentre

    name = factory.Sequence(lambda n: f"ESC {n}")
    project = factory.SubFactory(ProjectFactory)
    neighbourhood = factory.LazyAttribute(lambda o: o.project.neighbourhoods.first())
    operator = factory.SubFactory(OrganisationFactory)


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    centre = factory.SubFactory(CentreFactory)
    owner = factory.SubFactory(
        BeneficiaryFactory, neighbourhood=factory.SelfAttribute("..centre.neighbourhood")
    )
    neighbourhood = factory.LazyAttribute(lambda o: o.centre.neighbourhood)
    activity = "Tailoring"
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
    role = "Apprentice"
    start_date = datetime.date(2014, 8, 1)

"""Factories for the programme: a partnership signed 2014-03-27 and its ESC project."""

import datetime
from decimal import Decimal

import factory

from programs.models import Neighbourhood, Organisation, Partnership, Project, Target


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = "International Labour Organization"
    acronym = "ILO"
    kind = Organisation.Kind.UN_AGENCY


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    title = factory.Sequence(lambda n: f"Partnership {n}")
    signed_on = datetime.date(2014, 3, 27)


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("name", "city")

    name = "Bel Air"
    city = "Port-au-Prince"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"project-{n}")
    title = factory.Sequence(lambda n: f"Project {n}")
    launched_on = datetime.date(2014, 4, 1)
    start_date = datetime.date(2014, 4, 1)
    end_date = datetime.date(2016, 3, 31)

    @factory.post_generation
    def neighbourhoods(self, create, extracted, **kwargs):
        if create:
            self.neighbourhoods.set(extracted or [NeighbourhoodFactory()])


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    project = factory.SubFactory(ProjectFactory)
    indicator = Target.Indicator.BUSINESSES
    value = Decimal("16")
    due_date = datetime.date(2016, 3, 31)

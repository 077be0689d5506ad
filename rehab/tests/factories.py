"""Factories for rehabilitation sites and work records."""

import datetime
from decimal import Decimal

import factory

from programs.tests.factories import ProjectFactory
from rehab.models import RehabSite, WorkRecord


class RehabSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RehabSite

    project = factory.SubFactory(ProjectFactory)
    neighbourhood = factory.LazyAttribute(lambda o: o.project.neighbourhoods.first())
    name = factory.Sequence(lambda n: f"Pedestrian corridor {n}")
    kind = "pedestrian_corridor"
    planned_area_m2 = Decimal("500")


class WorkRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkRecord

    site = factory.SubFactory(RehabSiteFactory)
    date = datetime.date(2014, 10, 6)
    completed_area_m2 = Decimal("100")

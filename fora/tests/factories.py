"""Factories for fora and their sessions."""

import datetime

import factory

from fora.models import CommunityForum, ForumSession, StructurePriority
from programs.tests.factories import ProjectFactory


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityForum

    name = factory.Sequence(lambda n: f"Forum {n}")
    neighbourhood = factory.SubFactory("programs.tests.factories.NeighbourhoodFactory")


class ForumSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumSession

    project = factory.SubFactory(ProjectFactory)
    forum = factory.SubFactory(
        ForumFactory,
        neighbourhood=factory.LazyAttribute(lambda o: o.factory_parent.project.neighbourhoods.first()),
    )
    kind = ForumSession.Kind.CONSULTATION
    held_on = datetime.date(2014, 4, 26)
    women = 20
    men = 25
    youth = 18


class StructurePriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructurePriority

    session = factory.SubFactory(ForumSessionFactory)
    name = factory.Sequence(lambda n: f"Retaining wall {n}")
    kind = "retaining_wall"
    rank = factory.Sequence(lambda n: n + 1)

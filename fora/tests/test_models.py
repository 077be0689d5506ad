"""The rules of forum sessions, their priorities and selections: `clean()` with a message on the
field, and PostgreSQL for a write that skips it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from beneficiaries.tests.factories import BeneficiaryFactory
from fora.models import BeneficiarySelection, ForumSession, StructurePriority
from fora.tests.factories import ForumFactory, ForumSessionFactory, StructurePriorityFactory
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2014, 3, 27)  # the factories' partnership


def refusal(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    return refused.value.message_dict


def test_a_sessions_participants_are_its_women_and_men():
    session = ForumSession(women=20, men=25, youth=18)

    assert session.participants == 45


def test_a_session_without_any_participant_is_refused_on_women():
    session = ForumSessionFactory(women=0, men=3, youth=0)
    session.men = 0

    assert refusal(session) == {"women": ["A session needs at least one participant."]}


def test_a_session_of_women_only_or_men_only_is_accepted():
    for women, men in ((7, 0), (0, 7)):
        assert ForumSessionFactory(women=women, men=men, youth=0).full_clean() is None  # accepted


def test_youth_may_be_all_participants_but_never_more():
    session = ForumSessionFactory(women=4, men=5, youth=9)
    session.full_clean()
    session.youth = 10

    assert refusal(session) == {"youth": ["Youth cannot outnumber all participants."]}


def test_the_database_refuses_a_session_without_participants_or_with_more_youth():
    session = ForumSessionFactory()

    for values in ({"women": 0, "men": 0, "youth": 0}, {"women": 1, "men": 1, "youth": 3}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ForumSession.objects.filter(pk=session.pk).update(**values)
    session.refresh_from_db()
    assert (session.women, session.men, session.youth) == (20, 25, 18)


def test_a_session_may_be_held_on_the_day_of_signing_but_not_the_day_before():
    session = ForumSessionFactory(held_on=SIGNED_ON)
    session.full_clean()
    session.held_on = SIGNED_ON - datetime.timedelta(days=1)

    assert refusal(session) == {
        "held_on": ["This date is before the partnership was signed (March 27, 2014)."]
    }


def test_a_session_may_be_held_today_but_not_tomorrow():
    today = timezone.localdate()
    session = ForumSessionFactory(held_on=today)
    session.full_clean()
    session.held_on = today + datetime.timedelta(days=1)

    assert refusal(session) == {
        "held_on": ["This date is in the future; only what has happened can be recorded."]
    }


def test_the_database_refuses_a_session_before_signing_or_in_the_future():
    session = ForumSessionFactory()

    for day in (SIGNED_ON - datetime.timedelta(days=1), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(IntegrityError, match="held_on"), transaction.atomic():
            ForumSession.objects.filter(pk=session.pk).update(held_on=day)
    session.refresh_from_db()
    assert session.held_on == datetime.date(2014, 4, 26)


def test_a_session_at_a_forum_outside_the_projects_neighbourhoods_is_refused():
    project = ProjectFactory(neighbourhoods=[NeighbourhoodFactory(name="Bel Air")])
    elsewhere = ForumFactory(neighbourhood=NeighbourhoodFactory(name="Fort National"))
    session = ForumSessionFactory.build(project=project, forum=elsewhere)

    assert refusal(session) == {"forum": ["This forum is not in one of the project's neighbourhoods."]}


def test_a_session_reads_as_its_forum_kind_and_day():
    session = ForumSessionFactory(forum__name="Forum Bel Air", held_on=datetime.date(2014, 5, 3))

    assert str(session) == "Forum Bel Air — Consultation 2014-05-03"


def test_two_structures_cannot_share_a_rank_in_one_session():
    first = StructurePriorityFactory(rank=1)
    same_rank = StructurePriority(session=first.session, name="Corridor", kind="pedestrian_corridor", rank=1)

    assert refusal(same_rank) == {"__all__": ["Two structures cannot share a rank in one session."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        StructurePriority.objects.bulk_create([same_rank])
    StructurePriorityFactory(rank=1).full_clean()  # rank 1 of another session


def test_a_priority_is_ranked_from_1():
    priority = StructurePriorityFactory.build(session=ForumSessionFactory(), rank=0)

    assert list(refusal(priority)) == ["rank"]
    with pytest.raises(IntegrityError), transaction.atomic():
        StructurePriority.objects.bulk_create([priority])


def test_a_priority_area_is_positive_or_left_empty():
    priority = StructurePriorityFactory(estimated_area_m2=None)
    priority.full_clean()
    priority.estimated_area_m2 = Decimal("0")

    assert list(refusal(priority)) == ["estimated_area_m2"]
    with pytest.raises(IntegrityError), transaction.atomic():
        StructurePriority.objects.filter(pk=priority.pk).update(estimated_area_m2=Decimal("0"))


def test_only_people_of_the_forums_neighbourhood_are_selected():
    session = ForumSessionFactory()
    neighbour = BeneficiaryFactory(neighbourhood=session.forum.neighbourhood)
    stranger = BeneficiaryFactory(neighbourhood=NeighbourhoodFactory(name="Fort National"))

    BeneficiarySelection(session=session, beneficiary=neighbour).full_clean()
    assert refusal(BeneficiarySelection(session=session, beneficiary=stranger)) == {
        "beneficiary": ["This person does not live in the forum's neighbourhood."]
    }


def test_a_person_is_selected_once_per_session():
    session = ForumSessionFactory()
    person = BeneficiaryFactory(neighbourhood=session.forum.neighbourhood)
    BeneficiarySelection.objects.create(session=session, beneficiary=person)
    again = BeneficiarySelection(session=session, beneficiary=person)

    assert refusal(again) == {"__all__": ["This person is already selected at this session."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiarySelection.objects.bulk_create([again])

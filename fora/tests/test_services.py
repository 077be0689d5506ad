"""`forum_session_save`: a forum session with its selected people and ranked priorities, saved
through the one core save (`programs.review.field_record_save`)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from fora.forms import StructurePriorityFormSet
from fora.models import BeneficiarySelection, ForumSession
from fora.services import forum_session_save
from programs.models import ReviewEvent, ReviewState
from programs.review import FieldAccessDenied, review_set_state
from tests.worlds import BEL_AIR, FORT_NATIONAL

pytestmark = pytest.mark.django_db


def new_session(hood, **fields) -> ForumSession:
    """An unsaved consultation at the neighbourhood's forum."""
    values = {
        "forum": hood.forum,
        "project": hood.project,
        "kind": ForumSession.Kind.CONSULTATION,
        "held_on": datetime.date(2014, 5, 3),
        "women": 12,
        "men": 9,
        "youth": 11,
        **fields,
    }
    return ForumSession(**values)


def people_of(hood, count: int) -> list[Beneficiary]:
    return [BeneficiaryFactory(neighbourhood=hood.neighbourhood) for _ in range(count)]


def selected(session: ForumSession) -> set[Beneficiary]:
    return {selection.beneficiary for selection in session.selections.select_related("beneficiary")}


def history(record) -> list[tuple[str, str, str]]:
    events = ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).order_by("at", "pk")
    return list(events.values_list("from_state", "to_state", "by__username"))


def test_a_submitted_session_is_saved_with_its_selected_people_and_one_event(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    people = people_of(bel_air, 2)

    session = forum_session_save(record=new_session(bel_air), by=bel_air.staff, submit=True, people=people)

    session.refresh_from_db()
    assert (session.review_state, session.created_by, session.review_changed_by) == (
        ReviewState.SUBMITTED,
        bel_air.staff,
        bel_air.staff,
    )
    assert selected(session) == set(people)
    assert history(session) == [("", "submitted", bel_air.staff.username)]


def test_a_person_no_longer_named_is_unselected_and_a_newly_named_one_selected(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    first, kept, added = people_of(bel_air, 3)
    session = forum_session_save(
        record=new_session(bel_air), by=bel_air.staff, submit=False, people=[first, kept]
    )
    kept_selection = session.selections.get(beneficiary=kept)

    forum_session_save(record=session, by=bel_air.staff, submit=False, people=[kept, added])

    assert selected(session) == {kept, added}
    assert session.selections.get(beneficiary=kept).pk == kept_selection.pk  # kept, not made again
    assert Beneficiary.objects.filter(pk=first.pk).exists()  # unselected, still in the register


def test_without_people_the_selections_are_left_as_they_are(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    people = people_of(bel_air, 2)
    session = forum_session_save(record=new_session(bel_air), by=bel_air.staff, submit=False, people=people)
    session.notes = "Compte rendu ajouté"

    forum_session_save(record=session, by=bel_air.staff, submit=True)

    assert selected(session) == set(people)


def test_an_empty_list_of_people_unselects_everyone(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    session = forum_session_save(
        record=new_session(bel_air), by=bel_air.staff, submit=False, people=people_of(bel_air, 2)
    )

    forum_session_save(record=session, by=bel_air.staff, submit=False, people=[])

    assert not BeneficiarySelection.objects.filter(session=session).exists()


def test_the_priorities_are_saved_with_the_session(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    record = new_session(bel_air)
    priorities = StructurePriorityFormSet(
        {
            "priorities-TOTAL_FORMS": "3",
            "priorities-INITIAL_FORMS": "0",
            "priorities-MIN_NUM_FORMS": "0",
            "priorities-MAX_NUM_FORMS": "20",
            "priorities-0-rank": "1",
            "priorities-0-name": "Mur rue Tiremasse",
            "priorities-0-kind": "retaining_wall",
            "priorities-0-estimated_area_m2": "120",
            "priorities-1-rank": "2",
            "priorities-1-name": "Corridor Delmas 2",
            "priorities-1-kind": "pedestrian_corridor",
            "priorities-1-estimated_area_m2": "",
        },
        instance=record,
        prefix="priorities",
    )
    assert priorities.is_valid(), priorities.errors

    session = forum_session_save(record=record, by=bel_air.staff, submit=True, priorities=priorities)

    assert [(p.rank, p.name, p.kind) for p in session.priorities.order_by("rank")] == [
        (1, "Mur rue Tiremasse", "retaining_wall"),
        (2, "Corridor Delmas 2", "pedestrian_corridor"),
    ]


def test_a_session_at_another_neighbourhoods_forum_is_refused_and_nothing_is_saved(two_hoods):
    bel_air, fort_national = two_hoods[BEL_AIR], two_hoods[FORT_NATIONAL]
    sessions_before = ForumSession.objects.count()

    with pytest.raises(ValidationError) as refused:
        forum_session_save(
            record=new_session(fort_national, notes="Séance hors quartier"),
            by=bel_air.staff,
            submit=True,
            people=people_of(fort_national, 1),
        )

    assert refused.value.messages == ["You can only record data in your own neighbourhoods."]
    assert ForumSession.objects.count() == sessions_before
    assert not BeneficiarySelection.objects.exists()


def test_a_replayed_token_returns_the_first_session_and_saves_nothing_more(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    token = uuid.uuid4()
    sessions_before = ForumSession.objects.count()
    first = forum_session_save(
        record=new_session(bel_air, women=12), by=bel_air.staff, submit=True, token=token
    )

    again = forum_session_save(
        record=new_session(bel_air, women=30), by=bel_air.staff, submit=True, token=token, people=[]
    )

    assert again.pk == first.pk
    assert ForumSession.objects.count() == sessions_before + 1
    assert ForumSession.objects.get(pk=first.pk).women == 12
    assert history(first) == [("", "submitted", bel_air.staff.username)]


def test_selecting_a_person_of_another_neighbourhood_refuses_the_whole_save(two_hoods):
    bel_air, fort_national = two_hoods[BEL_AIR], two_hoods[FORT_NATIONAL]
    sessions_before = ForumSession.objects.count()

    with pytest.raises(ValidationError) as refused:
        forum_session_save(
            record=new_session(bel_air),
            by=bel_air.staff,
            submit=True,
            people=[*people_of(bel_air, 1), *people_of(fort_national, 1)],
        )

    assert refused.value.message_dict == {
        "beneficiary": ["This person does not live in the forum's neighbourhood."]
    }
    assert ForumSession.objects.count() == sessions_before
    assert not BeneficiarySelection.objects.exists()
    assert not ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(ForumSession)
    ).exists()


def test_a_session_breaking_a_rule_is_refused_with_the_models_message_and_no_event(two_hoods):
    bel_air = two_hoods[BEL_AIR]

    with pytest.raises(ValidationError) as refused:
        forum_session_save(
            record=new_session(bel_air, women=0, men=0, youth=0), by=bel_air.staff, submit=True
        )

    assert refused.value.message_dict == {"women": ["A session needs at least one participant."]}
    assert not ReviewEvent.objects.exists()


def test_managers_do_not_record_sessions(two_hoods):
    with pytest.raises(FieldAccessDenied, match="Only field staff record field data."):
        forum_session_save(record=new_session(two_hoods[BEL_AIR]), by=two_hoods["manager"], submit=True)


def test_a_verified_session_can_no_longer_be_changed_by_field_staff(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    session = forum_session_save(record=bel_air.session, by=bel_air.staff, submit=True)
    review_set_state(record=session, to_state=ReviewState.VERIFIED, by=two_hoods["manager"])
    session.women = 1

    with pytest.raises(ValidationError) as refused:
        forum_session_save(record=session, by=bel_air.staff, submit=True)

    assert refused.value.messages == ["A verified record can no longer be changed."]
    assert ForumSession.objects.get(pk=session.pk).women == 20


def test_the_admins_door_keeps_the_review_state_and_needs_the_change_permission(two_hoods):
    bel_air = two_hoods[BEL_AIR]
    session = forum_session_save(record=new_session(bel_air), by=bel_air.staff, submit=True)
    session.notes = "Corrigé par l'administration"

    forum_session_save(record=session, by=two_hoods["admin"], submit=None)

    session.refresh_from_db()
    assert (session.review_state, session.notes) == (ReviewState.SUBMITTED, "Corrigé par l'administration")
    assert history(session) == [("", "submitted", bel_air.staff.username)]
    with pytest.raises(FieldAccessDenied, match="You may not change this record."):
        forum_session_save(record=session, by=two_hoods["manager"], submit=None)

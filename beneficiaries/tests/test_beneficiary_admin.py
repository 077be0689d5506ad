"""The beneficiary changelist: who sees whom, which actions each role gets, the filters."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from beneficiaries.tests.factories import BeneficiaryFactory
from conftest import make_user
from enterprises.tests.factories import JobFactory
from fora.models import BeneficiarySelection
from fora.tests.factories import ForumSessionFactory
from programs import roles

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:beneficiaries_beneficiary_changelist")
MANAGING_ACTIONS = {"merge_selected", "withdraw_consent", "confirm_different_people"}


def codes(client, **filters) -> list[str]:
    response = client.get(CHANGELIST, filters)
    assert response.status_code == 200
    return [p.code for p in response.context["cl"].result_list]


def actions(client) -> set[str]:
    response = client.get(CHANGELIST)
    return {name for name, _label in response.context["action_form"].fields["action"].choices if name}


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def field_staff_client(hoods):
    user = make_user("terrain-test", roles.FIELD_STAFF, neighbourhoods=[hoods[0]], is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_field_staff_see_only_their_neighbourhood(hoods, field_staff_client, administrator_client):
    bel_air, fort_national = hoods
    BeneficiaryFactory(code="BA-1", neighbourhood=bel_air)
    BeneficiaryFactory(code="FN-1", neighbourhood=fort_national)

    assert codes(field_staff_client) == ["BA-1"]
    assert codes(administrator_client) == ["BA-1", "FN-1"]


def test_each_role_gets_the_actions_it_may_take(
    hoods, administrator_client, manager_client, field_staff_client
):
    BeneficiaryFactory(neighbourhood=hoods[0])

    assert MANAGING_ACTIONS | {"export_admin_action"} <= actions(administrator_client)
    assert actions(manager_client) & MANAGING_ACTIONS == set()
    assert "export_admin_action" in actions(manager_client)
    # Field staff may change people but neither delete (merge) nor see personal data (anonymise).
    assert actions(field_staff_client) & MANAGING_ACTIONS == {"confirm_different_people"}


def test_age_band_filter(hoods, administrator_client):
    BeneficiaryFactory(code="A-17", date_of_birth=years_ago(18, days=-1), neighbourhood=hoods[0])
    BeneficiaryFactory(code="A-18", date_of_birth=years_ago(18), neighbourhood=hoods[0])
    BeneficiaryFactory(code="A-24", date_of_birth=years_ago(25, days=-1), neighbourhood=hoods[0])
    BeneficiaryFactory(code="A-25", date_of_birth=years_ago(25), neighbourhood=hoods[0])

    assert codes(administrator_client, age_band="18-24") == ["A-18", "A-24"]
    assert codes(administrator_client, age_band="15-17") == ["A-17"]
    assert codes(administrator_client, age_band="25-29") == ["A-25"]


def test_employed_selected_and_consent_filters(hoods, administrator, administrator_client):
    session = ForumSessionFactory()
    hood = session.forum.neighbourhood
    working = BeneficiaryFactory(code="W", neighbourhood=hood, phone="+509 4000 0001")
    JobFactory(
        worker=working,
        business__centre__project=session.project,
        business__owner__phone="+509 4000 0002",
        start_date=datetime.date(2014, 8, 1),
    )
    past = BeneficiaryFactory(code="P", neighbourhood=hood, phone="+509 4000 0003")
    JobFactory(
        worker=past,
        business__owner__phone="+509 4000 0004",
        start_date=datetime.date(2014, 8, 1),
        end_date=datetime.date(2014, 12, 31),
    )
    selected = BeneficiaryFactory(code="S", neighbourhood=hood, phone="+509 4000 0005", consent_given=False)
    BeneficiarySelection.objects.create(session=session, beneficiary=selected)

    assert codes(administrator_client, employed="now") == ["W"]
    assert set(codes(administrator_client, employed="ever")) == {"W", "P"}
    assert "S" in codes(administrator_client, employed="never")
    assert codes(administrator_client, selected=str(session.pk)) == ["S"]
    assert "S" not in codes(administrator_client, selected="none")
    assert codes(administrator_client, consent="missing") == ["S"]

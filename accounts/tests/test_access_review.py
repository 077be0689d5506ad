"""The administrators' access review: every account with its access, unused ones deactivated at
once, and who changed which access."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessChange
from accounts.testing import second_factor_device
from conftest import make_user
from programs import roles
from programs.models import NeighbourhoodAssignment
from programs.tests.factories import NeighbourhoodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def test_the_page_lists_each_account_with_its_access(admin_client, administrator):
    hood = NeighbourhoodFactory(name="Bel Air")
    make_user("ar-staff", roles.FIELD_STAFF, neighbourhoods=[hood])
    response = admin_client.get(reverse("accounts:access-review"))
    assert response.status_code == 200
    body = response.content.decode()
    row = body.split('data-user="ar-staff"', 1)[1].split("</tr>", 1)[0]
    assert "CVR field staff" in row and "Bel Air" in row and 'data-enrolled="0"' in row
    admin_row = body.split('data-user="admin-test"', 1)[1].split("</tr>", 1)[0]
    assert 'data-enrolled="1"' in admin_row and "yes" in admin_row


def test_only_administrators_open_it():
    manager = make_user("ar-manager", roles.ILO_MANAGERS, is_staff=True)
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("accounts:access-review")).status_code == 403


def test_unused_accounts_are_flagged_and_deactivated_in_bulk(admin_client, administrator):
    old = make_user("ar-old", roles.FIELD_STAFF)
    recent = make_user("ar-recent", roles.FIELD_STAFF)
    User.objects.filter(pk=old.pk).update(last_login=timezone.now() - datetime.timedelta(days=91))
    User.objects.filter(pk=recent.pk).update(last_login=timezone.now() - datetime.timedelta(days=3))
    body = admin_client.get(reverse("accounts:access-review")).content.decode()
    assert "data-unused" in body.split('data-user="ar-old"', 1)[1].split(">", 1)[0]
    assert "data-unused" not in body.split('data-user="ar-recent"', 1)[1].split(">", 1)[0]
    response = admin_client.post(reverse("accounts:access-review"), {"users": [old.pk]})
    assert response.status_code == 302
    assert not User.objects.get(pk=old.pk).is_active
    assert AccessChange.objects.filter(user=old, kind="deactivated", by=administrator).exists()
    # A recent account is not among the choices: nothing is deactivated.
    admin_client.post(reverse("accounts:access-review"), {"users": [recent.pk]})
    assert User.objects.get(pk=recent.pk).is_active


def test_deactivating_needs_csrf(administrator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(reverse("accounts:access-review"), {"users": [administrator.pk]}).status_code == 403


def test_each_change_of_role_permission_or_neighbourhood_is_kept_with_who_made_it(
    admin_client, administrator
):
    hood = NeighbourhoodFactory(name="Fort National")
    staff = make_user("ar-changed", roles.FIELD_STAFF)
    admin_client.post(
        reverse("admin:auth_user_change", args=[staff.pk]),
        {
            "username": staff.username,
            "is_active": "on",
            "groups": [Group.objects.get(name=roles.ILO_MANAGERS).pk],
            "user_permissions": [Permission.objects.get(codename="view_personal_data").pk],
            "date_joined_0": "2014-04-01",
            "date_joined_1": "10:00:00",
            "neighbourhood_assignments-TOTAL_FORMS": "1",
            "neighbourhood_assignments-INITIAL_FORMS": "0",
            "neighbourhood_assignments-0-neighbourhood": hood.pk,
        },
    )
    assert NeighbourhoodAssignment.objects.filter(user=staff, neighbourhood=hood).exists()
    changes = set(
        AccessChange.objects.filter(user=staff, by=administrator).values_list("kind", "role", "detail")
    )
    assert ("role_added", roles.ILO_MANAGERS, "") in changes
    assert ("role_removed", roles.FIELD_STAFF, "") in changes
    assert ("permission_added", "", "beneficiaries.view_personal_data") in changes
    assert ("neighbourhood_added", "", "Fort National") in changes


def test_an_administrator_resets_a_second_factor_from_the_page(admin_client, administrator):
    manager = make_user("ar-lost-phone", roles.ILO_MANAGERS, is_staff=True)
    second_factor_device(manager)
    response = admin_client.post(reverse("accounts:second-factor-reset", args=[manager.pk]))
    assert response.status_code == 302
    assert not manager.totpdevice_set.exists()
    assert AccessChange.objects.filter(user=manager, kind="second_factor_reset", by=administrator).exists()

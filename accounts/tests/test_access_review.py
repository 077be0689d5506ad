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


def user_form(user, **changes):
    """The admin's change form of `user` as posted, with `changes`."""
    data = {
        "username": user.username,
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": "2014-04-01",
        "date_joined_1": "10:00:00",
        "neighbourhood_assignments-TOTAL_FORMS": "0",
        "neighbourhood_assignments-INITIAL_FORMS": "0",
        "is_active": "on",
    }
    for flag, value in changes.items():
        if value:
            data[flag] = "on"
        else:
            data.pop(flag, None)
    return data


def test_superuser_staff_and_active_statuses_are_changes_of_access_kept_with_who_made_them(
    admin_client, administrator
):
    staff = make_user("ar-flags", roles.FIELD_STAFF)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    assert admin_client.post(url, user_form(staff, is_superuser=True, is_staff=True)).status_code == 302
    assert admin_client.post(url, user_form(staff, is_active=False)).status_code == 302
    assert admin_client.post(url, user_form(staff)).status_code == 302
    changes = list(
        AccessChange.objects.filter(user=staff, by=administrator).order_by("pk").values_list("kind", "detail")
    )
    assert changes == [
        ("permission_added", "is_staff"),
        ("permission_added", "is_superuser"),
        ("permission_removed", "is_staff"),
        ("permission_removed", "is_superuser"),
        ("deactivated", ""),
        ("reactivated", ""),
    ]


def test_a_login_writes_no_change_of_access(administrator):
    before = AccessChange.objects.count()
    assert Client().login(username=administrator.username, password="pw-admin-test")
    assert AccessChange.objects.count() == before


def test_deleting_a_role_is_a_change_of_access_of_each_of_its_members():
    """Administrators may not delete roles (programs/roles.py); a superuser or a shell may."""
    group = Group.objects.create(name="Temporary role")
    member = make_user("ar-member", roles.FIELD_STAFF)
    member.groups.add(group)
    group.delete()
    assert AccessChange.objects.filter(user=member, kind="role_removed", role="Temporary role").exists()


def test_bulk_deactivation_is_kept_once(admin_client, administrator):
    old = make_user("ar-once", roles.FIELD_STAFF)
    User.objects.filter(pk=old.pk).update(last_login=timezone.now() - datetime.timedelta(days=400))
    admin_client.post(reverse("accounts:access-review"), {"users": [old.pk]})
    assert AccessChange.objects.filter(user=old, kind="deactivated").count() == 1


def test_the_number_of_days_is_a_setting(admin_client, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 10
    idle = make_user("ar-ten-days", roles.FIELD_STAFF)
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - datetime.timedelta(days=11))
    body = admin_client.get(reverse("accounts:access-review")).content.decode()
    assert "data-unused" in body.split('data-user="ar-ten-days"', 1)[1].split(">", 1)[0]
    assert "10 days" in body


@pytest.mark.parametrize(
    ("language", "label"),
    [("fr", "Personnel de terrain CVR"), ("ht", "Ekip teren CVR"), ("en", "CVR field staff")],
)
def test_roles_are_named_in_the_readers_language(admin_client, language, label):
    make_user("ar-lang", roles.FIELD_STAFF)
    body = admin_client.get(reverse("accounts:access-review"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert label in body.split('data-user="ar-lang"', 1)[1].split("</tr>", 1)[0]

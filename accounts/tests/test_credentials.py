"""An API token is a session too: a new password or a reset second factor ends it, so that a token
taken with a leaked password (field staff sign in without a second factor) stops with the leak."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.testing import second_factor_device
from conftest import make_user
from programs import roles

pytestmark = [pytest.mark.django_db, pytest.mark.raw_second_factor]


def api_status(key: str) -> int:
    return Client().get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_a_password_changed_on_its_page_ends_the_api_token():
    staff = make_user("cred-staff", roles.FIELD_STAFF)
    taken = Client().post("/api/auth/token/", {"username": staff.username, "password": "pw-cred-staff"})
    key = taken.json()["token"]
    assert api_status(key) == 200
    client = Client()
    client.force_login(staff)
    new = "Un-autre-mot-2026"
    data = {"old_password": "pw-cred-staff", "new_password1": new, "new_password2": new}
    assert client.post(reverse("password_change"), data).status_code == 302
    assert api_status(key) == 401
    again = Client().post("/api/auth/token/", {"username": staff.username, "password": new})
    assert again.status_code == 200 and again.json()["token"] != key


def test_a_password_set_anywhere_ends_it_but_a_save_of_other_fields_does_not():
    staff = make_user("cred-other", roles.FIELD_STAFF)
    key = Token.objects.create(user=staff).key
    user = User.objects.get(pk=staff.pk)
    user.first_name = "Marie"
    user.save()
    assert api_status(key) == 200
    user.set_password("pw-cred-other")  # the same password again (a hash upgraded at login)
    user.save(update_fields=["password"])
    assert api_status(key) == 200
    user.set_password("Encore-un-mot-2026")
    user.save()
    assert api_status(key) == 401


def test_a_reset_second_factor_ends_the_api_token():
    manager = make_user("cred-manager", roles.ILO_MANAGERS)
    second_factor_device(manager)
    key = Token.objects.create(user=manager).key
    assert api_status(key) == 200
    services.second_factor_reset(user=manager, by=make_user("cred-admin", roles.ADMINISTRATORS))
    assert api_status(key) == 401

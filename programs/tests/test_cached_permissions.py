"""Permission sets kept in the cache between requests (programs.auth.CachedPermissionBackend):
read once, never after a change of a role, a membership or a user's flags."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from programs import roles
from programs.auth import PERMISSIONS_VERSION_KEY

pytestmark = pytest.mark.django_db

PERMISSION_QUERY = '"auth_permission"'


def permission_queries(user_pk: int, perm: str) -> tuple[bool, int]:
    """has_perm of a freshly loaded user (as each request loads it), and the queries it made
    on the permission tables."""
    user = User.objects.get(pk=user_pk)
    with CaptureQueriesContext(connection) as queries:
        allowed = user.has_perm(perm)
    return allowed, sum(PERMISSION_QUERY in q["sql"] for q in queries.captured_queries)


def test_a_users_permissions_are_read_from_the_database_once():
    user = make_user("cached-staff", roles.FIELD_STAFF)
    assert permission_queries(user.pk, "programs.use_programme") == (True, 2)
    assert permission_queries(user.pk, "programs.use_programme") == (True, 0)


def test_leaving_a_role_takes_effect_at_the_next_request(client):
    user = make_user("leaving-staff", roles.FIELD_STAFF)
    client.force_login(user)
    assert client.get(reverse("dashboard:index")).status_code == 200
    user.groups.clear()
    assert permission_queries(user.pk, "programs.use_programme") == (False, 2)
    assert client.get(reverse("dashboard:index")).status_code == 403


def test_a_permission_taken_from_a_role_takes_effect_at_once():
    user = make_user("role-staff", roles.FIELD_STAFF)
    assert permission_queries(user.pk, "programs.use_programme")[0] is True
    group = Group.objects.get(name=roles.FIELD_STAFF)
    group.permissions.remove(Permission.objects.get(codename="use_programme"))
    assert permission_queries(user.pk, "programs.use_programme") == (False, 2)


def test_a_deactivated_or_promoted_user_is_read_again():
    user = make_user("flagged-staff", roles.FIELD_STAFF)
    assert permission_queries(user.pk, "auth.delete_user")[0] is False
    user.is_superuser = True
    user.save()
    assert permission_queries(user.pk, "auth.delete_user")[0] is True
    user.is_active = False
    user.save()
    assert permission_queries(user.pk, "auth.delete_user") == (False, 0)


def test_a_login_does_not_drop_every_cached_set(client):
    user = make_user("login-staff", roles.FIELD_STAFF)
    version = cache.get(PERMISSIONS_VERSION_KEY)
    assert client.login(username="login-staff", password="pw-login-staff")  # writes last_login alone
    assert cache.get(PERMISSIONS_VERSION_KEY) == version
    assert permission_queries(user.pk, "programs.use_programme")[0] is True

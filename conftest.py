"""Fixtures shared by every app's tests."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def administrator(db, django_user_model):
    from django.contrib.auth.models import Group

    from programs import roles

    user = django_user_model.objects.create_user("admin-test", password="pw-admin-test", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    return user

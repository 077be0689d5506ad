"""Fixtures of the dashboard tests: the demo data, users of each role, HTML parsing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation
from lxml import html

from conftest import make_user
from demo.loader import PROJECT_CODE, load_demo
from programs import roles
from programs.models import Neighbourhood, Project


@pytest.fixture(autouse=True)
def in_english(settings):
    """Assertions read English words; the interface defaults to French, which a test asks for."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo, loaded once per test module inside a transaction rolled back at its end (loading
    takes long); each test runs in its own savepoint within it. Its records are verified by a
    user named "manager", as `make demo` does."""
    with django_db_blocker.unblock(), transaction.atomic():
        manager = make_user("manager", roles.ILO_MANAGERS, is_staff=True)
        load_demo()
        yield Project.objects.get(code=PROJECT_CODE).pk, manager.pk
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_data, db):
    project_pk, manager_pk = demo_data
    return Project.objects.get(pk=project_pk), User.objects.get(pk=manager_pk)


@pytest.fixture
def manager_client(client, demo):
    client.force_login(demo[1])
    return client


@pytest.fixture
def bel_air_staff(demo):
    return make_user(
        "terrain-test", roles.FIELD_STAFF, neighbourhoods=[Neighbourhood.objects.get(name="Bel Air")]
    )


@pytest.fixture
def demo_administrator(demo):
    return make_user("admin-demo", roles.ADMINISTRATORS, is_staff=True)


def parse(response):
    assert response.status_code == 200, response.status_code
    return html.fromstring(response.content.decode())


def by_class(element, name: str) -> list:
    """Descendants of `element` carrying the CSS class `name`."""
    return element.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def first(element, name: str):
    found = by_class(element, name)
    assert found, f"no .{name}"
    return found[0]


def number(text: str) -> float:
    """A number as the page prints it, in French or English."""
    return float(text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))

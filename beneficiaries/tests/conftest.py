"""Fixtures of the beneficiary tests: the two ESC neighbourhoods, an administrator's and a
manager's admin session (the manager is staff without the personal-data permission)."""

import pytest
from django.test import Client
from django.utils import translation

from conftest import make_user
from programs import roles
from programs.tests.factories import NeighbourhoodFactory


@pytest.fixture(autouse=True)
def in_english(settings):
    """Assertions read English words; the interface defaults to French, which a test asks for."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_upload_left():
    """The files a test's imports left waiting for a confirmation are removed after it."""
    from beneficiaries.admin import import_files

    def waiting() -> set:
        return set(import_files.folder().glob("*")) if import_files.folder().is_dir() else set()

    before = waiting()
    yield
    for path in waiting() - before:
        path.unlink(missing_ok=True)


@pytest.fixture
def hoods(db):
    return NeighbourhoodFactory(name="Bel Air"), NeighbourhoodFactory(name="Fort National")


@pytest.fixture
def administrator_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


@pytest.fixture
def manager(db):
    return make_user("manager-test", roles.ILO_MANAGERS, is_staff=True)


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client

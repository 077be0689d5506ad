"""Data made once per test module and rolled back after it (load_demo takes seconds)."""

from contextlib import contextmanager

import pytest
from django.db import transaction

from demo.loader import PROJECT_CODE, load_demo


@contextmanager
def module_transaction(django_db_blocker):
    """A transaction kept open for a whole module: each test runs in a savepoint within it
    (pytest-django's own atomic block nests), and the module's end rolls everything back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """`load_demo()`, once for the module."""
    with module_transaction(django_db_blocker):
        load_demo()
        yield


@pytest.fixture
def demo(demo_data, db):
    from programs.models import Project

    return Project.objects.get(code=PROJECT_CODE)

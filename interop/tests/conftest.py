"""The demo data, loaded once per test module and rolled back after it (load_demo takes seconds)."""

import pytest
from django.db import transaction

from demo.loader import PROJECT_CODE, load_demo


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """`load_demo()` inside a transaction kept open for the module; each test runs in a savepoint
    within it (pytest-django's own atomic block nests), and the module's end rolls everything back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_data, db):
    from programs.models import Project

    return Project.objects.get(code=PROJECT_CODE)

"""Each page runs as many queries on 5× the data as on the ESC project's size.

The data is made once for the module by the generator (one project, then four more), inside a
transaction rolled back at the end; pages are counted with `django.test.Client` and
`CaptureQueriesContext` after a warm-up request. The page list is `bench/pages.py`, the same as
the benchmark's (scale 1 vs scale 1000).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from bench.pages import Page, count_queries, pages
from conftest import make_user
from demo.generator import generate
from programs import roles
from programs.models import Neighbourhood, NeighbourhoodAssignment, Project

pytestmark = pytest.mark.django_db

PAGES = pages(project_pk=0)  # the real key is filled in when measuring
#: Pages whose count is known to grow, with the reason; reported by the benchmark too.
KNOWN_GROWING: dict[str, str] = {}


def _assign_every_neighbourhood(user) -> None:
    """Field staff see all generated neighbourhoods, so the rows they see grow with the data."""
    have = set(user.neighbourhood_assignments.values_list("neighbourhood_id", flat=True))
    NeighbourhoodAssignment.objects.bulk_create(
        NeighbourhoodAssignment(user=user, neighbourhood=hood)
        for hood in Neighbourhood.objects.exclude(pk__in=have)
    )


def _measure(users: dict, project_pk: int) -> dict[str, tuple[int, int | None]]:
    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        clients[key].force_login(user)
    counts = {}
    for page in pages(project_pk):
        url = page.url()
        counts[page.name] = (None, None) if url is None else count_queries(clients[page.user], url)
    return counts


@pytest.fixture(scope="module")
def query_counts(django_db_setup, django_db_blocker):
    """{page name: ((status, queries) at 1 project, (status, queries) at 5 projects)}."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = {
            "admin": make_user("qc-admin", roles.ADMINISTRATORS, is_staff=True),
            "manager": make_user("qc-manager", roles.ILO_MANAGERS, is_staff=True),
            "field": make_user("qc-field", roles.FIELD_STAFF),
        }
        generate(scale=1)
        project_pk = Project.objects.get(code="gen-00000").pk
        _assign_every_neighbourhood(users["field"])
        small = _measure(users, project_pk)
        generate(scale=4, first=1)
        _assign_every_neighbourhood(users["field"])
        large = _measure(users, project_pk)
        transaction.set_rollback(True)
    return {name: (small[name], large[name]) for name in small}


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_query_count_does_not_grow_with_the_data(query_counts, page: Page):
    (status_small, small), (status_large, large) = query_counts[page.name]
    assert status_small is not None, f"{page.name}: {page.url_name} {page.kwargs} does not resolve"
    # Each page is one its user may open: a redirect to the login or a 403 would count the
    # queries of the wrong page.
    assert (status_small, status_large) == (200, 200), page.name
    if page.name in KNOWN_GROWING:
        pytest.xfail(KNOWN_GROWING[page.name])
    assert small == large, f"{page.name}: {small} queries with 1 project, {large} with 5"

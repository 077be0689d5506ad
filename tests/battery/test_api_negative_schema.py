"""schemathesis in negative mode over the whole API (issue 14): every operation of /api/schema/
gets a bounded number of requests that break its schema (wrong types, missing required fields,
values out of their formats and ranges, odd path ids), sent with Bel Air's field staff token to
the Django app in-process (WSGI, as `interop/tests/test_api_schema.py` does for the positive run).

Each response must not be a server error (`not_a_server_error`); a refusal (4xx) must write no
row; no answer may carry Fort National's marker. The run prints how many requests were sent, how
many were answered 5xx, and how many requests off the schema were accepted (2xx) anyway — shown,
not asserted: a query parameter of the wrong type that a list ignores is harmless.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from conftest import throttles_cleared
from interop.tests.conftest import module_transaction
from interop.tests.test_api_schema import in_test_transaction
from tests.battery.hostile import (
    MARK,
    build_world,
    diff,
    quiet_logs,
    rolled_back,
    snapshot,
)

pytestmark = pytest.mark.django_db

#: Requests per operation: about 400 for the API's 53 operations, bounded for `make test`.
MAX_EXAMPLES = 8
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "negative", "max-examples": MAX_EXAMPLES},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
RUN = {
    "started": None,
    "operations": 0,
    "requests": 0,
    "server_errors": 0,
    "writes_on_refusal": 0,
    "leaks": 0,
}
STATUSES: Counter = Counter()
ACCEPTED: Counter = Counter()  # operation → requests off the schema answered 2xx
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def load_schema():
    throttles_cleared()  # loaded at collection, before any fixture: an earlier run's counts may remain
    response = Client(HTTP_HOST="localhost").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    loaded = schemathesis.openapi.from_dict(response.json(), config=CONFIG)
    loaded.app = in_test_transaction(get_wsgi_application())
    return loaded


schema = load_schema()


@pytest.fixture(scope="module")
def negative_world(django_db_setup, django_db_blocker):
    """The battery's world once for the module (rolled back at its end), with the staff's token."""
    with module_transaction(django_db_blocker):
        world = build_world()
        world.token = Token.objects.create(user=world.staff).key
        yield world


@pytest.fixture(autouse=True)
def photos_in_a_temporary_directory(settings, tmp_path):
    """Photos of accepted examples are files: kept out of the suite's media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_token(negative_world, db):
    if RUN["started"] is None:
        RUN["started"] = time.monotonic()
    RUN["operations"] += 1  # once per operation's test, not per example
    return negative_world.token


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_requests_off_its_schema_without_a_server_error(case, staff_token, negative_world):
    headers = {
        "Authorization": f"Token {staff_token}",
        "Accept-Encoding": "identity",
        "Accept-Language": "en",
    }
    with quiet_logs(), rolled_back():
        before = snapshot()
        RUN["requests"] += 1
        try:
            response = case.call(headers=headers)
        except Exception:
            RUN["server_errors"] += 1
            raise
        STATUSES[response.status_code] += 1
        if response.status_code >= 500:
            RUN["server_errors"] += 1
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
        change = diff(before, snapshot())
        request = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"[:2000]
        text = response.content.decode("utf-8", "replace")
        if MARK in text and MARK not in request:
            RUN["leaks"] += 1
            raise AssertionError(f"Fort National's marker in the answer: {request} → {text[:500]}")
        if 400 <= response.status_code < 500 and change.writes:
            RUN["writes_on_refusal"] += 1
            raise AssertionError(f"written on a {response.status_code} ({change}): {request}")
        if 200 <= response.status_code < 300:
            ACCEPTED[f"{case.method} {case.operation.path}"] += 1


def test_the_negative_run_took_place_and_is_shown(capsys):
    """Prints the run's figures (requests, 5xx, accepted off-schema requests); checks that the
    run above took place, every operation of it: run the whole module."""
    operations = len(list(schema.get_all_operations()))
    assert RUN["started"] is not None, "the negative run did not take place before this test"
    assert RUN["operations"] == operations, "the negative run left operations out"
    elapsed = time.monotonic() - RUN["started"]
    with capsys.disabled():
        print(
            f"\nschemathesis negative: {RUN['requests']} requests over {operations} operations in "
            f"{elapsed:.1f} s; 5xx {RUN['server_errors']}, writes on refusals {RUN['writes_on_refusal']}, "
            f"leaks {RUN['leaks']}; statuses {dict(sorted(STATUSES.items()))}"
        )
        writes = {op: n for op, n in ACCEPTED.items() if op.startswith(WRITES)}
        print(f"schemathesis negative: writes accepted off the schema: {writes or 'none'}")
    assert RUN["requests"] > operations

"""Property-based run of the API against its own OpenAPI schema (schemathesis, in-process WSGI).

Every operation of /api/schema/ gets a bounded number of generated requests, sent with a field
staff member's token to the Django app itself; each response must not be a server error and
must conform to the schema (status code, content type, body).
"""

import logging
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import make_user, throttles_cleared
from programs import roles
from programs.models import Neighbourhood

#: Examples per operation: enough to reach every field rule, bounded for `make test`.
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
RUN = {"calls": 0, "started": None, "operations": 0}
#: Positive and negative data from the fuzzing phase (bounded by MAX_EXAMPLES) and the schema's
#: examples. The coverage phase (every boundary case of every field, about 3 times as many
#: requests) is left out to keep `make test` quick; run it with the schemathesis CLI if needed.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


def in_test_transaction(handler):
    """The Django WSGI app, minus the closing of database connections at each request's end
    (as Django's test client does): the requests run inside the test's transaction."""

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return app


def load_schema():
    """The document /api/schema/ serves, fetched in-process (no database needed), bound to the app."""
    throttles_cleared()  # loaded at collection, before any fixture: an earlier run's counts may remain
    response = Client(HTTP_HOST="localhost").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    loaded = schemathesis.openapi.from_dict(response.json(), config=CONFIG)
    loaded.app = in_test_transaction(get_wsgi_application())
    return loaded


schema = load_schema()


@pytest.fixture
def staff_token(demo_data, db, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # 4xx by the thousand are expected
    if RUN["started"] is None:
        RUN["started"] = time.monotonic()
    RUN["operations"] += 1  # set up once per operation's test, not per example
    hood = Neighbourhood.objects.get(name="Bel Air")
    staff = make_user("schemathesis-belair", roles.FIELD_STAFF, neighbourhoods=[hood])
    return Token.objects.create(user=staff).key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema_and_never_fails_with_a_server_error(case, staff_token):
    RUN["calls"] += 1
    # Uncompressed: schemathesis' WSGI transport does not undo the gzip a browser would accept.
    headers = {"Authorization": f"Token {staff_token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_the_property_run_stayed_within_its_budget(capsys):
    """The run above is part of `make test`: bounded in requests. Its time is printed, not
    asserted (speed is shown by the benchmark, not by timed tests). It checks that run, so the
    run must have taken place, every operation of it, before: run the whole module."""
    operations = len(list(schema.get_all_operations()))
    assert RUN["started"] is not None, "the schema run did not take place before this test"
    assert RUN["operations"] == operations, "the schema run left operations out"
    elapsed = time.monotonic() - RUN["started"]
    with capsys.disabled():
        print(f"\nschemathesis: {RUN['calls']} generated requests in {elapsed:.1f} s")
    assert 100 < RUN["calls"] <= MAX_EXAMPLES * operations * 2

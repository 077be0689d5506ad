"""Rates in the cache: the token endpoint per address, the login form per address; 429 with
Retry-After; another address is not affected."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"


def limit(scope: str) -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")[0])


def test_the_token_endpoint_answers_429_after_the_documented_number_from_one_address():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == "10/minute"  # interop/README.md
    client = Client()
    data = {"username": "nobody", "password": "wrong"}
    for _attempt in range(limit("token")):
        assert client.post(TOKEN, data, REMOTE_ADDR="10.1.1.1").status_code == 400
    refused = client.post(TOKEN, data, REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert client.post(TOKEN, data, REMOTE_ADDR="10.1.1.2").status_code == 400


def test_a_forwarded_for_header_does_not_give_a_new_address():
    client = Client()
    data = {"username": "nobody", "password": "wrong"}
    for attempt in range(limit("token")):
        client.post(TOKEN, data, REMOTE_ADDR="10.2.2.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    assert (
        client.post(TOKEN, data, REMOTE_ADDR="10.2.2.2", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    )


def test_the_login_form_answers_429_after_its_rate_from_one_address():
    client = Client()
    for attempt in range(limit("login")):
        data = {"username": f"someone-{attempt}", "password": "wrong"}
        assert client.post(reverse("login"), data, REMOTE_ADDR="10.3.3.3").status_code == 200
    refused = client.post(reverse("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="10.3.3.3")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    other = client.post(reverse("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="10.3.3.4")
    assert other.status_code == 200


def test_anonymous_api_requests_are_limited_per_address(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"},
    }
    client = Client()
    statuses = [client.get("/api/no-such-thing/", REMOTE_ADDR="10.4.4.4").status_code for _i in range(4)]
    assert statuses[:3] != [429] * 3 and statuses[3] == 429
    assert client.get("/api/no-such-thing/", REMOTE_ADDR="10.4.4.5").status_code != 429

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


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_anonymous_requests_refused_for_want_of_credentials_are_counted_too(settings):
    """DRF checks permissions before throttles: a 401 was never counted, so that an address could
    ask a protected endpoint (or try tokens) without end."""
    with_rates(settings, anon="3/minute")
    client = Client()
    statuses = [client.get("/api/projects/", REMOTE_ADDR="10.6.6.6").status_code for _i in range(3)]
    assert statuses == [401, 401, 401]
    refused = client.get("/api/projects/", REMOTE_ADDR="10.6.6.6")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get("/api/projects/", REMOTE_ADDR="10.6.6.7").status_code == 401


def test_wrong_tokens_from_one_address_are_limited(settings):
    with_rates(settings, anon="3/minute")
    client = Client()
    for attempt in range(3):
        wrong = client.get(
            "/api/projects/", REMOTE_ADDR="10.7.7.7", HTTP_AUTHORIZATION=f"Token {attempt:040d}"
        )
        assert wrong.status_code == 401
    refused = client.get("/api/projects/", REMOTE_ADDR="10.7.7.7", HTTP_AUTHORIZATION=f"Token {9:040d}")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_signed_in_api_use_is_limited_per_user_whatever_the_address(settings):
    from rest_framework.authtoken.models import Token

    from conftest import make_user
    from programs import roles

    with_rates(settings, user="3/minute")
    first = Token.objects.create(user=make_user("rate-staff-1", roles.FIELD_STAFF)).key
    second = Token.objects.create(user=make_user("rate-staff-2", roles.FIELD_STAFF)).key
    client = Client()
    for attempt in range(3):
        ok = client.get(
            "/api/projects/", REMOTE_ADDR=f"10.8.8.{attempt}", HTTP_AUTHORIZATION=f"Token {first}"
        )
        assert ok.status_code == 200
    refused = client.get("/api/projects/", REMOTE_ADDR="10.8.8.9", HTTP_AUTHORIZATION=f"Token {first}")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    other = client.get("/api/projects/", REMOTE_ADDR="10.8.8.0", HTTP_AUTHORIZATION=f"Token {second}")
    assert other.status_code == 200


def test_behind_a_trusted_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    """THROTTLE_NUM_PROXIES=1: the proxy appends the address it saw; an address the client put
    first in X-Forwarded-For changes nothing, and the lockout (axes) sees the same address."""
    from django.test import RequestFactory

    from accounts.throttling import client_address
    from conftest import make_user
    from programs import roles

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = Client()
    data = {"username": "nobody", "password": "wrong"}
    for attempt in range(limit("token")):
        forwarded = f"198.51.100.{attempt}, 203.0.113.5"
        client.post(TOKEN, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    again = client.post(
        TOKEN, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.5"
    )
    assert again.status_code == 429
    other = client.post(TOKEN, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 400
    # Five wrong passwords lock the account from the address the proxy saw (not from the proxy's).
    make_user("proxied", roles.FIELD_STAFF)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        forwarded = f"198.51.100.{attempt}, 203.0.113.7"
        data = {"username": "proxied", "password": "wrong"}
        client.post(reverse("login"), data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    right = {"username": "proxied", "password": "pw-proxied"}
    locked = client.post(
        reverse("login"), right, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
    )
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    # Another person behind the same proxy is not locked out with them.
    elsewhere = client.post(
        reverse("login"), right, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert elsewhere.status_code == 302 and "_auth_user_id" in client.session
    assert (
        client_address(RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"))
        == "203.0.113.7"
    )


def test_the_admin_login_form_is_limited_like_the_login_page():
    client = Client()
    for attempt in range(limit("login")):
        data = {"username": f"someone-{attempt}", "password": "wrong"}
        assert client.post("/admin/login/", data, REMOTE_ADDR="10.9.9.9").status_code == 200
    refused = client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert (
        client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.9.9.8").status_code
        == 200
    )

"""The server's side of offline entry (issue 20): the outbox's sends answered in JSON, each entry
saved exactly once per key, the lists a phone keeps, the app's manifest and service worker."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from enterprises.models import Business
from rehab.models import WorkRecord

pytestmark = pytest.mark.django_db

BEL_AIR, FORT_NATIONAL = "Bel Air", "Fort National"
OUTBOX = {"HTTP_X_REQUESTED_WITH": "outbox", "HTTP_ACCEPT": "application/json"}


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def work_entry(hood, token, **extra):
    return {
        "site": hood.site.pk,
        "date": "2014-10-06",
        "completed_area_m2": "5",
        "token": str(token),
        "submit": "1",
        **extra,
    }


def test_an_outbox_send_is_answered_201_then_200_for_the_same_entry_sent_again(two_hoods):
    hood = two_hoods[BEL_AIR]
    client, token = client_of(hood.staff), uuid.uuid4()
    url = reverse("field:create", args=["work"])
    first = client.post(url, work_entry(hood, token), **OUTBOX)
    again = client.post(url, work_entry(hood, token), **OUTBOX)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["url"] == reverse("field:detail", args=["work", first.json()["id"]])
    assert first.json()["state"] == "submitted"
    assert WorkRecord.objects.filter(pk=first.json()["id"]).count() == 1


def test_the_same_key_with_other_content_is_a_409_and_saves_nothing(two_hoods):
    hood = two_hoods[BEL_AIR]
    client, token = client_of(hood.staff), uuid.uuid4()
    url = reverse("field:create", args=["work"])
    client.post(url, work_entry(hood, token), **OUTBOX)
    count = WorkRecord.objects.count()
    other = client.post(url, work_entry(hood, token, completed_area_m2="7"), **OUTBOX)
    assert other.status_code == 409
    assert "different entry" in json.dumps(other.json())
    assert WorkRecord.objects.count() == count


def test_a_rule_only_the_server_checks_comes_back_as_field_messages(two_hoods):
    hood = two_hoods[BEL_AIR]
    response = client_of(hood.staff).post(
        reverse("field:create", args=["work"]),
        work_entry(hood, uuid.uuid4(), completed_area_m2="9999"),
        **OUTBOX,
    )
    assert response.status_code == 400
    assert "completed_area_m2" in response.json()["errors"]


def test_a_send_without_a_session_is_a_401_with_the_login_page(two_hoods):
    hood = two_hoods[BEL_AIR]
    response = Client().post(reverse("field:create", args=["work"]), work_entry(hood, uuid.uuid4()), **OUTBOX)
    assert response.status_code == 401
    assert response.json()["login_url"] == reverse("login")


def test_a_manager_sending_an_entry_is_a_403_in_json(two_hoods):
    response = client_of(two_hoods["manager"]).post(
        reverse("field:create", args=["work"]), work_entry(two_hoods[BEL_AIR], uuid.uuid4()), **OUTBOX
    )
    assert response.status_code == 403 and "detail" in response.json()


def test_the_api_idempotency_key_saves_once_and_answers_the_same_record(two_hoods):
    hood = two_hoods[BEL_AIR]
    api = APIClient()
    api.force_authenticate(hood.staff)
    key = str(uuid.uuid4())
    body = {"site": hood.site.pk, "date": "2014-10-06", "completed_area_m2": "5"}
    first = api.post("/api/work-records/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/work-records/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    other = api.post(
        "/api/work-records/", body | {"completed_area_m2": "6"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json()["id"] == again.json()["id"] and first.json()["url"] == again.json()["url"]
    assert WorkRecord.objects.filter(site=hood.site, completed_area_m2="5").count() == 1
    assert WorkRecord.objects.filter(site=hood.site, completed_area_m2="6").count() == 0


def business_entry(hood, token):
    return {
        "name": "Resent shop",
        "owner": hood.beneficiary.code,
        "centre": hood.centre.pk,
        "neighbourhood": hood.neighbourhood.pk,
        "activity": "Couture",
        "formed_on": "2014-07-01",
        "size": "micro",
        "status": "created",
        "token": str(token),
        "submit": "1",
    }


def test_a_resent_business_is_answered_with_itself_not_refused_by_its_own_name(two_hoods):
    """The first send saved it, its answer was lost: the resend must not meet "a business with
    this name" (the rule its own first send satisfied) and wait as needing attention."""
    hood = two_hoods[BEL_AIR]
    client, token = client_of(hood.staff), uuid.uuid4()
    url = reverse("field:create", args=["businesses"])
    first = client.post(url, business_entry(hood, token), **OUTBOX)
    again = client.post(url, business_entry(hood, token), **OUTBOX)
    posted_again = client.post(url, business_entry(hood, token))  # the form posted itself again
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert first.json()["id"] == again.json()["id"]
    assert posted_again.status_code == 302
    assert posted_again["Location"] == reverse("field:detail", args=["businesses", first.json()["id"]])
    assert Business.objects.filter(name="Resent shop").count() == 1
    # Another entry with the same name (a new key) is still refused, field by field.
    other = client.post(url, business_entry(hood, uuid.uuid4()), **OUTBOX)
    assert other.status_code == 400 and "name" in json.dumps(other.json())


def test_the_api_answers_a_resent_business_with_itself_and_refuses_another_user_s_key(two_hoods):
    hood, other_hood = two_hoods[BEL_AIR], two_hoods[FORT_NATIONAL]
    api = APIClient()
    api.force_authenticate(hood.staff)
    key = str(uuid.uuid4())
    body = business_entry(hood, key)
    del body["token"], body["submit"]
    first = api.post("/api/businesses/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/businesses/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    in_body = api.post("/api/businesses/", body | {"token": key}, format="json")
    assert (first.status_code, again.status_code, in_body.status_code) == (201, 200, 200), again.content
    assert first.json()["id"] == again.json()["id"] == in_body.json()["id"]
    stranger = APIClient()
    stranger.force_authenticate(other_hood.staff)
    refused = stranger.post("/api/businesses/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 409 and "Resent shop" not in json.dumps(refused.json())
    assert Business.objects.filter(name="Resent shop").count() == 1


def test_a_malformed_idempotency_key_is_a_400(two_hoods):
    hood = two_hoods[BEL_AIR]
    api = APIClient()
    api.force_authenticate(hood.staff)
    response = api.post(
        "/api/work-records/",
        {"site": hood.site.pk, "date": "2014-10-06", "completed_area_m2": "5"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="not-a-uuid",
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()


def test_the_offline_lists_hold_the_users_neighbourhoods_and_no_phone_nor_birth_date(two_hoods):
    hood = two_hoods[BEL_AIR]
    data = client_of(hood.staff).get(reverse("field:offline-data")).json()
    assert [n["name"] for n in data["neighbourhoods"]] == [BEL_AIR]
    assert {s["id"] for s in data["sites"]} == {hood.site.pk}
    site = data["sites"][0]
    assert site["planned_area_m2"] == "500.00" and site["remaining_area_m2"] == "400.00"
    people = {b["code"] for b in data["beneficiaries"]}
    assert hood.beneficiary.code in people
    assert two_hoods[FORT_NATIONAL].beneficiary.code not in people
    text = json.dumps(data)
    assert hood.beneficiary.phone not in text and str(hood.beneficiary.date_of_birth) not in text


def test_the_service_worker_is_served_from_the_field_scope_with_its_versioned_precache(client, settings):
    response = client.get(reverse("field:service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/field/" and response["Cache-Control"] == "no-cache"
    head = response.content.decode().splitlines()[0]
    assert '"/field/work/new/"' in head and '"/field/offline/data.json"' in head
    settings.FIELD_OFFLINE_VERSION = "2"
    assert client.get(reverse("field:service-worker")).content.decode().splitlines()[0] != head


def test_the_manifest_opens_the_field_pages(client):
    manifest = client.get(reverse("field:manifest")).json()
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}

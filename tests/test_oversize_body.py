"""A body of text larger than DATA_UPLOAD_MAX_MEMORY_SIZE (no form of the field comes near it) is
answered 413 with a message, in JSON for the API and the phone's outbox, as a page otherwise;
before, Django's bare 400 (an HTML page even to an API client) and nothing said why."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from rehab.models import WorkRecord

pytestmark = pytest.mark.django_db

MESSAGE = "This entry is too large to be sent"


def too_long() -> str:
    return "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def test_an_oversize_json_body_answers_413_in_json(two_hoods):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(two_hoods["Bel Air"].staff)
    body = json.dumps({"site": two_hoods["Bel Air"].site.pk, "notes": too_long()})
    before = WorkRecord.objects.count()

    response = client.post("/api/work-records/", body, content_type="application/json")

    assert response.status_code == 413
    assert MESSAGE in response.json()["detail"]
    assert WorkRecord.objects.count() == before


@pytest.mark.parametrize("outbox", [False, True])
def test_an_oversize_form_answers_413_with_a_message(two_hoods, outbox):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(two_hoods["Bel Air"].staff)
    headers = {"X-Requested-With": "outbox"} if outbox else {}
    before = WorkRecord.objects.count()

    response = client.post(reverse("field:create", args=["work"]), {"notes": too_long()}, headers=headers)

    assert response.status_code == 413
    text = response.json()["detail"] if outbox else response.content.decode()
    assert MESSAGE in text
    assert WorkRecord.objects.count() == before

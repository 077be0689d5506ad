"""A review comment is text a person can read: a NUL byte (which PostgreSQL cannot store: a 500)
or a comment of 100,000 characters is refused with a message through the review page as through
the API, and the record keeps its state."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from enterprises.models import Job
from programs.models import ReviewEvent, ReviewState

pytestmark = pytest.mark.django_db


def submitted_job(two_hoods) -> Job:
    job = two_hoods["Bel Air"].job
    Job.objects.filter(pk=job.pk).update(
        review_state=ReviewState.SUBMITTED,
        review_changed_at=datetime.datetime(2014, 10, 6, tzinfo=datetime.UTC),
    )
    return job


@pytest.mark.parametrize("comment", ["\x00", "Mur\x00 fissuré", "a" * 2001])
def test_a_review_comment_that_is_no_readable_text_is_refused_with_a_message(two_hoods, comment):
    job = submitted_job(two_hoods)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(two_hoods["manager"])
    events = ReviewEvent.objects.count()

    response = client.post(
        reverse("field:review-decide", args=["jobs", job.pk]),
        {"decision": "return", "comment": comment},
        follow=True,
    )

    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any("Null characters" in m or "at most 2000 characters" in m for m in shown), shown
    job.refresh_from_db()
    assert job.review_state == ReviewState.SUBMITTED
    assert ReviewEvent.objects.count() == events


def test_the_api_refuses_a_nul_in_a_review_comment_too(two_hoods):
    job = submitted_job(two_hoods)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(two_hoods["manager"])

    response = client.post(
        f"/api/jobs/{job.pk}/review/", {"to_state": "returned", "comment": "a\x00b"}, format="json"
    )

    assert response.status_code == 400
    job.refresh_from_db()
    assert job.review_state == ReviewState.SUBMITTED

"""Forecast and status for hand-made histories (ahead, behind, flat, finished), as the page shows them.

The history is a snapshot 80 days ago; the records then give today's actual value, and
`progress_recompute` (the progress module) computes forecast and status. The dashboard shows
them, explains them and draws the forecast, without computing anything itself.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from conftest import make_user
from enterprises.tests.factories import BusinessFactory, CentreFactory
from programs import roles
from programs.models import ReviewState
from programs.tests.factories import ProjectFactory, TargetFactory
from progress.models import ProgressSnapshot
from progress.services import progress_recompute

from .conftest import parse

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=365)
END = TODAY + datetime.timedelta(days=365)  # duration 730 days: "at risk" up to 73 days after the end
VERIFIED = {"review_state": ReviewState.VERIFIED, "review_changed_at": timezone.now()}


def project_with_history(*, before: int | None, now: int):
    """A project aiming at 10 businesses: `before` of them 80 days ago, `now` today."""
    project = ProjectFactory(start_date=START, launched_on=START, end_date=END)
    target = TargetFactory(project=project, value=Decimal(10), due_date=END)
    if before is not None:
        # Noon, 80 local days before today: "now minus 80 × 24 hours" is 79 local days when a
        # change of daylight saving time lies between and the test runs just before midnight.
        moment = timezone.make_aware(
            datetime.datetime.combine(TODAY - datetime.timedelta(days=80), datetime.time(12))
        )
        ProgressSnapshot.objects.create(
            target=target,
            as_of=moment,
            actual=before,
            target_value=10,
            remaining=10 - before,
            status="on_track",
            reason="test",
        )
    centre = CentreFactory(project=project)
    for _ in range(now):
        BusinessFactory(
            centre=centre, status="operating", formed_on=TODAY - datetime.timedelta(days=5), **VERIFIED
        )
    progress_recompute(project_ids=[project.pk])
    return project, ProgressSnapshot.objects.filter(target=target).latest()


@pytest.mark.parametrize(
    ("history", "status", "forecast_in_days", "words"),
    [
        pytest.param((2, 8), "on_track", 27, "on or before the project's end date", id="ahead"),
        pytest.param((4, 5), "at_risk", 400, "within 10 % of the project's duration", id="behind"),
        pytest.param((3, 3), "off_track", 852, "more than 10 %", id="flat"),
        pytest.param((9, 10), "reached", 0, "was reached on", id="finished"),
        pytest.param((None, 0), "not_started", None, "Nothing has been counted yet", id="nothing"),
    ],
)
def test_the_page_shows_forecast_and_status_with_an_explanation(
    client, history, status, forecast_in_days, words
):
    project, snapshot = project_with_history(before=history[0], now=history[1])
    assert snapshot.status == status
    expected_forecast = (
        None if forecast_in_days is None else TODAY + datetime.timedelta(days=forecast_in_days)
    )
    assert snapshot.forecast_date == expected_forecast

    client.force_login(make_user("manager-status", roles.ILO_MANAGERS))
    page = parse(client.get(reverse("dashboard:index")))
    card = page.xpath("//article[@data-indicator='businesses']")[0]
    assert card.get("data-status") == status
    assert card.get("data-forecast") == (expected_forecast.isoformat() if expected_forecast else "")
    explanation = page.xpath("//*[contains(@class, 'status-explanation')]")[0].text_content()
    assert words in explanation
    if expected_forecast and status != "reached":
        assert date_format(expected_forecast) in explanation
    chart = json.loads(page.xpath(f"//script[@id='trend-data-{snapshot.target_id}']")[0].text_content())
    assert chart["points"][-1]["y"] == history[1]
    if status in ("on_track", "at_risk"):
        assert chart["forecast"] is not None  # the dash-dot line to the forecast date is drawn

"""Reporting reminders: a period ending within 7 days, a period report waiting for approval."""

from __future__ import annotations

import datetime

import pytest

from notifications.deliveries import notify
from progress.models import ReportingPeriod

from .conftest import text_of
from .helpers import with_address

pytestmark = pytest.mark.django_db


def test_managers_hear_once_of_a_period_ending_in_7_days(smtp_server, two_hoods):
    manager = two_hoods["manager"]
    with_address(manager)
    today = datetime.date(2015, 3, 24)
    period = ReportingPeriod.objects.create(
        project=two_hoods["project"],
        code="2015-Q1",
        start=datetime.date(2015, 1, 1),
        end=datetime.date(2015, 3, 31),
    )

    notify(today=today - datetime.timedelta(days=1))
    assert smtp_server.to(manager.email) == []
    notify(today=today)
    notify(today=today + datetime.timedelta(days=1))

    (mail,) = smtp_server.to(manager.email)
    assert period.code in mail["Subject"]
    assert f"/reports/{period.project_id}/2015-Q1/" in text_of(mail)


def test_managers_hear_of_a_report_waiting_for_their_approval(smtp_server, two_hoods):
    manager = two_hoods["manager"]
    with_address(manager)
    ReportingPeriod.objects.create(
        project=two_hoods["project"],
        code="2014-Q4",
        start=datetime.date(2014, 10, 1),
        end=datetime.date(2014, 12, 31),
        state="in_review",
        submitted_by=two_hoods["admin"],
    )

    notify(today=datetime.date(2015, 1, 5))
    notify(today=datetime.date(2015, 1, 6))

    (mail,) = smtp_server.to(manager.email)
    assert "2014-Q4" in mail["Subject"] and "approval" in mail["Subject"]

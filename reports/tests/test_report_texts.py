"""A narrative or a reason for reopening with a NUL byte (which PostgreSQL cannot store) is
refused with a message, not a 500, and nothing of the period changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Target
from progress.models import PeriodNarrative, PeriodState, ReportingPeriod

from .test_reports import demo, demo_data, in_english  # noqa: F401 - the module's fixtures

pytestmark = pytest.mark.django_db


def test_a_narrative_with_a_nul_byte_is_refused_with_a_message(client, demo):  # noqa: F811
    project, manager, _other = demo
    target = Target.objects.filter(project=project).first()
    client.force_login(manager)
    url = reverse("reports:narrative", args=[project.pk, "2015-Q2", target.pk])
    before = list(PeriodNarrative.objects.values_list("pk", "text"))

    response = client.post(url, {"text": "Douze apprentis\x00 ont commencé."}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]], "a message says why"
    assert list(PeriodNarrative.objects.values_list("pk", "text")) == before


def test_a_reason_with_a_nul_byte_is_refused_with_a_message(client, demo):  # noqa: F811
    project, manager, other = demo
    url = reverse("reports:transition", args=[project.pk, "2015-Q4"])
    client.force_login(manager)
    client.post(url, {"to_state": "in_review"})
    client.force_login(other)
    client.post(url, {"to_state": "approved"})
    assert ReportingPeriod.objects.get(project=project, code="2015-Q4").state == PeriodState.APPROVED

    response = client.post(url, {"to_state": "open", "reason": "Chiffres\x00 faux"}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]], "a message says why"
    assert ReportingPeriod.objects.get(project=project, code="2015-Q4").state == PeriodState.APPROVED

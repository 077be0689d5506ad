"""Reporting reminders to ILO managers: 7 days before a reporting period ends, and when a period
report waits for their approval. They read `progress.ReportingPeriod` and its `PeriodEvent`s
(the reporting cycle, built alongside); while those models are not installed, nothing is due.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse

from .tokens import absolute

#: A period ending within this many days is worth a reminder (once per period and manager).
REMINDER_DAYS = 7
OPEN, IN_REVIEW = "open", "in_review"


def _models():
    """(ReportingPeriod, PeriodEvent), or None until the reporting cycle's models are installed."""
    try:
        return apps.get_model("progress", "ReportingPeriod"), apps.get_model("progress", "PeriodEvent")
    except LookupError:
        return None


def reporting_reminders_due(today: datetime.date, managers) -> list[tuple[object, str, str]]:
    """(manager, kind, key) of each reporting mail due `today`: "reporting_reminder" keyed
    "period-<id>" once an open period ends within REMINDER_DAYS days, and "report_approval" keyed
    "report-<id>-<event>" when a period was submitted for approval (each submission once)."""
    models = _models()
    if models is None:
        return []
    Period, _Event = models
    ending = list(
        Period.objects.filter(
            state=OPEN, end__gte=today, end__lte=today + datetime.timedelta(days=REMINDER_DAYS)
        )
        .order_by("end", "pk")
        .values_list("pk", flat=True)
    )
    waiting = list(
        Period.objects.filter(state=IN_REVIEW)
        .annotate(submitted=Max("events__pk", filter=Q(events__to_state=IN_REVIEW)))
        .order_by("end", "pk")
        .values_list("pk", "submitted", "submitted_by_id")
    )
    due = []
    for manager in managers:
        due += [(manager, "reporting_reminder", f"period-{pk}") for pk in ending]
        due += [
            (manager, "report_approval", f"report-{pk}-{event or 0}")
            for pk, event, submitted_by in waiting
            if submitted_by != manager.pk
        ]
    return due


def reporting_context(delivery) -> dict | None:
    """The mail's context for a reporting delivery: its period (code, project code, end), or None
    when it no longer applies (the period closed, or was approved meanwhile)."""
    models = _models()
    if models is None:
        return None
    Period, _Event = models
    pk = int(delivery.key.split("-")[1])
    state = OPEN if delivery.kind == "reporting_reminder" else IN_REVIEW
    period = Period.objects.filter(pk=pk, state=state).select_related("project").first()
    if period is None:
        return None
    try:
        url = absolute(reverse("reports:period", args=[period.project_id, period.code]))
    except NoReverseMatch:
        url = absolute(reverse("dashboard:index"))
    return {"period": period, "project_code": period.project.code, "period_url": url}

"""Writes of the reports: a period's review moved on, and its PDF kept once approved."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from progress.models import PeriodState, ReportingPeriod
from progress.period_services import period_keep_pdf, period_transition

from .pdf import report_pdf


def report_transition(*, period: ReportingPeriod, to_state: str, by, reason: str = "") -> ReportingPeriod:
    """Move a period through its review; on approval, keep the report's PDF as approved."""
    with transaction.atomic():
        period = period_transition(period=period, to_state=to_state, by=by, reason=reason)
        if to_state == PeriodState.APPROVED:
            language = translation.get_language() or "en"
            period_keep_pdf(
                period=period, pdf=report_pdf(period.project, period, language=language), language=language
            )
            period.refresh_from_db()
        return period

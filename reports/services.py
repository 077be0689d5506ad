"""Writes of the reports: a period's review moved on, and its PDF kept once approved.

The approved PDF is built at once for a project of ordinary size; for a large one (more field
records than `REPORTS_PDF_INLINE_RECORDS`) the Celery worker prepares it after the approval
commits, and until it is kept the download builds it from the approved figures (and keeps it).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation

from enterprises.models import Business, Job
from progress.models import PeriodState, ReportingPeriod
from progress.period_services import period_keep_pdf, period_transition
from rehab.models import WorkRecord

from .pdf import report_pdf

logger = logging.getLogger(__name__)


def report_transition(*, period: ReportingPeriod, to_state: str, by, reason: str = "") -> ReportingPeriod:
    """Move a period through its review; on approval, keep the report's PDF as approved."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        period = period_transition(period=period, to_state=to_state, by=by, reason=reason)
        if to_state != PeriodState.APPROVED:
            return period
        if _records_of(period.project_id) <= settings.REPORTS_PDF_INLINE_RECORDS:
            period_keep_pdf(
                period=period, pdf=report_pdf(period.project, period, language=language), language=language
            )
            period.refresh_from_db()
        else:
            transaction.on_commit(lambda: _queue_keep(period.pk, language))
        return period


def approved_pdf_keep(*, period_id: int, language: str) -> bool:
    """Build and keep the PDF of an approved (or locked) period that has none kept yet."""
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().select_related("project").get(pk=period_id)
        if not period.frozen or period.approved_pdf:
            return False
        period_keep_pdf(
            period=period, pdf=report_pdf(period.project, period, language=language), language=language
        )
        return True


def _queue_keep(period_id: int, language: str) -> None:
    from .tasks import keep_approved_pdf  # noqa: PLC0415 - tasks import this module

    try:
        keep_approved_pdf.delay(period_id, language)
    except Exception:  # kombu.OperationalError, redis.ConnectionError, OSError: broker down
        # Not lost: the first download of the approved report builds and keeps it.
        logger.warning("Could not queue the approved PDF of period %s.", period_id, exc_info=True)


def _records_of(project_id: int) -> int:
    """How many field records the project's report counts from (its size, for the PDF's door)."""
    return (
        Business.objects.filter(centre__project_id=project_id).count()
        + Job.objects.filter(business__centre__project_id=project_id).count()
        + WorkRecord.objects.filter(site__project_id=project_id).count()
    )

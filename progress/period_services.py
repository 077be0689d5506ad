"""Writes of the reporting cycle: periods generated when absent, milestones, narratives, and each
period's review (open → in review → approved → locked, re-opened with a reason), with its history.

A manager submits; another manager or an administrator approves (never the submitter); approval
stores the period's figures, which stay as approved until a manager re-opens the period.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Project, Target

from . import arithmetic as progress
from .models import Milestone, PeriodEvent, PeriodFigure, PeriodNarrative, PeriodState, ReportingPeriod
from .period_selectors import period_rows

#: The permission of those who write narratives and move a period through its review.
REVIEW_PERMISSION = "programs.review_field_records"

#: state → the states a period may move to from it.
TRANSITIONS = {
    PeriodState.OPEN: {PeriodState.IN_REVIEW},
    PeriodState.IN_REVIEW: {PeriodState.APPROVED, PeriodState.OPEN},
    PeriodState.APPROVED: {PeriodState.LOCKED, PeriodState.OPEN},
    PeriodState.LOCKED: {PeriodState.OPEN},
}


def reporting_periods_ensure(*, project_ids: list[int] | None = None) -> int:
    """Give each project without reporting periods its calendar quarters, from its start to its end
    (idempotent). Returns the number of periods created."""
    projects = Project.objects.filter(reporting_periods__isnull=True)
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    periods = [
        ReportingPeriod(project_id=pk, code=span.code, start=span.start, end=span.end)
        for pk, start, end in projects.values_list("pk", "start_date", "end_date")
        for span in progress.quarters(start, end)
    ]
    ReportingPeriod.objects.bulk_create(periods, ignore_conflicts=True)
    return len(periods)


def _check_may_review(by) -> None:
    if not by.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(_("Only ILO managers and administrators write and review reports."))


def milestone_set(*, target: Target, period: ReportingPeriod, value: Decimal | None, by) -> Milestone | None:
    """Set (or remove, with None) the cumulative value a target expects by a period's end."""
    _check_may_review(by)
    with transaction.atomic():
        if value is None:
            Milestone.objects.filter(target=target, period=period).delete()
            return None
        milestone, _created = Milestone.objects.get_or_create(
            target=target, period=period, defaults={"value": value}
        )
        milestone.value = value
        milestone.full_clean()
        milestone.save()
        return milestone


def narrative_save(*, period: ReportingPeriod, target: Target, text: str, by) -> PeriodNarrative:
    """A manager's narrative of a target in a period, written while the period is open."""
    _check_may_review(by)
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.state != PeriodState.OPEN:
            raise ValidationError(_("The period is no longer open: re-open it to change its narratives."))
        if target.project_id != period.project_id:
            raise ValidationError(_("The target is not one of the period's project."))
        narrative = PeriodNarrative.objects.filter(period=period, target=target).first()
        narrative = narrative or PeriodNarrative(period=period, target=target)
        narrative.text, narrative.updated_by = text.strip(), by
        narrative.full_clean()
        narrative.save()
        return narrative


def period_transition(*, period: ReportingPeriod, to_state: str, by, reason: str = "") -> ReportingPeriod:
    """Move a period through its review, and write the transition in its history.

    Approving stores the period's figures (kept as approved); re-opening needs a reason and
    drops them, so the period shows the live figures again.
    """
    _check_may_review(by)
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().select_related("project").get(pk=period.pk)
        from_state = period.state
        if to_state not in TRANSITIONS[PeriodState(from_state)]:
            raise ValidationError(
                _("A period cannot go from %(from)s to %(to)s.")
                % {"from": PeriodState(from_state).label, "to": PeriodState(to_state).label}
            )
        event = PeriodEvent(
            period=period, from_state=from_state, to_state=to_state, by=by, reason=reason.strip()
        )
        event.full_clean(exclude=["at"])  # the reason's rules (no NUL) before anything changes
        reason, now = event.reason, timezone.now()
        if to_state == PeriodState.IN_REVIEW:
            period.submitted_by = by
        elif to_state == PeriodState.APPROVED:
            if period.submitted_by_id == by.pk:
                raise PermissionDenied(_("Another manager or an administrator approves: not the submitter."))
            period.approved_by, period.approved_at = by, now
            _store_figures(period, now)
        elif to_state == PeriodState.OPEN:
            if not reason:
                raise ValidationError({"reason": _("Give the reason for re-opening the period.")})
            PeriodFigure.objects.filter(period=period).delete()
            period.submitted_by = period.approved_by = period.approved_at = None
            period.approved_pdf, period.approved_pdf_language = None, ""
        period.state = to_state
        period.save()
        event.save()
        return period


def _store_figures(period: ReportingPeriod, moment) -> None:
    PeriodFigure.objects.filter(period=period).delete()
    PeriodFigure.objects.bulk_create(
        PeriodFigure(
            period=period,
            target=table.target,
            actual_in_period=row.live_in_period,
            actual_cumulative=row.live_cumulative,
            breakdown=row.live_breakdown,
            approved_at=moment,
        )
        for table, row in period_rows(period.project, period)
    )


def period_keep_pdf(*, period: ReportingPeriod, pdf: bytes, language: str) -> None:
    """Keep the PDF of an approved period's report, served as the approved report."""
    if not period.frozen:
        raise ValidationError(_("Only an approved period's report is kept."))
    ReportingPeriod.objects.filter(pk=period.pk).update(approved_pdf=pdf, approved_pdf_language=language)

"""Report pages: the periods of each project, a period's report (page, PDF, XLSX), its narratives
and review, and the records behind each data-quality check. Views parse, call, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from programs.models import Project, Target
from progress.models import PeriodState, ReportingPeriod
from progress.period_selectors import QUALITY_CHECKS, periods_by_project, quality_records
from progress.period_services import REVIEW_PERMISSION, narrative_save, reporting_periods_ensure

from .documents import QUALITY_LABELS, period_report
from .pdf import served_pdf
from .services import approved_pdf_keep, report_transition
from .spreadsheets import report_xlsx

#: Reports are project-wide: those who see every neighbourhood read them.
READ_PERMISSION = "programs.see_all_neighbourhoods"


def reports_view(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(READ_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _period(project_pk: int, code: str) -> tuple[Project, ReportingPeriod]:
    project = get_object_or_404(Project, pk=project_pk)
    reporting_periods_ensure(project_ids=[project.pk])
    return project, get_object_or_404(ReportingPeriod, project=project, code=code)


@reports_view
@require_GET
def index(request):
    projects = Project.objects.order_by("start_date", "title")
    reporting_periods_ensure(project_ids=list(projects.values_list("pk", flat=True)))
    by_project = periods_by_project(projects)
    rows = [(project, by_project.get(project.pk, [])) for project in projects]
    return render(request, "reports/index.html", {"rows": rows})


@reports_view
@require_GET
def period_detail(request, project_pk: int, code: str):
    project, period = _period(project_pk, code)
    report = period_report(project, period)
    may_review = request.user.has_perm(REVIEW_PERMISSION)
    context = {
        "report": report,
        "may_review": may_review,
        "may_edit": may_review and period.state == PeriodState.OPEN,
        "may_approve": may_review
        and period.state == PeriodState.IN_REVIEW
        and period.submitted_by_id != request.user.pk,
        "states": PeriodState,
    }
    return render(request, "reports/period.html", context)


@reports_view
@require_GET
def period_pdf(request, project_pk: int, code: str):
    project, period = _period(project_pk, code)
    if period.frozen and not period.approved_pdf:
        # Approved, its PDF not kept yet (the worker's still on it, or the broker was down).
        approved_pdf_keep(period_id=period.pk, language=translation.get_language())
        period.refresh_from_db()
    pdf, approved = served_pdf(project, period)
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-approved" if approved else ""
    response["Content-Disposition"] = f'inline; filename="report-{project.code}-{period.code}{suffix}.pdf"'
    response["X-Report-Approved"] = "1" if approved else "0"
    return response


@reports_view
@require_GET
def period_xlsx(request, project_pk: int, code: str):
    project, period = _period(project_pk, code)
    response = HttpResponse(
        report_xlsx(period_report(project, period)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="report-{project.code}-{period.code}.xlsx"'
    return response


@reports_view
@require_POST
def period_transition(request, project_pk: int, code: str):
    project, period = _period(project_pk, code)
    to_state = request.POST.get("to_state", "")
    if to_state not in PeriodState.values:
        raise Http404
    try:
        report_transition(
            period=period, to_state=to_state, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reports:period", project_pk=project.pk, code=period.code)


@reports_view
@require_POST
def period_narrative(request, project_pk: int, code: str, target_pk: int):
    project, period = _period(project_pk, code)
    target = get_object_or_404(Target, pk=target_pk, project=project)
    try:
        narrative_save(period=period, target=target, text=request.POST.get("text", ""), by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reports:period", project_pk=project.pk, code=period.code)


@reports_view
@require_GET
def period_quality(request, project_pk: int, code: str, check: str):
    if check not in QUALITY_CHECKS:
        raise Http404
    project, period = _period(project_pk, code)
    records = [record for records in quality_records(period, check) for record in records]
    return render(
        request,
        "reports/quality.html",
        {"project": project, "period": period, "label": QUALITY_LABELS[check], "records": records},
    )

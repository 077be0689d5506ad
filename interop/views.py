"""Interop over HTTP: the IATI activity file (public) and the CSV export of jobs (signed in)."""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from programs.access import may_view_personal_data
from programs.models import AccessAudit
from programs.services import audit_access

from . import exports, iati, services


@require_GET
def iati_activities(request):
    """`/iati/activities.xml`: aggregate figures only (targets and actuals), no personal data.
    Streamed a chunk of projects at a time: the worker never holds the whole file."""
    response = StreamingHttpResponse(iati.stream_activities(), content_type="application/xml")
    response["Cache-Control"] = "public, max-age=300"
    return response


def job_export_view(view):
    """Signed-in users who see jobs: anonymous users go to the login page, others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not exports.may_export_jobs(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _personal_note(user) -> str:
    return " (with personal data)" if may_view_personal_data(user) else ""


@require_GET
@job_export_view
def job_export(request):
    """`/export/jobs.csv`: every job the user may see, streamed as it is read (see `exports`)."""
    what = "jobs.csv" + _personal_note(request.user)
    audit_access(user=request.user, action=AccessAudit.Action.EXPORT, what=what, path=request.path)
    response = StreamingHttpResponse(exports.stream_jobs_csv(request.user), content_type=exports.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.jobs_filename()}"'
    response["Cache-Control"] = "private, no-store"  # it may hold personal data
    return response


@require_http_methods(["GET", "POST"])
@job_export_view
def job_export_request(request):
    """`/export/jobs/`: the two ways to the file; a POST has it prepared in the background."""
    if request.method == "POST":
        token = services.job_export_request(
            user=request.user, language=translation.get_language(), path=request.path
        )
        return redirect("interop:job-export-file", token=token)
    return render(request, "interop/job_export.html", {"state": None})


@require_GET
@job_export_view
def job_export_file(request, token: str):
    """`/export/jobs/<token>/`: the prepared file once ready, until then a page that says so.
    Only the user who asked for it reaches it: the token is looked up in their own folder."""
    state = exports.export_state(request.user.pk, token)
    if state is None:
        raise Http404
    if state != exports.ExportState.READY:
        return render(request, "interop/job_export.html", {"state": state, "token": token})
    path = exports.export_path(request.user.pk, token)
    what = f"jobs.csv {token} downloaded" + _personal_note(request.user)
    audit_access(user=request.user, action=AccessAudit.Action.EXPORT, what=what, path=request.path)
    made = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"jobs-{timezone.localtime(made):%Y-%m-%d}.csv",
        content_type=exports.CSV_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response

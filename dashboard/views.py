"""Dashboard pages: targets at a glance, drill-down lists, traceability, exports.

Views parse the request, call a selector and render; reads and permission scoping live in
`dashboard.scope`, `dashboard.selectors` (the board), `dashboard.figures` (drill-down lists) and
`dashboard.traces`, all through `programs.access`.
"""

from __future__ import annotations

import threading
import time
from functools import cache, wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from beneficiaries.models import Beneficiary
from programs.access import may_view_personal_data
from programs.models import AccessAudit, Project
from programs.services import audit_access
from rehab.models import RehabSite

from . import boards, exports, figures, selectors, traces
from .filters import FILTERS
from .scope import dashboard_scope, may_open_dashboard, project_for

PAGE_SIZE = 50


def dashboard_view(view):
    """Logged-in users with a role only: anonymous users go to the login page, others get 403."""

    @login_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_open_dashboard(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@dashboard_view
def index(request):
    scope = dashboard_scope(request.user)
    page = boards.page_number(request.GET.get("page"))

    def render_board() -> str:
        # Without the request: nothing of one user may be cached for another (dashboard/boards.py).
        dashboard = selectors.dashboard_for(request.user, page=page, scope=scope)
        return boards.compact(
            render_to_string("dashboard/_board.html", {"dashboard": dashboard, "scope": scope})
        )

    board = mark_safe(boards.cached_board(scope, page, render_board))  # noqa: S308 - our own autoescaped rendering
    return render(request, "dashboard/index.html", {"board": board, "page": page, "scope": scope})


@dashboard_view
def live(request):
    """What changed on an open dashboard page: the projects of the page with a snapshot newer
    than `figures` (the newest one the page shows), each rendered as on the board, once there is
    one, after waiting up to DASHBOARD_LIVE_SECONDS; 204 when none came (the page asks again).

    The managers who watch targets see a verify counted without reloading, and the wait costs a
    thread and one small query every DASHBOARD_LIVE_CHECK_SECONDS, not a page a second. At most
    DASHBOARD_LIVE_WAITING pages wait in one process; the others are answered at once (204 with
    Retry-After when nothing changed), so open dashboards never take the threads the field needs."""
    try:
        seen = int(request.GET.get("figures", ""))
    except ValueError:
        return JsonResponse(
            {"figures": [_("Give the newest snapshot the page shows, a number.")]}, status=400
        )
    scope = dashboard_scope(request.user)
    page = boards.page_number(request.GET.get("page"))
    target_ids = selectors.page_targets(request.user, scope, page)
    request.session_untouched = True  # an open page is not activity (accounts/sessions.py)
    places = waiting_places(settings.DASHBOARD_LIVE_WAITING)
    if places.acquire(blocking=False):
        try:
            changed = _changed_within(target_ids, seen, settings.DASHBOARD_LIVE_SECONDS)
        finally:
            places.release()
    else:  # every place taken: what changed already, or ask again later, without a thread held
        changed = selectors.projects_changed_since(target_ids, seen)
        if not changed:
            response = HttpResponse(status=204)
            response["Retry-After"] = str(round(settings.DASHBOARD_LIVE_SECONDS))
            return response
    if not changed:
        return HttpResponse(status=204)
    dashboard = selectors.dashboard_for(request.user, scope=scope, only=changed)
    projects = {
        str(board.project.pk): boards.compact(
            render_to_string("dashboard/_project.html", {"board": board, "scope": scope})
        )
        for partnership in dashboard.partnerships
        for board in partnership.projects
    }
    return JsonResponse({"figures": max(dashboard.figures_seen, *changed.values()), "projects": projects})


@cache
def waiting_places(count: int) -> threading.BoundedSemaphore:
    """The places of this process for open dashboards waiting for a change (DASHBOARD_LIVE_WAITING)."""
    return threading.BoundedSemaphore(count)


def _changed_within(target_ids, seen: int, seconds: float) -> dict:
    """The projects of `target_ids` with a snapshot newer than `seen`, once there is one within
    `seconds`; empty when none came."""
    deadline = time.monotonic() + seconds
    while not (changed := selectors.projects_changed_since(target_ids, seen)):
        if time.monotonic() >= deadline:
            return {}
        time.sleep(settings.DASHBOARD_LIVE_CHECK_SECONDS)
    return changed


@dashboard_view
def dashboard_export(request, fmt: str):
    dataset = exports.dashboard_dataset(selectors.dashboard_for(request.user, per_page=None))
    audit_access(
        user=request.user, action=AccessAudit.Action.EXPORT, what=f"dashboard.{fmt}", path=request.path
    )
    return exports.file_response(dataset, fmt, f"dashboard-{timezone.localdate():%Y-%m-%d}")


def _figure_records(request, project_pk: int, figure_key: str):
    figure = figures.FIGURES.get(figure_key)
    if figure is None:
        raise Http404
    try:
        project = project_for(request.user, project_pk)
    except Project.DoesNotExist as missing:
        raise Http404 from missing
    records = figures.figure_records(figure, project, request.user)
    filterset = FILTERS[figure.key](request.GET or None, queryset=records, request=request, project=project)
    return figure, project, filterset


@dashboard_view
def figure_list(request, project_pk: int, figure: str):
    figure, project, filterset = _figure_records(request, project_pk, figure)
    records = filterset.qs
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = exports.columns_for(figure, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/figure_list.html",
        {
            "figure": figure,
            "project": project,
            "filter": filterset,
            "page": page,
            "count": page.paginator.count,
            "total": figures.figure_total(figure, records) if figure.sum_field else None,
            "columns": columns,
            "rows": exports.rows_for(figure, page.object_list, columns),
            "query": query.urlencode(),
            "personal": may_view_personal_data(request.user),
        },
    )


@dashboard_view
def figure_export(request, project_pk: int, figure: str, fmt: str):
    figure, project, filterset = _figure_records(request, project_pk, figure)
    dataset = exports.figure_dataset(figure, filterset.qs, request.user)
    audit_access(
        user=request.user,
        action=AccessAudit.Action.EXPORT,
        what=f"{project.code} {figure.key}.{fmt} ({dataset.height} rows)",
        path=request.get_full_path(),
    )
    return exports.file_response(dataset, fmt, f"{project.code}-{figure.key}-{timezone.localdate():%Y-%m-%d}")


@dashboard_view
def site_trace(request, pk: int):
    try:
        trace = traces.site_trace(pk, request.user)
    except RehabSite.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "dashboard/site.html", {"trace": trace, "site": trace.site})


@dashboard_view
def beneficiary_path(request, pk: int):
    try:
        path = traces.beneficiary_path(pk, request.user)
    except Beneficiary.DoesNotExist as missing:
        raise Http404 from missing
    personal = may_view_personal_data(request.user)
    if personal:
        audit_access(
            user=request.user,
            action=AccessAudit.Action.VIEW_PERSONAL_DATA,
            what=f"beneficiary {path.beneficiary.code}",
            path=request.path,
        )
    return render(
        request,
        "dashboard/beneficiary.html",
        {"path": path, "person": path.beneficiary, "personal": personal},
    )

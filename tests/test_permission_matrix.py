"""Every URL of the project × every role × own / other neighbourhood.

Each named URL pattern has an entry in MATRIX (admin patterns are derived from each model's
permissions); a new URL without an entry makes `test_every_url_pattern_has_an_entry` fail.
Every page a Bel Air field staff member can open is also searched for the marker carried by
each Fort National record: no other neighbourhood's row may appear anywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from notifications.tokens import unsubscribe_token
from programs.models import Target
from programs.tests.factories import TargetFactory
from progress.services import progress_recompute
from tests.worlds import BEL_AIR, FORT_NATIONAL, two_neighbourhoods

pytestmark = pytest.mark.django_db

MARK = "FNMARK"  # in every Fort National record's text
ROLES = ("anonymous", "staff", "manager", "administrator")
#: One more role: an ILO manager signed in with the password, without the second step (managers
#: and administrators above are signed in with a verified second factor: the root conftest).
UNVERIFIED = "unverified"
#: Where a session waiting for its second factor still goes; elsewhere pages redirect it to the
#: verification (302) and the API answers a JSON 403.
UNVERIFIED_OPEN = {
    "login": (200,),
    "logout": (405,),
    "set_language": (204, 302),
    "javascript-catalog": (200,),
    "accounts:second-factor": (302,),  # enrolled: to the verification
    "accounts:second-factor-verify": (200,),
}


def unverified_expectation(name: str, url: str) -> tuple[int, ...]:
    if name in UNVERIFIED_OPEN:
        return UNVERIFIED_OPEN[name]
    return (403,) if url.startswith("/api/") else (302,)


VERIFIED_AT = datetime.datetime(2014, 9, 1, tzinfo=datetime.UTC)


def all_url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                )
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or f"<unnamed {pattern.pattern}>")

    return set(walk(get_resolver().url_patterns))


@dataclass
class Case:
    """A URL to request, and the status each role gets (a tuple: any of those)."""

    args: object = None  # callable(world, own) -> list of args, or None
    expect: dict[str, tuple[int, ...]] = field(default_factory=dict)
    method: str = "get"
    own_and_other: bool = False  # staff also try the other neighbourhood's object: 404 expected
    data: dict = field(default_factory=dict)


def everyone(*status):
    return dict.fromkeys(ROLES, status)


def logged_in(*status, anonymous=(302,)):
    return {"anonymous": anonymous, "staff": status, "manager": status, "administrator": status}


def by_role(anonymous, staff, manager, administrator):
    return {"anonymous": anonymous, "staff": staff, "manager": manager, "administrator": administrator}


API_ANON = (401, 403)
NOT_ALLOWED = (405,)
KIND_OBJECTS = {
    "sessions": "session",
    "businesses": "business",
    "jobs": "job",
    "services": "service",
    "work": "work",
}
API_OBJECTS = {
    "partnership": "partnership",
    "project": "project",
    "target": "target",
    "neighbourhood": "neighbourhood",
    "forum": "forum",
    "centre": "centre",
    "beneficiary": "beneficiary",
    "rehab-site": "site",
    "forum-session": "session",
    "business": "business",
    "job": "job",
    "esc-service": "service",
    "work-record": "work",
}
SCOPED_API = {
    "neighbourhood",
    "forum",
    "centre",
    "beneficiary",
    "rehab-site",
    "forum-session",
    "business",
    "job",
    "esc-service",
    "work-record",
}


def staff_notification(world):
    """A notification of the Bel Air staff member: their work record, returned."""
    from notifications.models import Notification
    from programs.models import ReviewEvent

    work = world["own"].work
    content_type = ContentType.objects.get_for_model(work)
    event = ReviewEvent.objects.create(
        content_type=content_type,
        object_id=work.pk,
        from_state="submitted",
        to_state="returned",
        by=world["users"]["manager"],
        comment="Check the area.",
    )
    return Notification.objects.create(
        user=world["users"]["staff"],
        kind="returned",
        content_type=content_type,
        object_id=work.pk,
        event=event,
        url=f"/field/work/{work.pk}/",
    )


def obj(world, own, name):
    """The own or the other neighbourhood's record `name`, or what both share (the target)."""
    hood = world["own" if own else "other"]
    return getattr(hood, name) if hasattr(hood, name) else world[name]


REPORT_READ = by_role((302,), (403,), (200,), (200,))
REPORT_POST = by_role((302,), (403,), (405,), (405,))


def _period_args(world) -> list:
    """The world's project and its first reporting period (generated by the recompute)."""
    return [world["project"].pk, world["project"].reporting_periods.order_by("end").first().code]


MATRIX: dict[str, Case] = {
    "home": Case(expect=everyone(200)),
    "login": Case(expect=everyone(200)),
    "logout": Case(expect=everyone(405)),
    "password_change": Case(expect=logged_in(200)),
    "password_change_done": Case(expect=logged_in(200)),
    "set_language": Case(expect=everyone(204, 302)),
    "field:home": Case(expect=logged_in(200)),
    "field:review": Case(expect=by_role((302,), (403,), (200,), (200,))),
    "field:beneficiary-search": Case(expect=logged_in(200)),
    "field:list": Case(args=lambda w, own: ["work"], expect=logged_in(200)),
    "field:create": Case(args=lambda w, own: ["work"], expect=by_role((302,), (200,), (403,), (403,))),
    "field:detail": Case(
        args=lambda w, own: ["jobs", obj(w, own, "job").pk], expect=logged_in(200), own_and_other=True
    ),
    "field:edit": Case(
        args=lambda w, own: ["work", obj(w, own, "draft_work").pk],
        expect=by_role((302,), (200,), (403,), (403,)),
        own_and_other=True,
    ),
    "field:submit": Case(
        args=lambda w, own: ["work", obj(w, own, "draft_work").pk], expect=logged_in(*NOT_ALLOWED)
    ),
    "field:review-decide": Case(
        args=lambda w, own: ["work", obj(w, own, "work").pk], expect=logged_in(*NOT_ALLOWED)
    ),
    # The offline app: its worker and manifest hold no data; the lists and the CSRF token are the
    # signed-in person's (field staff's lists only), JSON 401 without a session.
    "field:service-worker": Case(expect=everyone(200)),
    "field:manifest": Case(expect=everyone(200)),
    "field:offline-data": Case(expect=by_role((401,), (200,), (403,), (403,))),
    "field:offline-csrf": Case(expect=logged_in(200, anonymous=(401,))),
    "javascript-catalog": Case(expect=everyone(200)),
    "field:work-photo": Case(
        args=lambda w, own: [obj(w, own, "work").pk], expect=logged_in(404), own_and_other=True
    ),
    "dashboard:index": Case(expect=logged_in(200)),
    # An open page's figures after snapshot 0: the projects of its page, each in the user's scope.
    "dashboard:live": Case(data={"figures": "0", "page": "1"}, expect=logged_in(200)),
    "dashboard:export": Case(args=lambda w, own: ["csv"], expect=logged_in(200)),
    "dashboard:figure": Case(args=lambda w, own: [w["project"].pk, "businesses"], expect=logged_in(200)),
    "dashboard:figure-export": Case(
        args=lambda w, own: [w["project"].pk, "youth_jobs", "xlsx"], expect=logged_in(200)
    ),
    "dashboard:site": Case(
        args=lambda w, own: [obj(w, own, "site").pk], expect=logged_in(200), own_and_other=True
    ),
    "dashboard:beneficiary": Case(
        args=lambda w, own: [obj(w, own, "beneficiary").pk], expect=logged_in(200), own_and_other=True
    ),
    # Password reset: the same pages for everyone; a link that is not valid says so (200).
    "password_reset": Case(expect=everyone(200)),
    "password_reset_done": Case(expect=everyone(200)),
    "password_reset_confirm": Case(args=lambda w, own: ["MQ", "no-such-token"], expect=everyone(200)),
    "password_reset_complete": Case(expect=everyone(200)),
    # Notifications: one's own only. The Bel Air staff member's notification opens for them (a
    # redirect to the record), 404 for anyone else; the signed unsubscribe link needs no login.
    "notifications:list": Case(expect=logged_in(200)),
    "notifications:open": Case(
        args=lambda w, own: [staff_notification(w).pk], expect=by_role((302,), (302,), (404,), (404,))
    ),
    "notifications:read-all": Case(expect=logged_in(*NOT_ALLOWED)),
    "notifications:preferences": Case(expect=logged_in(200)),
    "notifications:unsubscribe": Case(
        args=lambda w, own: [unsubscribe_token(user=w["users"]["staff"], kind="drafts_reminder")],
        expect=everyone(200),
    ),
    # The second factor: enrolment (field staff may choose it; enrolled and verified: new recovery
    # codes), verification (already verified: on to the next page); the administrators' access
    # review and their reset of someone's second factor (POST only).
    "accounts:second-factor": Case(expect=logged_in(200)),
    "accounts:second-factor-verify": Case(expect=logged_in(302)),
    "accounts:access-review": Case(expect=by_role((302,), (403,), (403,), (200,))),
    "accounts:second-factor-reset": Case(
        args=lambda w, own: [w["users"]["staff"].pk], expect=everyone(*NOT_ALLOWED)
    ),
    "interop:iati-activities": Case(expect=everyone(200)),
    "interop:job-export": Case(expect=logged_in(200)),
    "interop:job-export-request": Case(expect=logged_in(200)),
    "interop:job-export-file": Case(args=lambda w, own: ["no-such-export"], expect=logged_in(404)),
    "interop:target-history": Case(
        args=lambda w, own: [w["target"].pk], expect=logged_in(200, anonymous=API_ANON)
    ),
    "interop:api-token": Case(expect=everyone(*NOT_ALLOWED)),
    # The API's description is public: it holds no data.
    "interop:api-schema": Case(expect=everyone(200)),
    "interop:api-docs": Case(expect=everyone(200)),
    "interop:api-root": Case(expect=everyone(301, 302)),
    "interop:api-not-found": Case(args=lambda w, own: ["nothing-here"], expect=everyone(404)),
    # Reports are project-wide: managers and administrators read them, field staff do not; the
    # review's writes are POST only.
    "reports:index": Case(expect=REPORT_READ),
    "reports:period": Case(args=lambda w, own: _period_args(w), expect=REPORT_READ),
    "reports:pdf": Case(args=lambda w, own: _period_args(w), expect=REPORT_READ),
    "reports:xlsx": Case(args=lambda w, own: _period_args(w), expect=REPORT_READ),
    "reports:transition": Case(args=lambda w, own: _period_args(w), expect=REPORT_POST),
    "reports:narrative": Case(args=lambda w, own: [*_period_args(w), w["target"].pk], expect=REPORT_POST),
    "reports:quality": Case(args=lambda w, own: [*_period_args(w), "waiting"], expect=REPORT_READ),
}
for _name, _attr in API_OBJECTS.items():
    MATRIX[f"interop:{_name}-list"] = Case(expect=logged_in(200, anonymous=API_ANON))
    MATRIX[f"interop:{_name}-detail"] = Case(
        args=lambda w, own, a=_attr: [obj(w, own, a).pk],
        expect=logged_in(200, anonymous=API_ANON),
        own_and_other=_name in SCOPED_API,
    )
for _name, _attr in [
    ("forum-session", "session"),
    ("business", "business"),
    ("job", "job"),
    ("esc-service", "service"),
    ("work-record", "work"),
]:
    # POST only; field staff may not review at all, managers and administrators may not submit.
    MATRIX[f"interop:{_name}-review"] = Case(
        args=lambda w, own, a=_attr: [obj(w, own, a).pk],
        expect=by_role(API_ANON, (403,), NOT_ALLOWED, NOT_ALLOWED),
    )
    MATRIX[f"interop:{_name}-submit"] = Case(
        args=lambda w, own, a=_attr: [obj(w, own, a).pk],
        expect=by_role(API_ANON, NOT_ALLOWED, (403, 405), (403, 405)),
    )


@pytest.fixture
def world():
    hoods = two_neighbourhoods(
        marks={BEL_AIR: "BA", FORT_NATIONAL: MARK},
        verified_at=VERIFIED_AT,
        work_area=Decimal("50"),
        more_records=True,
        manager="matrix-manager",
        admin="matrix-admin",
    )
    project = hoods["project"]
    target = TargetFactory(project=project, indicator=Target.Indicator.YOUTH_JOBS, value=Decimal("114"))
    progress_recompute(project_ids=[project.pk])
    return {
        "own": hoods[BEL_AIR],
        "other": hoods[FORT_NATIONAL],
        "project": project,
        "partnership": project.partnership,
        "target": target,
        "users": {
            "anonymous": None,
            "staff": hoods[BEL_AIR].staff,
            "manager": hoods["manager"],
            "administrator": hoods["admin"],
            UNVERIFIED: unverified_manager(),
        },
    }


def unverified_manager():
    """An ILO manager with an authenticator, signed in with the password only (`Client.login`)."""
    from accounts.testing import second_factor_device
    from conftest import make_user
    from programs import roles

    user = make_user("matrix-unverified", roles.ILO_MANAGERS, is_staff=True)
    second_factor_device(user)
    return user


def client_for(user, role: str = "") -> Client:
    client = Client(raise_request_exception=False)
    if role == UNVERIFIED:
        assert client.login(username=user.username, password=f"pw-{user.username}")
    elif user is not None:
        client.force_login(user)
    return client


def admin_cases() -> dict[str, object]:
    """Admin URL names, each with a function of (user, world) giving the expected statuses."""
    names = {}
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.urls:
            if pattern.name:
                names[f"admin:{pattern.name}"] = (model, model_admin)
    return names


def test_every_url_pattern_has_an_entry():
    known = set(MATRIX) | set(admin_cases()) | ADMIN_SITE_NAMES
    missing = sorted(all_url_names() - known)
    assert missing == [], f"URLs without an entry in the permission matrix: {missing}"


ADMIN_SITE_NAMES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
    # The admin's own redirects: an object's old URL, and the catch-all to the login page.
    "admin:<unnamed <path:object_id>/>",
    "admin:<unnamed (?P<url>.*)$>",
}


def resolve_args(case: Case, world, own: bool):
    return case.args(world, own) if case.args else []


def test_each_role_gets_the_expected_status_on_every_url(world):
    """One world for all URLs (building it per URL took minutes); every mismatch is listed."""
    clients = {role: client_for(world["users"][role], role) for role in (*ROLES, UNVERIFIED)}
    problems = []
    for name, case in sorted(MATRIX.items()):
        url = reverse(name, args=resolve_args(case, world, own=True))
        for role in (*ROLES, UNVERIFIED):
            response = getattr(clients[role], case.method)(url, case.data)
            expected = case.expect.get(role) or unverified_expectation(name, url)
            if response.status_code not in expected:
                problems.append((name, role, url, response.status_code, expected))
            if role == "staff" and response.status_code == 200:
                body = b"".join(response.streaming_content) if response.streaming else response.content
                if MARK.encode() in body:
                    problems.append((name, role, url, "shows a row of another neighbourhood"))
        if case.own_and_other:
            other = reverse(name, args=resolve_args(case, world, own=False))
            status = getattr(clients["staff"], case.method)(other, case.data).status_code
            if status != 404:
                problems.append((name, "staff", other, status, "expected 404 for another neighbourhood"))
    assert problems == []


@pytest.mark.parametrize("role", ["anonymous", "staff", "manager", "administrator", UNVERIFIED])
def test_admin_pages_follow_each_models_permissions(world, role):
    user = world["users"][role]
    client = client_for(user, role)
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        status = client.get(url).status_code
        if user is None or not user.is_staff or role == UNVERIFIED:
            assert status == 302, (role, url, status)
            continue
        allowed = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )
        assert status == (200 if allowed else 403), (role, url, status)

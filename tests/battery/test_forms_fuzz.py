"""Generated hostile input at every field form (issue 14): `/field/<kind>/new/` of the five kinds,
and the edit form of a Bel Air record (in each review state) and of a Fort National one.

Each example posts, as Bel Air's field staff, the form's fields valid but for a drawn set that are
hostile (huge, negative or non-ASCII numbers, NaN, 10,000 characters, NUL and control characters,
impossible dates, the other neighbourhood's ids and codes, several values, files) or left out,
sometimes a field the form does not have, the session's formset of priorities likewise; as
multipart (the browser's way) or urlencoded. For each:

- never a server error;
- saved: a redirect with a message, and only Bel Air rows written, never as verified;
- refused (the page again): every error the form holds is said on the page, and not one row is
  written (every row of the record tables, form submissions, priorities, selections, review
  events, people and tokens compared); a 4xx likewise writes nothing;
- nothing of Fort National in the answer (its marker FNMARK and its people's codes) but what the
  request itself carried.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.battery.hostile import (
    OMIT,
    Spec,
    battery,
    build_world,
    check_no_leak,
    check_refusal,
    check_scope,
    diff,
    flash_messages,
    form_bodies,
    form_errors_said,
    form_sent,
    hostile_string,
    priorities_formset,
    quiet_logs,
    record_specs,
    report_tallies,
    rolled_back,
    send,
    set_state,
    snapshot,
    tally,
    urlencoded,
)

pytestmark = [
    pytest.mark.django_db,
    # A failure's report shows strategies holding 10,000-character values: long, and expected.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

KINDS = ["sessions", "businesses", "jobs", "services", "work"]
#: Examples per kind: a few hundred form posts for the five kinds, bounded for `make test`.
EXAMPLES = 45
STATES = ["draft", "submitted", "returned", "verified"]
VERSIONS = [
    "yesterday at noon",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00",
    "2014-02-30T10:00:00",
    "²",
    "\x00",
]


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    yield
    report_tallies(request, "forms")


@pytest.fixture(autouse=True)
def photos_in_a_temporary_directory(settings, tmp_path):
    """Photos of accepted examples are files: kept out of the suite's media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def staff_browser(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.staff)
    return client


@pytest.mark.parametrize("kind", KINDS)
@battery(EXAMPLES)
@given(data=st.data())
def test_a_field_form_never_fails_writes_on_refusal_or_shows_the_other_neighbourhood(
    kind, data, world, staff_browser
):
    name = f"forms {kind}"
    own, other = world.records[kind]
    target = data.draw(st.sampled_from(["new", "new", "own", "other"]), label="target")
    record = {"new": None, "own": own, "other": other}[target]
    state = data.draw(st.sampled_from(STATES), label="review state") if record is not None else None
    body = data.draw(form_bodies(record_specs(kind, api=False), world), label="fields")
    if kind == "sessions":
        existing = own.priorities.first() if target == "own" else None
        body |= data.draw(priorities_formset(world, existing=existing), label="priorities")
    if data.draw(st.booleans(), label="submit"):
        body["submit"] = "1"
    valid_version = record.updated_at.isoformat() if record is not None else OMIT
    version = data.draw(
        st.one_of(  # the version the form was shown with, half the time
            st.just(valid_version),
            st.one_of(st.sampled_from(VERSIONS), hostile_string(Spec("version", "text"), world)),
        ),
        label="version",
    )
    if version is not OMIT:
        body["version"] = version
    encoding = data.draw(st.sampled_from(["multipart", "urlencoded"]), label="encoding")

    url = (
        reverse("field:create", args=[kind])
        if record is None
        else reverse("field:edit", args=[kind, record.pk])
    )
    sent, shown = form_sent(body)
    with quiet_logs(), rolled_back():
        if record is not None:
            set_state(record, state)
        before = snapshot()
        if encoding == "multipart":
            exchange = send(
                name, staff_browser, "POST", url, content_type="multipart", body=body, sent=sent, shown=shown
            )
        else:
            exchange = send(
                name,
                staff_browser,
                "POST",
                url,
                content_type="application/x-www-form-urlencoded",
                body=urlencoded(body),
                sent=sent,
                shown=shown,
            )
        change = diff(before, snapshot())
        check_no_leak(name, exchange, world.markers)
        if exchange.status == 302:
            check_scope(name, exchange, change, world.own_hoods)
            assert flash_messages(exchange.response), (
                f"a redirect without a message: {exchange.reproduction()}"
            )
            if change.writes == 0:
                assert target == "own" and state == "verified", (
                    f"redirected as saved, nothing written: {exchange.reproduction()}"
                )
        elif exchange.status == 200:
            errors, unsaid = form_errors_said(exchange.response)
            if unsaid:
                tally(name).silent_refusals += 1
            assert not unsaid, f"errors not said on the page {unsaid}: {exchange.reproduction()}"
            check_refusal(name, exchange, change, said=bool(errors))
        elif 400 <= exchange.status < 500:
            check_refusal(name, exchange, change, said=bool(exchange.text.strip()))
        else:
            raise AssertionError(f"answered {exchange.status}: {exchange.reproduction()}")
        if target == "other":
            assert exchange.status == 404, (
                f"the other neighbourhood's record answered {exchange.status}: {exchange.reproduction()}"
            )
        if target == "own" and state == "verified":
            assert change.writes == 0, f"a verified record was changed ({change}): {exchange.reproduction()}"


def test_a_valid_form_of_each_kind_is_saved(world, staff_browser):
    """The battery's own check: its valid values do save (else every example is a refusal)."""
    today = datetime.date(2014, 10, 6).isoformat()
    bodies = {
        "sessions": {
            "forum": world.own["forum"],
            "project": world.own["project"],
            "kind": "information",
            "held_on": today,
            "women": "3",
            "men": "2",
            "youth": "1",
            "priorities-TOTAL_FORMS": "0",
            "priorities-INITIAL_FORMS": "0",
        },
        "businesses": {
            "name": "Battery shop",
            "owner": world.people[0],
            "centre": world.own["centre"],
            "neighbourhood": world.own["neighbourhood"],
            "size": "micro",
            "activity": "Tailoring",
            "formed_on": today,
            "status": "created",
        },
        "jobs": {
            "business": world.own["business"],
            "worker": world.adults[0],
            "role": "Cashier",
            "start_date": today,
        },
        "services": {
            "centre": world.own["centre"],
            "kind": "management_advice",
            "delivered_on": today,
            "participants": "2",
        },
        "work": {"site": world.own["site"], "date": today, "completed_area_m2": "4.50"},
    }
    for kind, body in bodies.items():
        with rolled_back():
            response = staff_browser.post(reverse("field:create", args=[kind]), body)
            assert response.status_code == 302, (kind, form_errors_said(response)[0])


@pytest.mark.parametrize("count", ["1020", "99999999"])
def test_a_forged_count_of_priorities_renders_at_most_twenty_rows(world, staff_browser, count):
    """The session form allows 20 priorities: a forged TOTAL_FORMS must not make the server build
    and send a thousand rows (Django's own cap is max_num + 1000)."""
    with quiet_logs(), rolled_back():
        before = snapshot()
        response = staff_browser.post(
            reverse("field:create", args=["sessions"]),
            {"forum": world.own["forum"], "priorities-TOTAL_FORMS": count, "priorities-INITIAL_FORMS": "0"},
        )
        assert diff(before, snapshot()).writes == 0
    rows = len(re.findall(r'name="priorities-\d+-name"', response.content.decode()))
    assert response.status_code == 200
    assert rows <= 25, f"{count} forged: {rows} rows rendered, {len(response.content)} bytes"


# --- what the generated runs found, pinned ---------------------------------------------------------


def test_a_work_record_with_one_coordinate_says_why_it_is_refused(world, staff_browser):
    """latitude and longitude are hidden fields (filled by the GPS button): their error must be
    said on the page, or the person sees the form again with no reason."""
    body = {"site": world.own["site"], "date": "2014-10-06", "completed_area_m2": "5", "longitude": "-72.3"}
    with quiet_logs(), rolled_back():
        before = snapshot()
        response = staff_browser.post(reverse("field:create", args=["work"]), body)
        assert diff(before, snapshot()).writes == 0
    assert response.status_code == 200
    errors, unsaid = form_errors_said(response)
    assert errors and not unsaid, f"refused, not said: {unsaid}"


def session_edit(world, session, priority_id) -> dict:
    return {
        "forum": world.own["forum"],
        "project": world.own["project"],
        "kind": "information",
        "held_on": "2014-10-06",
        "women": "3",
        "men": "2",
        "youth": "0",
        "version": session.updated_at.isoformat(),
        "priorities-TOTAL_FORMS": "1",
        "priorities-INITIAL_FORMS": "1",
        "priorities-0-id": str(priority_id),
        "priorities-0-rank": "2",
        "priorities-0-name": "Changed by Bel Air",
        "priorities-0-kind": "retaining_wall",
    }


@pytest.mark.parametrize("forged", ["999999", "9" * 30])
def test_a_forged_priority_id_is_said_on_the_session_form(world, staff_browser, forged):
    """A priority row's id is a hidden field: one naming no priority must be said on the page,
    not leave the person before the same form with no reason given."""
    session = world.records["sessions"][0]
    with quiet_logs(), rolled_back():
        before = snapshot()
        response = staff_browser.post(
            reverse("field:edit", args=["sessions", session.pk]), session_edit(world, session, forged)
        )
        assert diff(before, snapshot()).writes == 0
    assert response.status_code == 200
    errors, unsaid = form_errors_said(response)
    assert errors and not unsaid, f"refused, not said: {unsaid}"


def test_two_priorities_of_one_rank_are_said_on_their_rows(world, staff_browser):
    """Two rows ranked 1: the formset says "duplicate data for rank" at the top, and each row in
    conflict carries "Please correct the duplicate values below." — which the page must show."""
    body = {
        "forum": world.own["forum"],
        "project": world.own["project"],
        "kind": "information",
        "held_on": "2014-10-06",
        "women": "2",
        "men": "1",
        "youth": "0",
        "priorities-TOTAL_FORMS": "2",
        "priorities-INITIAL_FORMS": "0",
        "priorities-0-rank": "1",
        "priorities-0-name": "Wall",
        "priorities-0-kind": "retaining_wall",
        "priorities-1-rank": "1",
        "priorities-1-name": "Stairs",
        "priorities-1-kind": "pedestrian_corridor",
    }
    with quiet_logs(), rolled_back():
        before = snapshot()
        response = staff_browser.post(reverse("field:create", args=["sessions"]), body)
        assert diff(before, snapshot()).writes == 0
    assert response.status_code == 200
    errors, unsaid = form_errors_said(response)
    assert errors and not unsaid, f"refused, not said: {unsaid}"


def test_another_neighbourhoods_priority_is_never_changed_through_a_session_form(world, staff_browser):
    from fora.models import StructurePriority

    session = world.records["sessions"][0]
    theirs = StructurePriority.objects.get(pk=world.other["priority"])
    with quiet_logs(), rolled_back():
        response = staff_browser.post(
            reverse("field:edit", args=["sessions", session.pk]),
            session_edit(world, session, theirs.pk),
        )
        after = StructurePriority.objects.get(pk=theirs.pk)
        assert (after.session_id, after.rank, after.name) == (theirs.session_id, theirs.rank, theirs.name)
    assert response.status_code in (200, 302)
    assert "FNMARK" not in response.content.decode()


@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_a_very_long_username_at_the_login_form_answers_a_page_not_500(db, length):
    """Not a field form, but the door before them: a hostile tester tries it first."""
    with quiet_logs(), rolled_back():
        exchange = send(
            "forms pinned",
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            "POST",
            reverse("login"),
            content_type="multipart",
            body={"username": "x" * length, "password": "whatever"},
            sent=f"username='x'*{length}",
        )
    assert exchange.status == 200

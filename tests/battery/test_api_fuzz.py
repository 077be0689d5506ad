"""Generated hostile input at every API write (issue 14): POST of the five field record kinds,
PATCH of a record (Bel Air's in each review state, Fort National's, one that does not exist), the
review decision, and the token endpoint.

Each example sends, with a token, a body valid but for a drawn set of fields that are hostile
(wrong JSON types, nested lists and objects, huge numbers, NaN and Infinity, 1e999999, lone
surrogates, 10,000 characters, NUL, impossible dates, the other neighbourhood's ids and codes) or
missing, sometimes read-only fields (review_state "verified", created_by), sometimes no object at
all or broken JSON, sometimes another content type. For each:

- never a server error;
- accepted (2xx): only Bel Air rows written, never as verified by field staff;
- refused (4xx): a JSON body with a field, non_field_errors or detail message, and not one row
  written (every row of the record tables, form submissions, priorities, selections, review
  events, people and tokens compared);
- nothing of Fort National in a field staff member's answer but what the request itself carried.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.battery.hostile import (
    JSON_ODDITIES,
    MARK,
    OMIT,
    Raw,
    Spec,
    api_bodies,
    battery,
    build_world,
    check_no_leak,
    check_refusal,
    check_scope,
    describe,
    diff,
    dump,
    hostile_json_value,
    hostile_uploads,
    json_message,
    photo_upload,
    quiet_logs,
    record_specs,
    report_tallies,
    rolled_back,
    send,
    set_state,
    snapshot,
    tiny_jpeg,
)

pytestmark = [
    pytest.mark.django_db,
    # A failure's report shows strategies holding 10,000-character values: long, and expected.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

ENDPOINTS = {
    "sessions": "forum-sessions",
    "businesses": "businesses",
    "jobs": "jobs",
    "services": "esc-services",
    "work": "work-records",
}
KINDS = list(ENDPOINTS)
STATES = ["draft", "submitted", "returned", "verified"]
#: Examples per test: creates and changes of each kind, reviews, tokens (about 500 requests).
CREATE_EXAMPLES = 50
PATCH_EXAMPLES = 25
REVIEW_EXAMPLES = 80
TOKEN_EXAMPLES = 40
BROKEN_BODIES = [
    "",
    "{",
    "[",
    '"',
    '{"a":}',
    "{'single': 'quotes'}",
    "[" * 50 + "]" * 50,
    "\x00",
    "\ufeff{}",
    "null",
]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-16",
    "application/json; charset=x-unknown",
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    "",
]


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    yield
    report_tallies(request, "api")


@pytest.fixture(autouse=True)
def photos_in_a_temporary_directory(settings, tmp_path):
    """Photos of accepted examples are files: kept out of the suite's media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    built = build_world()
    for user in (built.staff, built.fort_staff, built.manager):
        Token.objects.create(user=user)
    return built


def client_of(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    return client


@pytest.fixture
def staff_api(world):
    return client_of(world.staff)


@pytest.fixture
def manager_api(world):
    return client_of(world.manager)


def multipart_value(value):
    """A JSON value as a multipart form carries it (text; a lone surrogate cannot be encoded)."""
    if hasattr(value, "read"):
        return value
    if isinstance(value, list):
        return [multipart_value(v) for v in value]
    if value is None:
        return ""
    text = value if isinstance(value, str) and not isinstance(value, Raw) else dump(value)
    return text.encode("utf-8", "replace").decode("utf-8") if isinstance(text, str) else text


@st.composite
def requests(draw, specs, world, *, kind: str, partial: bool = False):
    """(content type, body as sent, what it carried): mostly a JSON object of the fields; else
    a JSON oddity or broken text, another content type, or (work records) a multipart upload."""
    body = draw(api_bodies(specs, world, partial=partial), label="body")
    shape = draw(
        st.sampled_from(["json", "json", "json", "json", "oddity", "broken", "content type", "multipart"]),
        label="shape",
    )
    if shape == "multipart" or (shape == "json" and kind == "work" and draw(st.booleans(), label="photo")):
        fields = {multipart_value(k): multipart_value(v) for k, v in body.items()}
        if kind == "work":
            fields["photo"] = draw(
                st.one_of(st.just(None), hostile_uploads()), label="photo"
            ) or photo_upload(tiny_jpeg(), "site.jpg")
        return "multipart", fields, describe(fields)
    if shape == "oddity":
        text = dump(draw(st.sampled_from(JSON_ODDITIES), label="top level"))
        return "application/json", text, text
    if shape == "broken":
        text = draw(st.sampled_from(BROKEN_BODIES), label="broken JSON")
        return "application/json", text, text
    text = dump(body)
    if shape == "content type":
        return draw(st.sampled_from(CONTENT_TYPES), label="content type"), text, text
    return "application/json", text, text


def check_api_answer(name, exchange, change, world, *, staff: bool = True) -> None:
    if staff:
        check_no_leak(name, exchange, world.markers)
    if 200 <= exchange.status < 300:
        if staff:
            check_scope(name, exchange, change, world.own_hoods)
        assert json_message(exchange), f"{exchange.status} without a JSON body: {exchange.reproduction()}"
    elif 400 <= exchange.status < 500:
        check_refusal(name, exchange, change, said=json_message(exchange))
    else:
        raise AssertionError(f"answered {exchange.status}: {exchange.reproduction()}")


@pytest.mark.parametrize("kind", KINDS)
@battery(CREATE_EXAMPLES)
@given(data=st.data())
def test_an_api_create_never_fails_writes_on_refusal_or_shows_the_other_neighbourhood(
    kind, data, world, staff_api
):
    name = f"api create {kind}"
    content_type, body, shown = data.draw(
        requests(record_specs(kind, api=True), world, kind=kind), label="request"
    )
    url = f"/api/{ENDPOINTS[kind]}/"
    sent = body if isinstance(body, str) else repr(body)
    with quiet_logs(), rolled_back():
        before = snapshot()
        exchange = send(
            name, staff_api, "POST", url, content_type=content_type, body=body, sent=sent, shown=shown
        )
        change = diff(before, snapshot())
        check_api_answer(name, exchange, change, world)
        if exchange.status == 201:
            assert change.added, f"201 and nothing added: {exchange.reproduction()}"


@pytest.mark.parametrize("kind", KINDS)
@battery(PATCH_EXAMPLES)
@given(data=st.data())
def test_an_api_change_never_fails_writes_on_refusal_or_moves_a_record_out_of_the_neighbourhood(
    kind, data, world, staff_api
):
    name = f"api patch {kind}"
    own, other = world.records[kind]
    target = data.draw(st.sampled_from(["own", "own", "own", "other", "missing"]), label="target")
    record = {"own": own, "other": other, "missing": None}[target]
    state = data.draw(st.sampled_from(STATES), label="review state")
    pk = (
        record.pk
        if record is not None
        else data.draw(st.sampled_from(["999999999", "9" * 30, "0", "²", "1e3"]))
    )
    content_type, body, shown = data.draw(
        requests(record_specs(kind, api=True), world, kind=kind, partial=True), label="request"
    )
    method = data.draw(st.sampled_from(["PATCH", "PATCH", "PUT"]), label="method")
    url = f"/api/{ENDPOINTS[kind]}/{pk}/"
    sent = body if isinstance(body, str) else repr(body)
    with quiet_logs(), rolled_back():
        if record is not None:
            set_state(record, state)
        before = snapshot()
        exchange = send(
            name, staff_api, method, url, content_type=content_type, body=body, sent=sent, shown=shown
        )
        change = diff(before, snapshot())
        check_api_answer(name, exchange, change, world)
        if target != "own":
            assert exchange.status == 404, (
                f"not Bel Air's: answered {exchange.status}: {exchange.reproduction()}"
            )
        if state == "verified":
            assert change.writes == 0, f"a verified record was changed ({change}): {exchange.reproduction()}"


@battery(REVIEW_EXAMPLES)
@given(data=st.data())
def test_an_api_review_never_fails_writes_on_refusal_or_lets_field_staff_decide(
    data, world, staff_api, manager_api
):
    name = "api review"
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    actor = data.draw(st.sampled_from(["manager", "manager", "manager", "staff"]), label="actor")
    own, other = world.records[kind]
    target = data.draw(st.sampled_from(["own", "own", "other", "missing"]), label="target")
    record = {"own": own, "other": other, "missing": None}[target]
    state = data.draw(st.sampled_from(["submitted", "submitted", *STATES]), label="review state")
    pk = record.pk if record is not None else data.draw(st.sampled_from(["999999999", "9" * 30, "0"]))
    decision = {
        "to_state": data.draw(
            st.one_of(
                st.sampled_from(["verified", "returned", "draft", "submitted"]),
                hostile_json_value(Spec("to_state", "choice", choices=("verified",)), world),
            ),
            label="to_state",
        ),
        "comment": data.draw(
            st.one_of(
                st.sampled_from(["", "Photo missing: take it again.", "  "]),
                hostile_json_value(Spec("comment", "text"), world),
            ),
            label="comment",
        ),
    }
    decision = {k: v for k, v in decision.items() if v is not OMIT}
    extras = data.draw(
        st.dictionaries(
            st.sampled_from(["review_state", "by", "id", "at"]),
            st.sampled_from(["verified", 1, None]),
            max_size=2,
        ),
        label="extras",
    )
    text = dump(decision | extras)
    url = f"/api/{ENDPOINTS[kind]}/{pk}/review/"
    client = manager_api if actor == "manager" else staff_api
    with quiet_logs(), rolled_back():
        if record is not None:
            set_state(record, state)
        before = snapshot()
        exchange = send(name, client, "POST", url, content_type="application/json", body=text, sent=text)
        change = diff(before, snapshot())
        if actor == "staff":
            check_no_leak(name, exchange, world.markers)
            assert exchange.status == 403, (
                f"field staff reviewing: {exchange.status}: {exchange.reproduction()}"
            )
        check_api_answer(name, exchange, change, world, staff=False)
        if exchange.status == 200:
            record.refresh_from_db()
            assert record.review_state == decision["to_state"], exchange.reproduction()
            assert list(change.added) == ["programs.ReviewEvent"], f"{change}: {exchange.reproduction()}"
        if target == "missing":
            assert exchange.status in (403, 404), exchange.reproduction()


@st.composite
def credentials(draw, world):
    users = [world.staff.username, world.fort_staff.username, world.manager.username, "nobody", "STAFF-1", ""]
    username = draw(
        st.one_of(st.sampled_from(users), hostile_json_value(Spec("username", "text"), world)),
        label="username",
    )
    right = f"pw-{username}" if isinstance(username, str) else "pw-"
    password = draw(
        st.one_of(st.just(right), st.just("wrong"), hostile_json_value(Spec("password", "text"), world)),
        label="password",
    )
    return {k: v for k, v in {"username": username, "password": password}.items() if v is not OMIT}


@battery(TOKEN_EXAMPLES)
@given(data=st.data())
def test_the_token_endpoint_never_fails_writes_on_refusal_or_gives_another_users_token(data, world):
    name = "api token"
    body = data.draw(credentials(world), label="credentials")
    encoding = data.draw(
        st.sampled_from(
            [
                "application/json",
                "application/json",
                "multipart",
                "application/x-www-form-urlencoded",
                "text/plain",
            ]
        ),
        label="encoding",
    )
    if encoding == "multipart":
        payload = {k: multipart_value(v) for k, v in body.items()}
    elif encoding == "application/x-www-form-urlencoded":
        from urllib.parse import urlencode

        payload = urlencode(
            {k: multipart_value(v) if not isinstance(v, list) else dump(v) for k, v in body.items()}
        )
    else:
        payload = dump(body)
    sent = payload if isinstance(payload, str) else repr(payload)
    tokens = {t.user.username: t.key for t in Token.objects.select_related("user")}
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    with quiet_logs(), rolled_back():
        before = snapshot()
        exchange = send(
            name, client, "POST", "/api/auth/token/", content_type=encoding, body=payload, sent=sent
        )
        change = diff(before, snapshot())
        if exchange.status == 200:
            given_key = json.loads(exchange.text)["token"]
            owner = Token.objects.get(key=given_key).user.username
            assert body.get("password") == f"pw-{owner}" and body.get("username") == owner, (
                f"a token of {owner}: {exchange.reproduction()}"
            )
        others = [key for user, key in tokens.items() if user != body.get("username")]
        assert not [key for key in others if key in exchange.text], (
            f"another user's token: {exchange.reproduction()}"
        )
        check_api_answer(name, exchange, change, world, staff=False)


def test_the_batterys_valid_bodies_are_accepted(world, staff_api):
    """The battery's own check: a valid JSON body of each kind is saved (201)."""
    bodies = {
        "sessions": {
            "forum": world.own["forum"],
            "project": world.own["project"],
            "kind": "information",
            "held_on": "2014-10-06",
            "women": 3,
            "men": 2,
            "youth": 1,
            "selected_codes": [world.people[0]],
        },
        "businesses": {
            "name": "Battery shop",
            "owner": world.people[0],
            "centre": world.own["centre"],
            "neighbourhood": world.own["neighbourhood"],
            "size": "micro",
            "activity": "Tailoring",
            "formed_on": "2014-10-06",
            "status": "created",
        },
        "jobs": {
            "business": world.own["business"],
            "worker": world.adults[0],
            "role": "Cashier",
            "start_date": "2014-10-06",
        },
        "services": {
            "centre": world.own["centre"],
            "kind": "management_advice",
            "delivered_on": "2014-10-06",
            "participants": 2,
        },
        "work": {
            "site": world.own["site"],
            "date": "2014-10-06",
            "completed_area_m2": "4.50",
            "latitude": "18.55",
            "longitude": "-72.33",
        },
    }
    for kind, body in bodies.items():
        with rolled_back():
            response = staff_api.post(f"/api/{ENDPOINTS[kind]}/", body, format="json")
            assert response.status_code == 201, (kind, response.json())


# --- what the generated runs found, pinned ---------------------------------------------------------

SURROGATE = "\ud800"  # a lone surrogate: valid JSON ("\ud800"), not encodable as UTF-8


@pytest.mark.parametrize(
    "method,path,body",
    [
        # an unknown key, or a read-only field, carrying it: ignored, but the body reaches the save
        # (its content fingerprint, programs/idempotency.py)
        (
            "POST",
            "work-records/",
            {"site": "site", "date": "2014-10-06", "completed_area_m2": "5", SURROGATE: 1},
        ),
        (
            "POST",
            "work-records/",
            {"site": "site", "date": "2014-10-06", "completed_area_m2": "5", "review_state": SURROGATE},
        ),
        ("PATCH", "work-records/work/", {"notes": "ok", "extra": SURROGATE}),
    ],
)
def test_a_lone_surrogate_in_an_ignored_field_is_no_server_error(world, staff_api, method, path, body):
    exchange, change = send_named(world, staff_api, method, path, body)
    assert exchange.status in (200, 201, 400), exchange.reproduction()
    if exchange.status == 400:
        check_refusal("api pinned", exchange, change, said=json_message(exchange))


@pytest.mark.parametrize(
    "method,path,body",
    [
        # a choice field's message repeats the value, which the JSON renderer cannot encode
        ("POST", "esc-services/", {"centre": "centre", "kind": SURROGATE, "delivered_on": "2014-10-06"}),
        ("POST", "businesses/", {"size": SURROGATE}),
        ("PATCH", "forum-sessions/session/", {"kind": SURROGATE}),
    ],
)
def test_a_lone_surrogate_in_a_choice_answers_400_not_500(world, staff_api, method, path, body):
    exchange, change = send_named(world, staff_api, method, path, body)
    assert exchange.status == 400, exchange.reproduction()
    check_refusal("api pinned", exchange, change, said=json_message(exchange))


def send_named(world, client, method, path, body):
    """Send `body` with the world's names ("site", "work"…) replaced by Bel Air's ids."""
    named = {
        key: world.own.get(value, value) if isinstance(value, str) else value for key, value in body.items()
    }
    path = "/".join(str(world.own.get(part, part)) for part in path.split("/"))
    text = dump(named)
    with quiet_logs(), rolled_back():
        before = snapshot()
        exchange = send(
            "api pinned",
            client,
            method,
            f"/api/{path}",
            content_type="application/json",
            body=text,
            sent=text,
        )
        return exchange, diff(before, snapshot())


def test_a_review_with_a_lone_surrogate_answers_400_not_500(world, manager_api):
    job = world.records["jobs"][0]
    body = dump({"to_state": SURROGATE})
    with quiet_logs(), rolled_back():
        set_state(job, "submitted")
        exchange = send(
            "api pinned",
            manager_api,
            "POST",
            f"/api/jobs/{job.pk}/review/",
            content_type="application/json",
            body=body,
            sent=body,
        )
        assert exchange.status == 400


@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_a_very_long_username_for_a_token_answers_400_not_500(world, length):
    body = dump({"username": "x" * length, "password": "whatever"})
    with quiet_logs(), rolled_back():
        exchange = send(
            "api pinned",
            APIClient(),
            "POST",
            "/api/auth/token/",
            content_type="application/json",
            body=body,
            sent=body,
        )
        assert exchange.status == 400 and json_message(exchange)


def test_the_markers_the_leak_check_looks_for_are_in_fort_nationals_answers(world, staff_api, manager_api):
    """The battery's own check: a manager reading Fort National's work record sees its marker
    and its people's codes are Fort National's, so a leak to Bel Air's staff would be caught."""
    fort_work = world.records["work"][1]
    assert MARK in manager_api.get(f"/api/work-records/{fort_work.pk}/").content.decode()
    assert world.fort.beneficiary.code in world.other_codes and world.other_codes[0] not in world.people
    hidden = staff_api.get(f"/api/work-records/{fort_work.pk}/")
    assert hidden.status_code == 404 and MARK not in hidden.content.decode()

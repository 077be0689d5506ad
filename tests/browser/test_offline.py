"""Offline field entry (issue 20) on a phone whose network really drops.

The browser reaches the live server only through a relay (`relay.py`) that can be cut: then no
request gets through, the service worker's own included; `context.set_offline` is set as well so
that the page hears the `offline` and `online` events. The browser's profile is kept on disk:
closing the context and launching it again is the phone's browser closed and the phone restarted.
"""

from __future__ import annotations

import datetime
import random
import re
import time
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Business, EscService, Job
from fora.models import ForumSession
from rehab.models import WorkRecord
from tests.browser.offline_helpers import (
    Phone,
    fill_job,
    fill_work,
    photo,
    submit,
    wait_until,
)
from tests.browser.relay import Relay
from tests.worlds import BEL_AIR, FORT_NATIONAL, two_neighbourhoods

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED_HERE = "Saved on this phone — will be sent when you are online."


@pytest.fixture
def world():
    return two_neighbourhoods()


@pytest.fixture
def relay(live_server):
    relay = Relay(upstream_port=int(live_server.url.rsplit(":", 1)[1]))
    yield relay
    relay.stop()


@pytest.fixture
def phone(browser, relay, tmp_path):
    phone = Phone(browser, relay, tmp_path / "profile")
    phone.open()
    yield phone
    phone.close()


def ready_staff(phone, world, hood=BEL_AIR):
    """The hood's field staff member logs in online and opens the field home once."""
    staff = world[hood].staff
    phone.log_in(staff.username)
    phone.wait_ready()
    return staff


def test_entries_made_offline_survive_a_restart_and_are_sent_once_with_the_photo(phone, world, tmp_path):
    hood = world[BEL_AIR]
    ready_staff(phone, world)
    works, jobs = WorkRecord.objects.count(), Job.objects.count()

    phone.offline()
    # The person's own lists open too, with no connection.
    phone.goto("/field/jobs/")
    assert phone.page.locator("main h1").inner_text() == "Jobs"
    phone.goto("/field/work/new/")
    fill_work(phone.page, area="50", picture=photo(tmp_path), notes="Offline work")
    submit(phone.page)
    assert phone.saved_here_message() == SAVED_HERE
    phone.goto("/field/jobs/new/")
    fill_job(phone.page, worker=hood.beneficiary.code, role="Vendeur offline")
    submit(phone.page)
    assert phone.saved_here_message() == SAVED_HERE

    # Reloaded offline: both still there; the field home lists them, waiting.
    phone.page.reload()
    phone.wait_started()
    assert [e["kind"] for e in phone.outbox()] == ["work", "jobs"]
    phone.goto("/field/")
    expect(phone.page.locator("[data-outbox-entry][data-state=waiting]")).to_have_count(2, timeout=20_000)
    entries = phone.outbox()
    assert entries[0]["photos"] and entries[0]["photos"][0] < 1_000_000  # shrunk on the phone
    assert len({e["token"] for e in entries}) == 2  # a fresh key each, not the cached page's

    # The browser closed, the phone restarted, still no network.
    phone.close()
    phone.open(offline=True)
    phone.relay.go_down()
    phone.goto("/field/")
    expect(phone.page.locator("[data-outbox-entry]")).to_have_count(2, timeout=20_000)
    assert WorkRecord.objects.count() == works and Job.objects.count() == jobs

    # Back online: sent by themselves, one row each, the photo with the work record.
    phone.online()
    wait_until(lambda: not phone.outbox(), page=phone.page, timeout=40, message="the outbox did not empty")
    assert WorkRecord.objects.count() == works + 1 and Job.objects.count() == jobs + 1
    record = WorkRecord.objects.get(notes="Offline work")
    assert record.photo and max(record.photo.width, record.photo.height) <= 1600
    assert record.created_by == hood.staff
    assert Job.objects.filter(role="Vendeur offline").count() == 1
    phone.page.wait_for_selector("[data-outbox-count='0']")
    expect(phone.page.locator("[data-sent-entry]")).to_have_count(2, timeout=20_000)
    assert phone.page.locator("[data-last-sent]").get_attribute("data-last-sent")


def test_a_response_lost_after_the_server_saved_is_replayed_to_the_same_record(phone, world):
    ready_staff(phone, world)
    before = WorkRecord.objects.count()
    phone.offline()
    phone.goto("/field/work/new/")
    fill_work(phone.page, area="7", notes="Lost answer")
    submit(phone.page)
    phone.saved_here_message()

    phone.relay.drop_next("response", path_contains="/field/work/new/")
    phone.online()
    wait_until(lambda: not phone.outbox(), page=phone.page, timeout=30)
    posts = phone.relay.seen("POST", "/field/work/new/")
    assert [(p.outcome, p.status) for p in posts] == [("response dropped", 201), ("passed", 200)]
    assert WorkRecord.objects.count() == before + 1
    record = WorkRecord.objects.get(notes="Lost answer")
    assert phone.sent()[0]["recordId"] == record.pk


def test_a_full_phone_is_said_before_anything_is_lost(phone, world):
    ready_staff(phone, world)
    phone.offline()
    phone.goto("/field/work/new/")
    fill_work(phone.page, area="5", notes="No room")
    phone.page.evaluate("() => { navigator.storage.estimate = async () => ({quota: 1e7, usage: 1e7}); }")
    submit(phone.page)
    message = phone.page.locator("[data-outbox-message=danger]").inner_text()
    assert "storage is full" in message and "NOT saved" in message
    assert phone.outbox() == []
    assert phone.page.input_value("textarea[name=notes]") == "No room"  # still in the form


def test_a_form_posted_online_whose_answer_is_lost_is_kept_and_not_saved_twice(phone, world):
    """Online with nothing waiting, the form posts itself as always; the connection drops after
    the server saved it: the service worker keeps it (with the form's own token), the replay
    returns the same record."""
    ready_staff(phone, world)
    before = WorkRecord.objects.count()
    phone.goto("/field/work/new/")
    fill_work(phone.page, area="6", notes="Posted online")
    # Three times: Chromium itself sends a POST again, up to twice, when its connection is reset
    # unanswered (the server's replay of the form's token then answers the same record).
    phone.relay.drop_next("response", path_contains="/field/work/new/", times=3)
    submit(phone.page)
    phone.page.wait_for_url(re.compile(r"/field/(\?saved=[-0-9a-f]+)?$"))
    assert phone.saved_here_message() == SAVED_HERE
    wait_until(lambda: not phone.outbox(), page=phone.page, timeout=30)
    posts = phone.relay.seen("POST", "/field/work/new/")
    assert [p.outcome for p in posts][:3] == ["response dropped"] * 3
    assert (posts[0].status, posts[-1].outcome, posts[-1].status) == (302, "passed", 200)
    assert WorkRecord.objects.count() == before + 1
    assert WorkRecord.objects.filter(notes="Posted online").count() == 1


def test_the_server_down_mid_send_leaves_the_rest_waiting_then_sent_later_once(phone, world):
    ready_staff(phone, world)
    before = WorkRecord.objects.count()
    phone.offline()
    phone.goto("/field/work/new/")
    for n in range(3):
        fill_work(phone.page, area="2", notes=f"Mid-send {n}")
        submit(phone.page)
        phone.saved_here_message()

    # The first entry gets through, then the server is unreachable.
    def after_first_post(exchange):
        if exchange.method == "POST" and exchange.outcome == "passed":
            phone.relay.go_down()

    phone.relay.after = after_first_post
    phone.online()
    wait_until(lambda: WorkRecord.objects.count() == before + 1, page=phone.page, timeout=20)
    wait_until(lambda: any(e["attempts"] for e in phone.outbox()), page=phone.page, timeout=20)
    waiting = phone.outbox()
    assert len(waiting) == 2 and all(e["state"] in ("waiting", "sending") for e in waiting)
    phone.page.wait_for_timeout(2000)
    assert WorkRecord.objects.count() == before + 1

    # The server answers again: sent by the retry timer, no click, no duplicate.
    phone.relay.after = None
    phone.relay.come_up()
    wait_until(lambda: not phone.outbox(), page=phone.page, timeout=60)
    notes = list(WorkRecord.objects.filter(notes__startswith="Mid-send").values_list("notes", flat=True))
    assert sorted(notes) == ["Mid-send 0", "Mid-send 1", "Mid-send 2"]


def test_child_labour_found_by_the_server_needs_attention_and_saves_nothing(phone, world):
    hood = world[BEL_AIR]
    start = datetime.date(2014, 10, 6)
    child = BeneficiaryFactory(
        neighbourhood=hood.neighbourhood, code="BA-0160", date_of_birth=datetime.date(1998, 5, 1)
    )
    ready_staff(phone, world)
    jobs = Job.objects.count()

    phone.offline()
    phone.goto("/field/jobs/new/")
    fill_job(phone.page, worker=child.code, role="Aide", start=start.isoformat(), site=hood.site.pk)
    submit(phone.page)
    phone.saved_here_message()
    phone.goto("/field/")

    phone.online()
    item = phone.page.locator("[data-outbox-entry][data-state=attention]")
    item.wait_for(timeout=30_000)
    assert "Child labour" in item.locator("[data-outbox-errors]").inner_text()
    assert Job.objects.count() == jobs

    # Corrected on the form: the server's message is on the worker field.
    item.locator("[data-correct]").click()
    phone.wait_started()
    message = phone.page.locator("[data-outbox-error=worker]")
    assert "Child labour" in message.inner_text(timeout=10_000)
    assert phone.page.input_value("input[name=worker]") == child.code

    # Discarded by hand: gone from the phone, and still nothing on the server.
    phone.goto("/field/")
    phone.page.locator("[data-outbox-entry] [data-discard]").click()
    phone.page.wait_for_selector("[data-outbox-count='0']")
    assert any("Discard" in text for text in phone.dialogs)
    assert not phone.outbox()
    assert Job.objects.count() == jobs


def test_another_person_on_the_same_phone_neither_sees_nor_sends_the_first_ones_entries(phone, world):
    first, second = world[BEL_AIR].staff, world[FORT_NATIONAL].staff
    ready_staff(phone, world)
    before = WorkRecord.objects.count()
    phone.offline()
    phone.goto("/field/work/new/")
    fill_work(phone.page, area="3", notes="First person's")
    submit(phone.page)
    phone.saved_here_message()
    phone.goto("/field/")

    # The session ended while offline: back online, the entry waits for its person.
    Session.objects.all().delete()
    phone.online()
    phone.page.wait_for_selector("[data-needs-login]", timeout=30_000)
    assert WorkRecord.objects.count() == before

    # Logging out warns that an entry is not sent; the cached lists go, the entry stays.
    phone.log_out()
    assert any("not sent yet" in text for text in phone.dialogs)
    wait_until(lambda: not phone.page.evaluate("() => caches.has('field-pages')"), page=phone.page)
    wait_until(lambda: phone.stored("lists") == 0, page=phone.page)
    assert phone.stored("outbox") == 1

    # Someone else logs in on the same phone: nothing of the first person's, nothing sent.
    phone.dialogs.clear()
    phone.log_in(second.username)
    phone.wait_ready()
    assert phone.outbox() == []
    assert phone.page.locator("[data-outbox-entry]").count() == 0
    assert phone.page.locator("[data-outbox-count='0']").count() == 1
    assert [e["user"] for e in phone.all_entries()] == [str(first.pk)]
    phone.page.wait_for_timeout(2000)
    assert WorkRecord.objects.count() == before
    phone.log_out()
    assert phone.dialogs == []  # the second person had nothing waiting

    # The first person again: the entry is sent, once.
    phone.log_in(first.username)
    wait_until(lambda: not phone.outbox(), page=phone.page, timeout=30)
    assert WorkRecord.objects.filter(notes="First person's").count() == 1
    assert WorkRecord.objects.get(notes="First person's").created_by == first


def test_a_new_service_worker_takes_over_and_the_waiting_entries_are_still_sent(phone, world, settings):
    ready_staff(phone, world)
    old = phone.worker_version()
    assert old
    before = WorkRecord.objects.count()
    phone.offline()
    phone.goto("/field/work/new/")
    for n in range(2):
        fill_work(phone.page, area="1", notes=f"Across versions {n}")
        submit(phone.page)
        phone.saved_here_message()

    # A new version is deployed while the entries wait (and the server refuses them for now).
    settings.FIELD_OFFLINE_VERSION = "2-test"
    phone.relay.drop_next("request", path_contains="/new/", times=10_000)
    phone.online()
    phone.goto("/field/")
    new = phone.wait_for_new_worker(old)
    assert new.startswith("2-test-")
    assert len(phone.outbox()) == 2  # the new worker's install and activation kept the outbox
    assert WorkRecord.objects.count() == before

    phone.relay.rules.clear()
    phone.goto("/field/")
    wait_until(lambda: not phone.outbox(), page=phone.page, timeout=40)
    assert WorkRecord.objects.filter(notes__startswith="Across versions").count() == 2
    assert phone.worker_version() == new
    # The new version serves the field pages offline as the old one did.
    phone.offline()
    phone.goto("/field/work/new/")
    assert phone.page.locator("input[name=completed_area_m2]").count() == 1


KINDS_JS = """
(args) => {
  const [kind, values] = args;
  const form = document.querySelector("main form[data-once]");
  for (const [name, value] of Object.entries(values)) {
    const field = form.elements[name];
    if (field.type === "checkbox") { field.checked = !!value; } else { field.value = value; }
  }
  return FieldOffline.page.save(form, form.querySelector("button[name=submit]")).then(r => r.entry
    ? {id: r.entry.id} : {errors: r.errors || null, full: !!r.full});
}
"""


def chaos_figures(phone, made, offline_made, before, started, made_in):
    elapsed = time.monotonic() - started
    marks = [f"chaos-{n:03d}" for n in range(40)]
    found = {
        "sessions": list(ForumSession.objects.filter(notes__in=marks).values_list("notes", flat=True)),
        "businesses": list(
            Business.objects.filter(name__startswith="Chaos shop").values_list("name", flat=True)
        ),
        "jobs": list(Job.objects.filter(role__startswith="Apprentice chaos").values_list("role", flat=True)),
        "services": list(EscService.objects.filter(notes__in=marks).values_list("notes", flat=True)),
        "work": list(WorkRecord.objects.filter(notes__in=marks).values_list("notes", flat=True)),
    }
    rows = sum(len(v) for v in found.values())
    duplicates = sum(len(v) - len(set(v)) for v in found.values())
    lost = sum(40 - len(set(v)) for v in found.values())
    new_rows = (
        ForumSession.objects.count()
        - before["sessions"]
        + Business.objects.count()
        - before["businesses"]
        + Job.objects.count()
        - before["jobs"]
        + EscService.objects.count()
        - before["services"]
        + WorkRecord.objects.count()
        - before["work"]
    )
    posts = phone.relay.seen("POST")
    waiting = phone.outbox()
    print(
        f"\nCHAOS: entries made {made} ({offline_made} offline), POSTs {len(posts)}, "
        f"requests dropped {phone.relay.counts['request dropped']}, "
        f"responses dropped {phone.relay.counts['response dropped']}, "
        f"refused while offline {phone.relay.counts['refused']}, rows {rows} (new rows {new_rows}), "
        f"duplicates {duplicates}, lost {lost}, outbox {len(waiting)} "
        f"({sum(e['state'] == 'attention' for e in waiting)} needing attention), "
        f"{elapsed:.0f} s ({made_in:.0f} s to make them), server time per POST "
        f"{sum(p.seconds for p in posts) / max(len(posts), 1):.3f} s"
    )
    times = [p.at for p in posts]
    gaps = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    if gaps:
        print(
            f"  gaps between POSTs: median {gaps[len(gaps) // 2]:.3f} s, "
            f"p90 {gaps[int(len(gaps) * 0.9)]:.3f} s, max {gaps[-1]:.3f} s, "
            f"total of gaps > 1 s: {sum(g for g in gaps if g > 1):.0f} s"
        )
    for entry in [e for e in waiting if e["state"] == "attention"][:5]:
        print("  needs attention:", entry["kind"], entry["errors"])
    return rows, new_rows, duplicates, lost, elapsed


def test_chaos_200_entries_online_and_offline_with_requests_and_responses_dropped(phone, world):
    """200 entries of the five kinds, made in random order online and offline, while the relay
    drops 30 % of requests and 30 % of responses: each is on the server exactly once."""
    hood = world[BEL_AIR]
    ready_staff(phone, world)
    chooser = random.Random(20)
    workers = [BeneficiaryFactory(neighbourhood=hood.neighbourhood, code=f"BA-C{n:03d}") for n in range(40)]
    plan = []
    for n in range(40):
        mark = f"chaos-{n:03d}"
        plan += [
            (
                "sessions",
                {
                    "kind": "information",
                    "held_on": "2014-06-01",
                    "women": "3",
                    "men": "2",
                    "youth": "1",
                    "notes": mark,
                },
            ),
            (
                "businesses",
                {
                    "name": f"Chaos shop {n:03d}",
                    "owner": hood.beneficiary.code,
                    "activity": "Couture",
                    "formed_on": "2014-07-01",
                },
            ),
            (
                "jobs",
                {
                    "business": str(hood.business.pk),
                    "worker": workers[n].code,
                    "role": f"Apprentice {mark}",
                    "start_date": "2014-09-01",
                },
            ),
            (
                "services",
                {
                    "kind": "management_advice",
                    "delivered_on": "2014-08-02",
                    "participants": "2",
                    "notes": mark,
                },
            ),
            ("work", {"date": "2014-10-06", "completed_area_m2": "1", "notes": mark}),
        ]
    chooser.shuffle(plan)
    before = {
        "sessions": ForumSession.objects.count(),
        "businesses": Business.objects.count(),
        "jobs": Job.objects.count(),
        "services": EscService.objects.count(),
        "work": WorkRecord.objects.count(),
    }

    started = time.monotonic()
    phone.relay.drop_request_rate = phone.relay.drop_response_rate = 0.3
    made = offline_made = 0
    online = True
    # A tab per form, as a person keeps them open: the tabs share the outbox, one sends at a time.
    tabs = {}
    for kind in ("sessions", "businesses", "jobs", "services", "work"):
        tabs[kind] = phone.context.new_page()
        tabs[kind].goto(f"{phone.relay.url}/field/{kind}/new/")
        tabs[kind].wait_for_function("() => window.FieldOffline && window.FieldOffline.ready")
    for index, (kind, values) in enumerate(plan):
        if index % 25 == 0:
            online = not online if index else True
            if online:
                phone.online()
            else:
                phone.offline()
        result = tabs[kind].evaluate(KINDS_JS, [kind, values])
        assert "id" in result, (kind, values, result)
        made += 1
        offline_made += not online
    made_in = time.monotonic() - started
    phone.online()
    phone.goto("/field/")
    try:
        wait_until(
            lambda: not phone.outbox(),
            page=phone.page,
            timeout=170 - (time.monotonic() - started),
            interval=1,
            message="the outbox did not empty in time",
        )
    finally:
        figures = chaos_figures(phone, made, offline_made, before, started, made_in)
    rows, new_rows, duplicates, lost, elapsed = figures
    assert made == 200 and rows == 200 and new_rows == 200 and duplicates == 0 and lost == 0
    assert elapsed < 180


def test_on_a_360_px_phone_a_work_record_made_offline_reaches_the_server_within_30_s(
    browser, relay, world, tmp_path
):
    phone = Phone(browser, relay, tmp_path / "small", viewport={"width": 360, "height": 740}).open()
    try:
        ready_staff(phone, world)
        before = WorkRecord.objects.count()
        phone.offline()
        phone.goto("/field/work/new/")
        assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        fill_work(phone.page, area="4", notes="Small phone")
        submit(phone.page)
        assert phone.saved_here_message() == SAVED_HERE
        phone.page.wait_for_timeout(1500)
        assert WorkRecord.objects.count() == before

        phone.online()
        back = time.monotonic()
        wait_until(
            lambda: WorkRecord.objects.filter(notes="Small phone").exists(), page=phone.page, timeout=30
        )
        print(f"\nsent {time.monotonic() - back:.1f} s after the network came back")
        assert WorkRecord.objects.filter(notes="Small phone").count() == 1
        assert WorkRecord.objects.get(notes="Small phone").completed_area_m2 == Decimal("4")
    finally:
        phone.close()

"""An open dashboard follows its figures (dashboard.views.live): the projects of its page with a
newer snapshot, rendered as on the board, in the asker's scope; nothing else, and no session
kept alive by the wait."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.sessions import REFRESHED_KEY
from dashboard.views import waiting_places
from enterprises.models import Job
from programs.models import ReviewState
from programs.review import review_set_state
from progress.models import ProgressSnapshot
from progress.services import progress_recompute

from .conftest import parse

pytestmark = pytest.mark.django_db


def live(client, figures, page=1):
    return client.get(reverse("dashboard:live"), {"figures": figures, "page": page})


def figures_seen(client) -> int:
    page = parse(client.get(reverse("dashboard:index")))
    return int(page.xpath("//div[@class='dashboard']/@data-figures")[0])


def verify_submitted_jobs(project, manager) -> None:
    for job in Job.objects.filter(review_state=ReviewState.SUBMITTED, business__centre__project=project):
        review_set_state(record=job, to_state=ReviewState.VERIFIED, by=manager)
    progress_recompute(project_ids=[project.pk], reason="test")


YOUTH_CARD = "//article[@data-indicator='youth_jobs']"


def youth_jobs_shown(html: str) -> str:
    return parse_fragment(html).xpath(f"{YOUTH_CARD}//span[@class='actual']")[0].text


def parse_fragment(html: str):
    from lxml import html as lxml_html

    return lxml_html.fromstring(html)


def test_the_page_says_the_newest_snapshot_it_shows(manager_client, demo):
    project, _manager = demo
    newest = ProgressSnapshot.objects.filter(target__project=project).latest("pk").pk
    assert figures_seen(manager_client) == newest


def test_nothing_newer_is_answered_204_after_the_wait(manager_client, settings):
    seen = figures_seen(manager_client)
    started = time.monotonic()
    response = live(manager_client, seen)
    assert response.status_code == 204
    assert time.monotonic() - started >= settings.DASHBOARD_LIVE_SECONDS


@pytest.fixture
def places_taken(settings):
    """Every waiting place of this process taken, as by that many open dashboards waiting."""
    settings.DASHBOARD_LIVE_WAITING = 2
    places = waiting_places(2)
    for _ in range(2):
        assert places.acquire(blocking=False)
    yield
    for _ in range(2):
        places.release()


def test_with_every_waiting_place_taken_a_page_is_answered_at_once_and_told_when_to_ask(
    manager_client, places_taken, settings
):
    settings.DASHBOARD_LIVE_SECONDS = 30  # a page that waited would be answered after 30 s
    seen = figures_seen(manager_client)
    started = time.monotonic()
    response = live(manager_client, seen)
    assert response.status_code == 204
    assert response["Retry-After"] == "30"
    assert time.monotonic() - started < 30  # not after the wait


def test_with_every_waiting_place_taken_a_change_already_there_is_still_sent(
    manager_client, demo, places_taken
):
    project, manager = demo
    seen = figures_seen(manager_client)
    verify_submitted_jobs(project, manager)
    answer = live(manager_client, seen).json()
    assert list(answer["projects"]) == [str(project.pk)]


def test_a_page_that_waited_gives_its_place_back(manager_client, settings):
    settings.DASHBOARD_LIVE_WAITING = 1
    seen = figures_seen(manager_client)
    for _ in range(2):  # the second waits too: the first one's place was given back
        started = time.monotonic()
        assert live(manager_client, seen).status_code == 204
        assert time.monotonic() - started >= settings.DASHBOARD_LIVE_SECONDS
    assert waiting_places(1).acquire(blocking=False)
    waiting_places(1).release()


def test_a_verify_counted_is_sent_as_its_project_rendered_as_on_the_board(manager_client, demo):
    project, manager = demo
    seen = figures_seen(manager_client)
    before = youth_jobs_shown(manager_client.get(reverse("dashboard:index")).content.decode())
    verify_submitted_jobs(project, manager)

    answer = live(manager_client, seen).json()

    assert answer["figures"] == ProgressSnapshot.objects.latest("pk").pk > seen
    assert list(answer["projects"]) == [str(project.pk)]
    board = manager_client.get(reverse("dashboard:index")).content.decode()
    assert youth_jobs_shown(answer["projects"][str(project.pk)]) == youth_jobs_shown(board) != before
    assert live(manager_client, answer["figures"]).status_code == 204  # nothing newer since


def test_field_staff_get_their_neighbourhoods_figures_only(client, demo, bel_air_staff):
    project, manager = demo
    client.force_login(bel_air_staff)
    seen = figures_seen(client)
    verify_submitted_jobs(project, manager)

    section = live(client, seen).json()["projects"][str(project.pk)]

    assert "Bel Air" in section
    assert "Fort National" not in parse_fragment(section).xpath(f"string({YOUTH_CARD})")
    board = client.get(reverse("dashboard:index")).content.decode()
    assert youth_jobs_shown(section) == youth_jobs_shown(board)


@pytest.mark.parametrize("figures", ["", "abc", "1.5", "9" * 400])
def test_a_figures_mark_that_is_not_a_number_is_refused_with_a_message(manager_client, figures):
    response = live(manager_client, figures)
    if figures == "9" * 400:  # a number, larger than any snapshot: nothing newer
        assert response.status_code == 204
        return
    assert response.status_code == 400
    assert response.json() == {"figures": ["Give the newest snapshot the page shows, a number."]}


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = live(client, 0)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the session: 30 idle minutes, not moved by an open page -----------------------------------


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_waiting_for_figures_does_not_keep_the_session_alive(manager_client):
    seen = figures_seen(manager_client)
    before = expiry(manager_client)
    time.sleep(0.01)
    assert live(manager_client, seen).status_code == 204
    assert "sessionid" not in live(manager_client, seen).cookies
    assert expiry(manager_client) == before
    manager_client.get(reverse("dashboard:index"))  # a page the person asked for does
    assert expiry(manager_client) > before


def test_the_session_expiry_moves_at_most_once_a_minute(manager_client, settings):
    settings.SESSION_REFRESH_SECONDS = 60
    manager_client.get(reverse("dashboard:index"))
    first = expiry(manager_client)
    manager_client.get(reverse("dashboard:index"))
    assert expiry(manager_client) == first  # within the minute: not written

    session = manager_client.session
    session[REFRESHED_KEY] -= 61
    session.save()
    manager_client.get(reverse("dashboard:index"))
    assert expiry(manager_client) > first

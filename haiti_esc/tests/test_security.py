"""Security settings at work: headers, no inline script, login throttling, deploy checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from conftest import make_user
from programs import roles

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client):
    make_user("sec-staff", roles.FIELD_STAFF)
    client.login(username="sec-staff", password="pw-sec-staff")
    for url in [reverse("login"), reverse("field:home")]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", csp)[1]
        assert script_src.strip() == "'self'", csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_of_a_logged_in_user_are_never_cached(client):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")
    make_user("sec-cache", roles.FIELD_STAFF)
    client.login(username="sec-cache", password="pw-sec-cache")
    assert "no-store" in client.get(reverse("field:home"))["Cache-Control"]


def test_no_template_holds_an_inline_script():
    inline = []
    for template in (ROOT / "templates").rglob("*.html"):
        for match in re.finditer(r"<script(?P<attrs>[^>]*)>", template.read_text()):
            if "src=" not in match["attrs"] and 'type="application/json"' not in match["attrs"]:
                inline.append(str(template.relative_to(ROOT)))
    assert inline == []


def test_sessions_expire_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_with_a_clear_message(client, caplog):
    make_user("sec-locked", roles.FIELD_STAFF)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "sec-locked", "password": "wrong-guess-1"})
    assert response.status_code == 429
    assert "Account locked" in response.content.decode() or "verrouillé" in response.content.decode()
    response = client.post(reverse("login"), {"username": "sec-locked", "password": "pw-sec-locked"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "wrong-guess-1" not in caplog.text


MARKUP = "<script>alert(1)</script>"


def person_with_markup_in_the_name(username: str):
    """A Bel Air beneficiary whose first name is markup, and a field staff member of Bel Air."""
    from beneficiaries.tests.factories import BeneficiaryFactory
    from programs.tests.factories import NeighbourhoodFactory

    hood = NeighbourhoodFactory(name="Bel Air")
    make_user(username, roles.FIELD_STAFF, neighbourhoods=[hood])
    return BeneficiaryFactory(neighbourhood=hood, code="BA-6666", first_name=MARKUP)


@pytest.mark.django_db
def test_stored_text_is_escaped(client):
    person = person_with_markup_in_the_name("sec-esc")
    client.login(username="sec-esc", password="pw-sec-esc")
    results = client.get(reverse("field:beneficiary-search"), {"q": "BA-66"})
    # Data, not a page: field.js shows it as text (the next test), the browser never renders it.
    assert results["Content-Type"] == "application/json"
    assert results.json()["results"] == [{"code": "BA-6666", "name": f"{MARKUP} {person.last_name}"}]
    page = client.get(reverse("dashboard:beneficiary", args=[person.pk]))  # shows the name
    assert page.status_code == 200
    assert escape(MARKUP) in page.content.decode()
    assert MARKUP not in page.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_name_found_by_the_field_search_shows_as_text(login, live_server):
    person = person_with_markup_in_the_name("sec-esc-browser")
    page = login("sec-esc-browser", "pw-sec-esc-browser")
    page.goto(live_server.url + reverse("field:create", args=["jobs"]))
    page.fill("input[data-beneficiary-search]", "BA-66")
    found = page.locator(".autocomplete-list button")
    found.wait_for()
    assert found.text_content() == f"BA-6666 — {MARKUP} {person.last_name}"
    assert page.locator(".autocomplete-list script").count() == 0


def test_production_settings_pass_the_deploy_checks_at_warning_level():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="haiti_esc.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="esc.example.org",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr

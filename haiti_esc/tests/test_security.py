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


@pytest.mark.django_db
def test_stored_text_is_escaped(client):
    from enterprises.tests.factories import BeneficiaryFactory
    from programs.tests.factories import NeighbourhoodFactory

    hood = NeighbourhoodFactory(name="Bel Air")
    BeneficiaryFactory(neighbourhood=hood, code="BA-6666", first_name="<script>alert(1)</script>")
    make_user("sec-esc", roles.FIELD_STAFF, neighbourhoods=[hood])
    client.login(username="sec-esc", password="pw-sec-esc")
    results = client.get(reverse("field:beneficiary-search"), {"q": "BA-66"})
    assert "<script>" not in results.content.decode().replace("\\u003c", "<") or results.json()["results"]
    page = client.get(reverse("field:create", args=["jobs"]))
    assert "<script>alert(1)</script>" not in page.content.decode()


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

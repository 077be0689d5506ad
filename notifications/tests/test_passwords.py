"""Password reset by e-mail through a real SMTP server: the link sets a password once; an unknown
address gets the same answer; requests are limited per address and per IP."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.language import language_choose

from .conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_earlier_requests():
    """The limits' counts are in the throttle cache (the root conftest empties it after a test)."""
    caches[django_settings.THROTTLE_CACHE].clear()


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(
        "reset-manager", "reset-manager@example.org", "old-pass-2014"
    )


def without_csrf(content: bytes) -> bytes:
    """The page less its CSRF tokens, masked anew in each response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def reset_link(message) -> str:
    return re.search(r"http://testserver(/accounts/reset/\S+/)", text_of(message)).group(1)


def test_the_mail_arrives_and_its_link_sets_a_new_password_once(smtp_server, manager, client):
    response = client.post(reverse("password_reset"), {"email": manager.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")

    (mail,) = smtp_server.to(manager.email)
    assert text_of(mail, "html")
    link = reset_link(mail)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Nouveau-mot-2026", "new_password2": "Nouveau-mot-2026"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    manager.refresh_from_db()
    assert manager.check_password("Nouveau-mot-2026")

    again = client.get(link, follow=True)
    assert b"data-invalid-link" in again.content


def test_an_unknown_address_gets_the_same_answer_as_a_known_one(smtp_server, manager, client):
    known = client.post(reverse("password_reset"), {"email": manager.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert len(smtp_server.messages()) == 1


def test_the_mail_is_in_the_recipients_language(smtp_server, manager, client):
    language_choose(user=manager, language="fr")
    client.post(reverse("password_reset"), {"email": manager.email}, HTTP_ACCEPT_LANGUAGE="en")
    (mail,) = smtp_server.to(manager.email)
    assert "/accounts/reset/" in text_of(mail)
    assert "mot de passe" in mail["Subject"].lower()


def test_without_a_language_of_their_own_the_mail_is_in_the_language_they_asked_in(
    smtp_server, manager, client
):
    client.post(reverse("password_reset"), {"email": manager.email}, HTTP_ACCEPT_LANGUAGE="ht")
    (mail,) = smtp_server.to(manager.email)
    assert "modpas" in mail["Subject"].lower() and "modpas" in text_of(mail).lower()


def test_requests_are_limited_per_address_and_per_ip(smtp_server, manager, client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": manager.email}).status_code == 302
    limited = client.post(reverse("password_reset"), {"email": manager.email})
    assert limited.status_code == 429 and b"data-rate-limited" in limited.content
    assert len(smtp_server.messages()) == 2
    # The same answer for an unknown address past the limit.
    for _ in range(3):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 429

    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 100
    settings.PASSWORD_RESET_LIMIT_PER_IP = 6  # 6 requests so far: the 7th is refused
    assert client.post(reverse("password_reset"), {"email": "other@example.org"}).status_code == 429


class TokenMadeAt(PasswordResetTokenGenerator):
    """Django's reset token, as it would have been made at `moment`."""

    def __init__(self, moment: datetime.datetime):
        super().__init__()
        self.moment = moment

    def _now(self) -> datetime.datetime:
        return self.moment


def confirm_url(user, token: str) -> str:
    return reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), token])


def test_the_link_expires_after_password_reset_timeout(manager, client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
    now = datetime.datetime.now()
    fresh = TokenMadeAt(now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60))
    stale = TokenMadeAt(now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))

    expired = client.get(confirm_url(manager, stale.make_token(manager)), follow=True)
    assert b"data-invalid-link" in expired.content and b"new_password1" not in expired.content
    valid = client.get(confirm_url(manager, fresh.make_token(manager)), follow=True)
    assert b"new_password1" in valid.content and b"data-invalid-link" not in valid.content


def test_the_login_page_leads_to_the_password_reset(client):
    """A person who forgot their password finds the way from the login page, in their language."""
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ht")
    assert f'href="{reverse("password_reset")}"'.encode() in page.content
    assert "Ou bliye modpas ou?" in page.content.decode()


def test_a_limited_request_says_when_to_come_back(smtp_server, client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 1
    assert client.post(reverse("password_reset"), {"email": "a@example.org"}).status_code == 302
    limited = client.post(reverse("password_reset"), {"email": "b@example.org"})
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(smtp_server, client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.PASSWORD_RESET_LIMIT_PER_IP = 1
    url = reverse("password_reset")
    first = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.1"}
    assert client.post(url, {"email": "a@example.org"}, **first).status_code == 302
    assert client.post(url, {"email": "b@example.org"}, **first).status_code == 429
    spoofed = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9, 203.0.113.1"}
    assert client.post(url, {"email": "c@example.org"}, **spoofed).status_code == 429
    second = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert client.post(url, {"email": "d@example.org"}, **second).status_code == 302


@pytest.mark.raw_second_factor
def test_a_reset_password_ends_every_session_of_the_person(smtp_server, client):
    """A person who fears their password leaked resets it: a session opened with it ends too."""
    from accounts.testing import second_factor_device, totp_code
    from conftest import make_user
    from programs import roles

    manager = make_user("reset-mfa", roles.ILO_MANAGERS)
    manager.email = "reset-mfa@example.org"
    manager.save()
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": "reset-mfa", "password": "pw-reset-mfa"})
    elsewhere.post(
        reverse("accounts:second-factor-verify"), {"code": totp_code(second_factor_device(manager))}
    )
    assert elsewhere.get("/dashboard/").status_code == 200
    client.post(reverse("password_reset"), {"email": manager.email})
    (mail,) = smtp_server.to(manager.email)
    form = client.get(reset_link(mail), follow=True)
    data = {"new_password1": "Nouveau-mot-2026", "new_password2": "Nouveau-mot-2026"}
    assert client.post(form.redirect_chain[-1][0], data).status_code == 302
    assert elsewhere.get("/dashboard/").status_code == 302
    assert "_auth_user_id" not in elsewhere.session

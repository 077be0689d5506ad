"""Password reset by e-mail through a real SMTP server: the link sets a password once; an unknown
address gets the same answer; requests are limited per address and per IP."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.language import language_choose

from .conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_earlier_requests():
    cache.clear()
    yield
    cache.clear()


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

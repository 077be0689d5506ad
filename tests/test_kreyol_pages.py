"""Every page of the permission matrix in Kreyòl (issue 15): the same answer as in French for
every role, and no English sentence of the project's catalogue in what a person reads."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_permission_matrix import MATRIX, ROLES, client_for, resolve_args, world  # noqa: F401

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "ht" / "LC_MESSAGES" / "django.po"
#: Swagger UI's own page: the API's documentation for developers, in Swagger's English.
NOT_TRANSLATED = {"interop:api-docs"}
SERVED_AS_KREYOL = re.compile(r'<html[^>]*\blang="ht"')
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


def english_sentences() -> list[str]:
    """The project's English sentences (four words or more, no placeholder): none may be left in a
    page read in Kreyòl, whether its translation is missing, left in English or not applied."""
    return [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if len(entry.msgid.split()) >= 4
        and "%" not in entry.msgid
        and "{" not in entry.msgid
        and "<" not in entry.msgid
    ]


def visible_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(html.unescape(TAGS.sub(" ", body.decode(errors="replace"))).split())


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_every_page_answers_in_kreyol_as_in_french_with_no_english_sentence(world):  # noqa: F811
    sentences = english_sentences()
    assert len(sentences) > 100  # the check has something to look for
    problems = []
    for role in ROLES:
        french = in_language(client_for(world["users"][role]), "fr")
        kreyol = in_language(client_for(world["users"][role]), "ht")
        for name, case in sorted(MATRIX.items()):
            url = reverse(name, args=resolve_args(case, world, own=True))
            in_french = getattr(french, case.method)(url, case.data)
            in_kreyol = getattr(kreyol, case.method)(url, case.data)
            if in_kreyol.status_code != in_french.status_code:
                problems.append((name, role, in_french.status_code, in_kreyol.status_code))
            is_page = in_kreyol.get("Content-Type", "").startswith("text/html")
            if in_kreyol.status_code == 200 and is_page and name not in NOT_TRANSLATED:
                text = visible_text(in_kreyol)
                if not SERVED_AS_KREYOL.search(in_kreyol.content.decode(errors="replace")):
                    problems.append((name, role, "not served as ht"))
                problems += [(name, role, sentence) for sentence in sentences if sentence in text]
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("page", ["field:home", "dashboard:index", "login"])
def test_the_main_pages_are_served_in_kreyol(world, page):  # noqa: F811
    client = in_language(client_for(world["users"]["staff"] if page != "login" else None), "ht")
    response = client.get(reverse(page))
    text = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ht">' in text
    assert any(word in text for word in ("Konekte", "Katye", "Bonjou", "Tablo"))


@pytest.mark.parametrize(("language", "field"), [("ht", "title_ht"), ("fr", "title_fr"), ("en", "title")])
def test_the_project_is_named_in_the_readers_language(world, language, field):  # noqa: F811
    """The project's title written in Kreyòl (or French) is the one its readers see."""
    project = world["project"]
    project.title, project.title_fr, project.title_ht = "Service centres", "Centres de services", "Sant sèvis"
    project.save()
    client = in_language(client_for(world["users"]["manager"]), language)
    for page in (reverse("dashboard:index"), reverse("reports:index")):
        text = visible_text(client.get(page))
        assert getattr(project, field) in text
        others = {"title", "title_fr", "title_ht"} - {field}
        assert not any(getattr(project, other) in text for other in others), (page, text[:300])


def test_the_password_rules_read_in_kreyol(world):  # noqa: F811
    """Django's password rules under a new-password field and its refusals: Kreyòl, not French."""
    client = in_language(client_for(world["users"]["staff"]), "ht")
    page = visible_text(client.get(reverse("password_change")))
    assert "Modpas ou dwe gen omwen 8 karaktè." in page
    refused = client.post(
        reverse("password_change"), {"old_password": "x", "new_password1": "1234", "new_password2": "12345"}
    )
    text = visible_text(refused)
    assert "De modpas yo pa menm." in text
    assert "mot de passe" not in (page + text).lower()


@pytest.mark.parametrize(
    "page",
    ["admin:beneficiaries_beneficiary_changelist", "admin:beneficiaries_beneficiary_add", "admin:index"],
)
def test_the_beneficiaries_admin_frame_reads_in_kreyol(world, page):  # noqa: F811
    """The admin's own words around the beneficiaries' pages: Kreyòl, not the French fallback."""
    client = in_language(client_for(world["users"]["administrator"]), "ht")
    text = visible_text(client.get(reverse(page)))
    assert "Gade sit la" in text and "Ale dirèkteman nan kontni an" in text
    assert not any(french in text for french in ("Voir le site", "Passer au contenu", "Enregistrer et"))

"""The interface in French and Haitian Creole (issue 15): both catalogues complete and in step
with the code, and the Kreyòl one a translation, not a copy of the French."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
#: Where a Kreyòl text may equal the French one: names, units, codes, acronyms and words the two
#: languages share. Kept short; the test below caps the share at 3 %.
SAME_IN_BOTH = {
    "API",
    "CSV",
    "XLSX",
    "IATI",
    "JSON",
    "GPS",
    "m²",
    "OIT",
    "MINUSTAH",
    "ID",
    "Total",
    "Port-au-Prince",
}
MAX_IDENTICAL_SHARE = 0.03
#: Where a Kreyòl text may equal the English message: month abbreviations the languages share,
#: codes, and a text made only of placeholders.
SAME_AS_ENGLISH = {"jan", "sep", "nov", "PDF", "XLSX", "%(record)s: %(state)s."}
DOMAINS = ("django", "djangojs")
_spec = importlib.util.spec_from_file_location("messages_script", ROOT / "scripts" / "messages.py")
messages_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(messages_script)


def catalogue(language: str, domain: str = "django") -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))


def keys(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", ["fr", "ht"])
def test_every_message_is_translated_and_none_is_fuzzy(language, domain):
    po = catalogue(language, domain)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert (untranslated[:20], fuzzy[:20]) == ([], [])
    assert po.percent_translated() == 100


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_creole_catalogue_has_every_message_of_the_french_one(domain):
    assert keys(catalogue("fr", domain)) - keys(catalogue("ht", domain)) == set()


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_creole_catalogue_is_a_translation_not_a_copy_of_the_french(domain):
    french = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in catalogue("fr", domain)}
    identical = sorted(
        entry.msgid
        for entry in catalogue("ht", domain)
        if (entry.msgstr or entry.msgstr_plural.get(0, "")) == french.get((entry.msgctxt, entry.msgid))
        and (entry.msgstr or entry.msgstr_plural.get(0, "")) not in SAME_IN_BOTH
    )
    share = len(identical) / len(catalogue("ht", domain))
    assert share <= MAX_IDENTICAL_SHARE, f"{len(identical)} Kreyòl texts equal the French: {identical[:40]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_creole_text_is_left_in_english(domain):
    """A Kreyòl text equal to its English message is a translation never made (the French test
    above does not see it): only the shared words, codes and placeholders-only texts may be."""
    left = sorted(
        entry.msgid
        for entry in catalogue("ht", domain)
        if (entry.msgstr or entry.msgstr_plural.get(0, "")) == entry.msgid
        and entry.msgid not in SAME_IN_BOTH | SAME_AS_ENGLISH
    )
    assert left == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogues_compile_and_the_compiled_files_are_current(tmp_path, domain):
    for language in ("fr", "ht"):
        source = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
        compiled = tmp_path / f"{language}.mo"
        subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(source)], check=True)  # noqa: S603, S607
        assert polib.mofile(str(compiled)) == polib.mofile(str(source.with_suffix(".mo"))), (
            f"locale/{language}/LC_MESSAGES/{domain}.mo is older than its .po: run compilemessages"
        )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are part of `make test`'s setup")
@pytest.mark.parametrize("domain", DOMAINS)
def test_makemessages_leaves_both_catalogues_unchanged(tmp_path, domain):
    """The catalogues are in step with the code: extracting the messages again, as `make messages`
    does, changes no message and no location (so the files stay as they are in git)."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "media", "node_modules", ".run"),
    )
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "makemessages", "-d", domain, *messages_script.MAKEMESSAGES_OPTIONS],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    for language in ("fr", "ht"):
        before = catalogue(language, domain)
        after = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"))
        assert keys(after) == keys(before), (
            f"{language} {domain}: messages added or removed in the code since the catalogue"
        )
        where = {(e.msgctxt, e.msgid): sorted(e.occurrences) for e in before}
        moved = [e.msgid for e in after if sorted(e.occurrences) != where[(e.msgctxt, e.msgid)]]
        assert moved == [], f"{language} {domain}: messages moved to other files; run make messages"

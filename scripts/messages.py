"""Bring the catalogues in step with the code: `make messages`.

Extracts the messages (fr, ht; Python and templates into `django`, the browser's scripts into
`djangojs`), turns fuzzy guesses into untranslated entries (a guess is never shipped), fills
Django's own strings listed in `haiti_esc/django_strings.py` from Django's French catalogues,
compiles, and prints what is left to translate by hand.

Locations name the file only, and the header's creation date is kept when no message changed:
running it on catalogues in step with the code leaves them byte for byte as they were.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import django
import import_export
import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "ht")
DOMAINS = ("django", "djangojs")
IGNORE = [".venv/*", "staticfiles/*", "media/*", "bench/*", "*/tests/*", "tests/*", "node_modules/*"]
#: What `makemessages` is given besides the domain (the catalogue test runs the same).
MAKEMESSAGES_OPTIONS = [
    *(arg for language in LANGUAGES for arg in ("-l", language)),
    "--no-obsolete",
    "--add-location=file",
    *(f"--ignore={pattern}" for pattern in IGNORE),
]
DJANGO = Path(django.__file__).parent
IMPORT_EXPORT = Path(import_export.__file__).parent
#: The French catalogues of Django and of the apps whose strings the project's catalogue carries.
DJANGO_FRENCH = [
    DJANGO / "conf/locale/fr/LC_MESSAGES/django.po",
    DJANGO / "contrib/auth/locale/fr/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/fr/LC_MESSAGES/django.po",
    IMPORT_EXPORT / "locale/fr/LC_MESSAGES/django.po",
]
CREATED = "POT-Creation-Date"


def path_of(language: str, domain: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def plural_forms(po: polib.POFile) -> int:
    """The catalogue's number of plural forms (its header's nplurals)."""
    return int(re.search(r"nplurals\s*=\s*(\d+)", po.metadata["Plural-Forms"]).group(1))


def entries_of(po: polib.POFile) -> list[str]:
    """The catalogue without its header: what decides whether anything changed."""
    return [str(entry) for entry in po]


def main() -> int:
    manage = [sys.executable, "manage.py"]
    before = {
        (language, domain): polib.pofile(str(path_of(language, domain)))
        for language in LANGUAGES
        for domain in DOMAINS
        if path_of(language, domain).exists()
    }
    for domain in DOMAINS:
        subprocess.run([*manage, "makemessages", "-d", domain, *MAKEMESSAGES_OPTIONS], cwd=ROOT, check=True)  # noqa: S603
    django_french = {}
    for path in DJANGO_FRENCH:
        for entry in polib.pofile(str(path)):
            if entry.translated():
                django_french.setdefault((entry.msgctxt, entry.msgid), entry)
    left = 0
    for language in LANGUAGES:
        for domain in DOMAINS:
            po = polib.pofile(str(path_of(language, domain)))
            for entry in po.fuzzy_entries():
                entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
                entry.msgstr = ""
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            if language == "fr" and domain == "django":
                for entry in po.untranslated_entries():
                    if known := django_french.get((entry.msgctxt, entry.msgid)):
                        entry.msgstr = known.msgstr
                        if entry.msgid_plural and known.msgstr_plural:
                            # Django's French files carry a third form its nplurals=2 refuses.
                            forms = plural_forms(po)
                            entry.msgstr_plural = {n: known.msgstr_plural[n] for n in range(forms)}
            old = before.get((language, domain))
            if old is not None and entries_of(old) == entries_of(po) and CREATED in old.metadata:
                po.metadata[CREATED] = old.metadata[CREATED]
            po.save()
            missing = [entry.msgid for entry in po.untranslated_entries()]
            left += len(missing)
            print(f"{language} {domain}: {len(po)} messages, {len(missing)} to translate")
            for msgid in missing:
                print(f"  {msgid!r}")
    subprocess.run([*manage, "compilemessages", "--ignore=.venv"], cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())

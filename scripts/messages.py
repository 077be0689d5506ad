"""Bring the catalogues in step with the code: `make messages`.

Extracts the messages (fr, ht; Python, templates), turns fuzzy guesses into untranslated entries
(a guess is never shipped), fills Django's own strings listed in `haiti_esc/django_strings.py`
from Django's French catalogues, compiles, and prints what is left to translate by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import django
import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "ht")
IGNORE = [".venv/*", "staticfiles/*", "media/*", "bench/*", "*/tests/*", "tests/*", "node_modules/*"]
DJANGO = Path(django.__file__).parent
DJANGO_FRENCH = [
    DJANGO / "conf/locale/fr/LC_MESSAGES/django.po",
    DJANGO / "contrib/auth/locale/fr/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/fr/LC_MESSAGES/django.po",
]


def main() -> int:
    manage = [sys.executable, "manage.py"]
    languages = [arg for language in LANGUAGES for arg in ("-l", language)]
    ignores = [f"--ignore={pattern}" for pattern in IGNORE]
    subprocess.run([*manage, "makemessages", *languages, "--no-obsolete", *ignores], cwd=ROOT, check=True)  # noqa: S603
    django_french = {}
    for path in DJANGO_FRENCH:
        for entry in polib.pofile(str(path)):
            if entry.translated():
                django_french.setdefault((entry.msgctxt, entry.msgid), entry)
    left = 0
    for language in LANGUAGES:
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        for entry in po.fuzzy_entries():
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        if language == "fr":
            for entry in po.untranslated_entries():
                if known := django_french.get((entry.msgctxt, entry.msgid)):
                    entry.msgstr = known.msgstr
                    if entry.msgid_plural and known.msgstr_plural:
                        entry.msgstr_plural = dict(known.msgstr_plural)
        po.save()
        missing = [entry.msgid for entry in po.untranslated_entries()]
        left += len(missing)
        print(f"{language}: {len(po)} messages, {len(missing)} to translate")
        for msgid in missing:
            print(f"  {msgid!r}")
    subprocess.run([*manage, "compilemessages", "--ignore=.venv"], cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())

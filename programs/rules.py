"""Domain rules shared by every field record: dates within the partnership, ages.

The same rules are enforced in PostgreSQL by triggers (see `programs.db_rules`), so a
write that skips `full_clean()` is refused too.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

#: ILO Convention 138: 15 is the general minimum age for work (Haiti's declared age).
MIN_AGE_WORK = 15
#: ILO Conventions 138 and 182: construction is hazardous work, 18 at least.
MIN_AGE_HAZARDOUS_WORK = 18
#: Words that make a role or a business's activity construction or rehabilitation work, which is
#: hazardous (ILO Recommendation 190): English, French and Kreyòl, matched anywhere in the text as
#: `hazard_text` reads it (no accents, no case, no invisible characters), the same way by `clean()`
#: and by the database trigger. A site worker's usual names count ("ouvrier de chantier",
#: "ferrailleur", "peintre en bâtiment"), not only the trade's.
HAZARDOUS_WORK_WORDS = (
    "construction",
    "konstriksyon",
    "mason",
    "maçon",
    "masonry",
    "maçonnerie",
    "bricklay",
    "rehabilitation",
    "réhabilitation",
    "reyabilitasyon",
    "retaining wall",
    "mur de soutènement",
    "demolition",
    "démolition",
    "demolisyon",
    "scaffold",
    "échafaud",
    "welding",
    "welder",
    "soudure",
    "soudeur",
    "roofing",
    "toiture",
    "charpent",
    "carpent",
    "chapant",
    "rubble",
    "déblai",
    "paving",
    "pavage",
    "block making",
    "parpaing",
    "chantier",
    "chantye",
    "bâtiment",
    "batiman",
    "ferraill",
    "rebar",
    "coffreur",
    "formwork",
    "terrassier",
    "terrassement",
    "earthwork",
    "excavat",
)
#: Age bands of youth jobs in the breakdowns and filters (inclusive bounds, years).
AGE_BANDS: tuple[tuple[int, int], ...] = ((15, 17), (18, 24), (25, 29), (30, 35))


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in completed years on `day` (a 29 February birthday falls on 1 March)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def activity_date_errors(
    field: str, value: datetime.date | None, signed_on: datetime.date | None
) -> dict[str, ValidationError]:
    """Refuse a date before the partnership's signing or in the future."""
    if value is None:
        return {}
    if signed_on is not None and value < signed_on:
        return {
            field: ValidationError(
                _("This date is before the partnership was signed (%(signed)s).")
                % {"signed": date_format(signed_on)},
                code="before_signing",
            )
        }
    if value > timezone.localdate():
        return {
            field: ValidationError(
                _("This date is in the future; only what has happened can be recorded."),
                code="in_future",
            )
        }
    return {}


#: What `hazard_text` drops after decomposing the text (NFKD): combining marks (the accents), the
#: soft hyphen and the zero-width and direction characters that hide inside a word.
_IGNORED = "[\\u0300-\\u036f\\u00ad\\u200b-\\u200f\\u2060-\\u2064\\ufeff]"
_IGNORED_RE = re.compile(_IGNORED)  # Python's re reads \uXXXX as PostgreSQL's does


def hazard_text(text: str | None) -> str:
    """`text` as the hazardous-work rule reads it: decomposed (full-width letters become plain,
    "ç" becomes "c" and a cedilla, which goes), invisible characters gone, lower case."""
    return _IGNORED_RE.sub("", unicodedata.normalize("NFKD", text or "")).lower()


_WORDS = tuple(sorted({hazard_text(word) for word in HAZARDOUS_WORK_WORDS}))
if not all(re.fullmatch(r"[a-z ]+", word) for word in _WORDS):  # they go into SQL and a regex as they are
    raise ValueError("HAZARDOUS_WORK_WORDS: letters and spaces only")


def hazardous_words_in(text: str | None) -> bool:
    """Whether `text` names construction or rehabilitation work (see HAZARDOUS_WORK_WORDS)."""
    read = hazard_text(text)
    return any(word in read for word in _WORDS)


def hazardous_words_sql(expression: str) -> str:
    """The same test in SQL, for the database's triggers (PostgreSQL's `normalize`, UTF-8)."""
    read = f"lower(regexp_replace(normalize(coalesce({expression}, ''), NFKD), '{_IGNORED}', '', 'g'))"
    return f"({read} ~ '({'|'.join(_WORDS)})')"

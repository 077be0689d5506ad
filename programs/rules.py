"""Domain rules shared by every field record: dates within the partnership, ages.

The same rules are enforced in PostgreSQL by triggers (see `programs.db_rules`), so a
write that skips `full_clean()` is refused too.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

#: ILO Convention 138: 15 is the general minimum age for work (Haiti's declared age).
MIN_AGE_WORK = 15
#: ILO Conventions 138 and 182: construction is hazardous work, 18 at least.
MIN_AGE_HAZARDOUS_WORK = 18
#: Words that make a role or a business's activity construction or rehabilitation work, which is
#: hazardous (ILO Recommendation 190): English, French and Kreyòl, lower case, matched anywhere
#: in the text, the same way by `clean()` and by the database trigger.
HAZARDOUS_WORK_WORDS = (
    "construction",
    "konstriksyon",
    "mason",
    "maçon",
    "masonry",
    "maçonnerie",
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
    "rubble",
    "déblai",
    "paving",
    "pavage",
    "block making",
    "parpaing",
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


def hazardous_words_in(text: str) -> bool:
    """Whether `text` names construction or rehabilitation work (see HAZARDOUS_WORK_WORDS)."""
    lowered = (text or "").lower()
    return any(word in lowered for word in HAZARDOUS_WORK_WORDS)


def hazardous_words_sql(expression: str) -> str:
    """The same test in SQL, for the database's triggers."""
    tests = [f"position('{word}' in lower(coalesce({expression}, ''))) > 0" for word in HAZARDOUS_WORK_WORDS]
    return "(" + " OR ".join(tests) + ")"

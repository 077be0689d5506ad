"""Haitian Creole for Django, which has no `ht` locale of its own (its LANG_INFO lacks it)."""

from django.conf.locale import LANG_INFO

HAITIAN_CREOLE = {
    "bidi": False,
    "code": "ht",
    "name": "Haitian Creole",
    "name_local": "Kreyòl ayisyen",
}


def add_haitian_creole() -> None:
    """Make `ht` a language Django knows (names, direction), once, at settings load."""
    LANG_INFO.setdefault("ht", HAITIAN_CREOLE)

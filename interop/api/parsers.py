"""Request bodies the API reads: JSON that no depth of nesting turns into a server error."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 where Python's `json` gives up on deep nesting
    (`[[[[…]]]]` a hundred thousand deep raises RecursionError, a 500 before this)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error: the document is nested too deeply.")) from error
        if _holds_lone_surrogate(data):
            # "\ud800" is valid JSON but no text: echoed in a message, it cannot be encoded.
            raise ParseError(_("JSON parse error: the document holds a character that is not text."))
        return data


def _holds_lone_surrogate(value) -> bool:
    """Whether a parsed JSON value holds a lone UTF-16 surrogate, in a key or a string."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= char <= "\udfff" for char in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False

"""Request bodies the API reads: JSON that no depth of nesting turns into a server error."""

from __future__ import annotations

import codecs

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import get_encoding
from rest_framework.utils import json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 where Python's `json` gives up on deep nesting
    (`[[[[…]]]]` a hundred thousand deep raises RecursionError, a 500 before this), and saying
    in the person's language why NaN or Infinity is refused (DRF's message is Python's, in English)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = _load(stream, get_encoding(parser_context or {}))
        except RecursionError as error:
            raise ParseError(_("JSON parse error: the document is nested too deeply.")) from error
        if _holds_lone_surrogate(data):
            # "\ud800" is valid JSON but no text: echoed in a message, it cannot be encoded.
            raise ParseError(_("JSON parse error: the document holds a character that is not text."))
        return data


def _load(stream, encoding: str):
    """DRF's strict JSON load (no NaN, no Infinity), its messages translated."""
    try:
        return json.load(codecs.getreader(encoding)(stream), parse_constant=_not_a_number)
    except ValueError as error:
        raise ParseError(_("JSON parse error: %(detail)s") % {"detail": error}) from error


def _not_a_number(constant: str):
    """NaN, Infinity and -Infinity are JavaScript's, not JSON's: refused, and said so."""
    raise ParseError(_("JSON parse error: NaN and Infinity are not numbers in JSON; send a number."))


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

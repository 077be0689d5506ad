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
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error: the document is nested too deeply.")) from error

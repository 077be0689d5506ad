"""What makes two sends of one entry the same entry: its one-time key (a UUID made by the form or
the phone's outbox) and a fingerprint of its content. The same key with the same content returns
the record it created; with other content it is refused (409)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping

#: Fields that change between two sends of one entry without changing the entry.
NOT_CONTENT = frozenset({"csrfmiddlewaretoken", "token", "version", "idempotency_key"})


def content_fingerprint(values: Mapping, files: Mapping | None = None) -> str:
    """A SHA-256 of the submitted values (every value of each key, in order) and of each file's
    bytes; `values` is a QueryDict, a dict of lists, or a parsed JSON object."""
    items = []
    for key in sorted(values):
        if key in NOT_CONTENT:
            continue
        items.append([key, _values(values, key)])
    for key in sorted(files or {}):
        for upload in _files(files, key):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            items.append([key, digest.hexdigest()])
    text = json.dumps(items, sort_keys=True, default=str, ensure_ascii=False)
    # A lone surrogate ("\ud800", which no real text holds) still hashes, never an error.
    return hashlib.sha256(text.encode(errors="surrogatepass")).hexdigest()


def _values(values: Mapping, key: str) -> list:
    if hasattr(values, "getlist"):
        return [str(value) for value in values.getlist(key)]
    value = values[key]
    return value if isinstance(value, list) else [value]


def _files(files: Mapping, key: str) -> Iterable:
    return files.getlist(key) if hasattr(files, "getlist") else [files[key]]


def parse_key(value: str | None) -> uuid.UUID | None:
    """An idempotency key as sent (a header or a field), or None when absent; ValueError if not a UUID."""
    if value in (None, ""):
        return None
    return uuid.UUID(str(value).strip())

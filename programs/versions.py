"""Versions kept in the shared cache: a number that the keys of kept things (the dashboard's
boards, users' permission sets) carry, so that one write makes every kept copy stale, in every
process (the Celery worker's included).

Values come from the clock: a version lost (the cache flushed, the key evicted) starts again from
a value no old copy carries. A cache that does not answer has no version: nothing kept is used.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)


class CacheVersion:
    def __init__(self, key: str):
        self.key = key

    def current(self, found: dict | None = None) -> int | None:
        """The version, or None when the cache does not answer. `found`: what a `get_many` that
        asked for this key returned (no second round trip when the version was there)."""
        try:
            value = found.get(self.key) if found is not None else cache.get(self.key)
            if value is None:
                cache.add(self.key, time.time_ns(), timeout=None)
                value = cache.get(self.key)
        except Exception:
            log.warning("cache unreachable: no version of %s", self.key, exc_info=True)
            return None
        return None if value is None else int(value)

    def bump(self) -> None:
        """A new version: every copy kept under an older one is stale."""
        try:
            cache.set(self.key, time.time_ns(), timeout=None)
        except Exception:
            log.warning("cache unreachable: %s not bumped", self.key, exc_info=True)

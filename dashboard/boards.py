"""Rendered dashboard boards, kept in the cache until the figures they show change.

At a thousand projects a page of ten boards costs about half a second to render (template
nodes, not queries: their number is fixed), while its figures change only when a snapshot is
written or a record they count is saved. A board is cached under its scope (everything, or
the neighbourhood ids), the page of projects and the language, with the generation it was
rendered at, and used only while that generation is current. The generation is bumped when any
model of the programme is saved or deleted (the receivers below: the secondary figures are live
counts, and project facts can be edited in the admin), and when the progress engine writes
snapshots in bulk (`programs.signals.records_changed`, sent by `programs.bulk.rows_copy`, in
whichever process, the Celery worker's included: the generation is in the shared cache). The
generation and the board are read in one round trip.

Nothing in the board depends on the request beyond these (no form, no user name), so a key
never shows one user's page to another who could not see it. An unreachable cache is a miss.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from programs.models import ReviewedRecord, ReviewState
from programs.versions import CacheVersion

from .scope import Scope

log = logging.getLogger(__name__)

GENERATION_KEY = "dashboard:generation"
GENERATION = CacheVersion(GENERATION_KEY)
#: Apps whose saves may change what a board shows; the models below are the exceptions.
WATCHED_APPS = frozenset({"programs", "beneficiaries", "fora", "enterprises", "rehab", "progress"})
#: Written on every request or review, never shown on a board.
UNWATCHED_MODELS = frozenset({"accessaudit", "formsubmission", "reviewevent"})
#: Pages beyond this are keyed as this one (the paginator shows the last page anyway).
MAX_PAGE = 100_000


BETWEEN_TAGS = re.compile(r">\s+<")


def compact(html: str) -> str:
    """A rendered board without the template's indentation between tags (a sixth of its bytes,
    sent on every view from the cache): whitespace between tags shows as one space either way,
    and the board has no <pre> or <textarea>."""
    return BETWEEN_TAGS.sub(">\n<", html)


def page_number(raw: str | None) -> int:
    """The page asked for, as the paginator will read it (anything not a number is page 1)."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, MAX_PAGE))


def generation() -> int | None:
    """The boards' generation; None when the cache does not answer (no board is reused)."""
    return GENERATION.current()


def bump() -> None:
    """Invalidate every cached board (they are kept with the generation they were rendered at)."""
    GENERATION.bump()


def board_slot(scope: Scope, page: int) -> str:
    """Where one page of boards of a scope, in the active language, is kept (with its version)."""
    who = "all" if scope.everything else "n" + "-".join(sorted(str(h.pk) for h in scope.neighbourhoods))
    return f"dashboard:board:{who}:{translation.get_language()}:{page}"


def cached_board(scope: Scope, page: int, render: Callable[[], str]) -> str:
    """The board's HTML from the cache when it was rendered at the current generation (read
    with it in one round trip), or rendered and stored."""
    slot = board_slot(scope, page)
    try:
        found = cache.get_many([GENERATION_KEY, slot])
    except Exception:
        log.warning("dashboard cache unreachable", exc_info=True)
        return render()
    version = GENERATION.current(found)
    if version is None:
        return render()
    kept = found.get(slot)
    if kept is not None and kept[0] == version:
        return kept[1]
    html = render()
    try:
        cache.set(slot, (version, html))
    except Exception:
        log.warning("dashboard cache unreachable: board not stored", exc_info=True)
    return html


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS or meta.model_name in UNWATCHED_MODELS:
        return False
    return not meta.model_name.startswith("historical")  # django-simple-history's audit rows


def _uncounted_save(instance) -> bool:
    """A field record saved in a state other than verified: boards count verified records only,
    so its save changes none (a field submission under load would otherwise drop every cached
    board, each re-rendered at the next view). A save that takes a record out of verified sends
    `programs.signals.progress_changed`, received here too."""
    return isinstance(instance, ReviewedRecord) and instance.review_state != ReviewState.VERIFIED


def record_changed(sender, using=None, action=None, **kwargs) -> None:
    """Receiver of post_save, post_delete, m2m_changed and the programme's `records_changed` and
    `progress_changed` (connected in DashboardConfig.ready).

    Bumped at once, so that the process that made the change sees it, and again after the
    commit: a board rendered by another request between the two, from data not yet committed
    to it, is not kept. Services that write in bulk (no post_save) send
    `programs.signals.records_changed`, received here too.
    """
    if not _watched(sender) or (action is not None and not action.startswith("post_")):
        return
    if kwargs.get("created") is not None and _uncounted_save(kwargs.get("instance")):  # post_save
        return
    bump()
    connection = transaction.get_connection(using)
    # One bump after the commit is enough however many rows the transaction saves.
    if connection.in_atomic_block and not any(entry[1] is bump for entry in connection.run_on_commit):
        transaction.on_commit(bump, using=using)

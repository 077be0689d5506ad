"""Writes of the interop app: asking for an export prepared in the background."""

from __future__ import annotations

import logging
import secrets

from django.db import transaction

from programs.access import may_view_personal_data
from programs.models import AccessAudit
from programs.services import audit_access

from . import exports

logger = logging.getLogger(__name__)


def job_export_request(*, user, language: str, path: str = "") -> str:
    """Queue the CSV of all jobs `user` may see; returns the token of its status page.

    The pending marker is written first, so the status page knows the token at once; if the
    broker cannot be reached the export is marked failed rather than left pending for ever.
    """
    exports.remove_old_exports(user.pk)
    token = secrets.token_urlsafe(16)
    pending = exports.export_path(user.pk, token, exports.ExportState.PENDING)
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.touch()
    what = f"jobs.csv {token} requested" + (" (with personal data)" if may_view_personal_data(user) else "")
    audit_access(user=user, action=AccessAudit.Action.EXPORT, what=what, path=path)

    def queue() -> None:
        from .tasks import build_job_export

        try:
            build_job_export.delay(user.pk, token, language)
        except Exception:  # kombu.OperationalError, redis.ConnectionError, OSError: broker down
            logger.warning("Could not queue the job export %s.", token, exc_info=True)
            exports.export_path(user.pk, token, exports.ExportState.FAILED).touch()
            pending.unlink(missing_ok=True)

    transaction.on_commit(queue)
    return token

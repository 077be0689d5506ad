"""Sessions that end 30 minutes after the person's last request (SESSION_COOKIE_AGE), written
at most once a minute, and never extended by an open page that only waits for figures."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils.cache import patch_vary_headers

#: When the session's expiry was last moved (seconds since the epoch), kept in the session.
REFRESHED_KEY = "_refreshed_at"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's with SESSION_SAVE_EVERY_REQUEST, less two writes.

    - A session saved less than SESSION_REFRESH_SECONDS ago and unchanged by the request is not
      written again: the idle timeout moves once a minute instead of on every request (a commit,
      three statements, on every page of every user under load).
    - A request its view marked `session_untouched` (the live dashboard's wait, which the open
      page sends again and again, dashboard.views.live) never moves it: otherwise an open
      dashboard would keep its session alive past the idle timeout, for ever.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500:
            # Django saves nothing after a 5xx (the database may be down: nothing is read here).
            return super().process_response(request, response)
        if session.modified or session.is_empty():
            return self._saved(request, response, session)
        if getattr(request, "session_untouched", False):
            return self._unsaved(response)
        if time.time() - session.get(REFRESHED_KEY, 0) < settings.SESSION_REFRESH_SECONDS:
            return self._unsaved(response)
        return self._saved(request, response, session)

    def _saved(self, request, response, session):
        if not session.is_empty():
            session[REFRESHED_KEY] = int(time.time())
        return super().process_response(request, response)

    @staticmethod
    def _unsaved(response):
        patch_vary_headers(response, ("Cookie",))
        return response

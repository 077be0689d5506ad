"""The test suite: PostgreSQL and Redis on 127.0.0.1 (started by scripts/services.sh)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://haiti_esc:haiti_esc@127.0.0.1:5432/haiti_esc")

from .base import *  # noqa: E402,F403

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".run" / "test-media"  # noqa: F405
# The suite never depends on a compressed manifest: plain storage keeps it fast.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PROGRESS_COALESCE_SECONDS = 0.5
PROGRESS_CATCH_UP_SECONDS = 1
# Assertions read English messages; French is tested by asking for it (Accept-Language: fr, and
# the browser tests' fr-FR locale), as field staff's phones do.
LANGUAGE_CODE = "en"
NOTIFICATIONS_FALLBACK_LANGUAGE = "en"
# Every request writes its session, as Django does: the query counts the tests assert do not
# depend on the clock (dashboard/tests/test_live.py sets the minute back to test it).
SESSION_REFRESH_SECONDS = 0
# An open dashboard's wait is short in tests (dashboard/tests/test_live.py).
DASHBOARD_LIVE_SECONDS = 1.0
DASHBOARD_LIVE_CHECK_SECONDS = 0.05

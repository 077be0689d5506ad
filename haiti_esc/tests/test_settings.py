"""Settings by environment, each imported in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
MAIL = (
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
)
#: Variables the settings read: none may leak in from the shell running the tests.
READ_BY_SETTINGS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "HTTPS", *MAIL)

SHOW_SETTINGS = f"""
import json
MAIL = {MAIL!r}
from django.conf import settings
print(json.dumps({{
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": str(settings.DATABASES["default"]["NAME"]),
    "HOST": settings.DATABASES["default"].get("HOST", ""),
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "SECURE_SSL_REDIRECT": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    **{{name: getattr(settings, name) for name in MAIL}},
}}))
"""


def run_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in READ_BY_SETTINGS}
    environment.update(DJANGO_SETTINGS_MODULE=f"haiti_esc.settings.{module}", **env)
    python = PYTHON if PYTHON.exists() else Path(sys.executable)
    return subprocess.run(
        [str(python), "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(module: str, **env: str) -> dict:
    result = run_settings(module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_secret_key(secret):
    env = {} if secret is None else {"SECRET_KEY": secret}

    result = run_settings("production", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert result.stdout == ""


def test_production_with_a_secret_key_starts_with_debug_off_and_secure_cookies():
    values = settings_of("production", SECRET_KEY="a-long-random-production-key")

    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == "a-long-random-production-key"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True


def test_local_with_nothing_set_runs_on_sqlite_with_eager_celery():
    values = settings_of("local")

    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(ROOT / "db.sqlite3")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"]


def test_local_with_database_and_redis_urls_uses_postgresql_and_a_real_broker():
    values = settings_of(
        "local",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/x",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "x"
    assert values["HOST"] == "127.0.0.1"
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def test_production_sends_mail_through_the_smtp_server_the_environment_names():
    values = settings_of(
        "production",
        SECRET_KEY="a-long-random-production-key",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="haiti_esc",
        EMAIL_HOST_PASSWORD="mail-secret",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="haiti_esc <noreply@example.org>",
    )

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.org", 587)
    assert (values["EMAIL_HOST_USER"], values["EMAIL_HOST_PASSWORD"]) == ("haiti_esc", "mail-secret")
    assert values["EMAIL_USE_TLS"] is True
    assert values["DEFAULT_FROM_EMAIL"] == "haiti_esc <noreply@example.org>"


def test_production_may_write_mails_to_files_instead(tmp_path):
    values = settings_of(
        "production",
        SECRET_KEY="a-long-random-production-key",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    )

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(tmp_path)


def test_the_demo_prints_mails_on_the_console():
    assert settings_of("local")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"

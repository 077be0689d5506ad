"""The move to the layered layout (issue 13) keeps every row: a database built and filled by the
code of the previous layout, then migrated by today's code, holds the same rows in every table and
gives the same progress figures. Two real processes on a database of its own (PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
#: The last commit of the previous layout (programs held progress, enterprises the register).
PREVIOUS_LAYOUT = "ffd3d8d"
#: Rows that a migration adds by design: its own bookkeeping and the new permissions of roles;
#: the content types of new models; the schedules of new periodic tasks (notifications).
GROWS = {
    "django_migrations",
    "auth_permission",
    "auth_group_permissions",
    "django_content_type",
    "django_celery_beat_periodictask",
    "django_celery_beat_crontabschedule",
}

pytestmark = pytest.mark.django_db


def previous_code(into: Path) -> Path:
    """The tree of the previous layout, from the repository's own history."""
    archive = subprocess.run(  # noqa: S603 - git of this repository
        ["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_LAYOUT],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def manage(tree: Path, database_url: str, *args: str) -> str:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "haiti_esc.settings.local",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "migration-test",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def row_counts(dsn: dict) -> dict[str, int]:
    with psycopg2.connect(**dsn) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def progress_figures(output: str) -> list[tuple]:
    return sorted((t["project"], t["indicator"], t["actual"], t["target"]) for t in json.loads(output))


@pytest.fixture
def scratch_database():
    settings = connection.settings_dict
    dsn = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"],
    }
    name = f"haiti_esc_migration_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname="postgres", **dsn)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"dbname": name, **dsn}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_the_demo_of_the_previous_layout_migrates_forward_with_every_row_kept(scratch_database, tmp_path):
    dsn = scratch_database
    url = f"postgres://{dsn['user']}:{dsn['password']}@{dsn['host']}:{dsn['port']}/{dsn['dbname']}"
    old = previous_code(tmp_path / "previous")
    assert (old / "programs" / "selectors.py").exists()  # it is the previous layout indeed
    manage(old, url, "migrate", "--noinput")
    manage(old, url, "load_demo")
    before = row_counts(dsn)
    figures_before = progress_figures(manage(old, url, "progress", "--json"))

    manage(ROOT, url, "migrate", "--noinput")
    after = row_counts(dsn)
    figures_after = progress_figures(manage(ROOT, url, "progress", "--json"))

    assert before["enterprises_beneficiary"] > 0 and before["programs_progresssnapshot"] > 0
    assert {t: n for t, n in after.items() if t not in GROWS and t in before} == {
        t: n for t, n in before.items() if t not in GROWS
    }
    # The tables of models added since then start empty.
    assert {t: n for t, n in after.items() if t not in before and n} == {}
    assert figures_after == figures_before
    assert len(figures_after) == 3
    with psycopg2.connect(**dsn) as db, db.cursor() as cursor:
        cursor.execute("SELECT app_label FROM django_content_type WHERE model = 'beneficiary'")
        assert cursor.fetchall() == [("beneficiaries",)]
        cursor.execute("SELECT DISTINCT task FROM django_celery_beat_periodictask ORDER BY 1")
        tasks = [task for (task,) in cursor.fetchall()]
    assert all(
        task.split(".")[0] in {"progress", "beneficiaries", "celery", "notifications"} for task in tasks
    ), tasks

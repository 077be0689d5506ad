"""`make backup` and `make restore`: a restore into an empty database finds every row."""

import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from demo.loader import load_demo

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def url_of(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def row_counts(dsn: str) -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models()})
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - table names from the models
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def test_a_backup_restored_into_an_empty_database_holds_every_row(tmp_path):
    load_demo()
    source = url_of(connection.settings_dict["NAME"])
    dump = tmp_path / "backup.dump"
    subprocess.run(
        ["bash", "scripts/backup.sh", "backup", str(dump)],
        cwd=ROOT,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": source},
    )
    empty = f"restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(url_of("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{empty}"')
    try:
        subprocess.run(
            ["bash", "scripts/backup.sh", "restore", str(dump)],
            cwd=ROOT,
            check=True,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url_of(empty)},
        )
        before, after = row_counts(source), row_counts(url_of(empty))
        assert after == before
        assert after["programs_partnership"] == 1 and after["enterprises_job"] > 0
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        admin.close()

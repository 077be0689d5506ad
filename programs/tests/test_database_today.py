"""The database rules' "today" is the programme's date, at every hour: CURRENT_DATE is the UTC date
under Django, a day ahead of Port-au-Prince from 19:00 to midnight there."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from programs.db_rules import local_today_sql

pytestmark = pytest.mark.django_db


def test_no_database_rule_compares_with_the_servers_date():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prosrc ILIKE %s",
            ["%current_date%"],
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prosrc LIKE %s",
            [f"%{local_today_sql(settings.TIME_ZONE)}%"],
        )
        assert cursor.fetchone()[0] >= 6  # the field records' dates and the people's


def test_the_database_rules_today_is_the_programmes_date():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {local_today_sql(settings.TIME_ZONE)}")  # noqa: S608 - our constant
        assert cursor.fetchone()[0] == timezone.localdate()

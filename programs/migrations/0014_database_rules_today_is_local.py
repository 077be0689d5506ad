"""The database rules' "today" is the programme's date (TIME_ZONE), not the server's UTC date.

The triggers refusing dates in the future compared with CURRENT_DATE, which is the date of the
connection's time zone: UTC, as Django sets it. From 19:00 in Port-au-Prince (00:00 UTC) to
midnight they let through the next day, which the models refuse. Each trigger function holding
CURRENT_DATE is redefined with the programme's date in its place, whatever migration wrote it.
"""

from django.conf import settings
from django.db import migrations

from programs.db_rules import local_today_sql

FUNCTIONS = """
SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema() AND p.prosrc LIKE %s
"""


def redefine(apps, schema_editor, old: str, new: str):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite in development has no triggers: full_clean() is the rule there
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTIONS, [f"%{old}%"])
        for (oid,) in cursor.fetchall():
            cursor.execute("SELECT pg_get_functiondef(%s)", [oid])
            definition = cursor.fetchone()[0]
            cursor.execute(definition.replace(old, new))  # no parameters: "%" stays as written


def forwards(apps, schema_editor):
    redefine(apps, schema_editor, "CURRENT_DATE", local_today_sql(settings.TIME_ZONE))


def backwards(apps, schema_editor):
    redefine(apps, schema_editor, local_today_sql(settings.TIME_ZONE), "CURRENT_DATE")


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_project_kreyol_texts"),
        ("beneficiaries", "0003_one_line_text_no_future_dates"),
        ("enterprises", "0008_hazardous_work"),
        ("fora", "0005_beneficiary_moved"),
        ("rehab", "0005_location_both_or_neither"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

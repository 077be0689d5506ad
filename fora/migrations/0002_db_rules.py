"""PostgreSQL triggers for the forum-session rules a CHECK constraint cannot express."""

from django.db import migrations

from programs.db_rules import activity_date_checks, signed_on_of_project, trigger


class Migration(migrations.Migration):
    dependencies = [("fora", "0001_initial")]

    operations = [
        trigger(
            "fora_forumsession",
            activity_date_checks("held_on", signed_on_of_project("NEW.project_id")),
            columns="held_on, project_id",
        ),
    ]

"""Create the groups "CVR field staff", "ILO managers" and "Administrators"."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from programs.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("fora", "0002_db_rules"),
        ("enterprises", "0003_db_rules"),
        ("rehab", "0002_db_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

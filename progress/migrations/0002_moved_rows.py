"""Rows that name the moved models and tasks by their old app: content types (and with them the
permissions and the admin log) and the beat schedule's task names."""

from django.db import migrations

CONTENT_TYPES = [("programs", "progress", "progresssnapshot")]
TASKS = [
    ("programs.tasks.snapshot_all_projects", "progress.tasks.snapshot_all_projects"),
    ("programs.tasks.catch_up_progress", "progress.tasks.catch_up_progress"),
    ("programs.tasks.recompute_project_progress", "progress.tasks.recompute_project_progress"),
]


def rename(apps, schema_editor, *, backwards=False):
    ContentType = apps.get_model("contenttypes", "ContentType")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new, model in CONTENT_TYPES:
        old, new = (new, old) if backwards else (old, new)
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
    for old, new in TASKS:
        old, new = (new, old) if backwards else (old, new)
        PeriodicTask.objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0001_initial"),
        ("programs", "0007_retention_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]

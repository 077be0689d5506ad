"""Schedule the daily digests and reminders, and the frequent catch-up (django-celery-beat)."""

from django.db import migrations

SCHEDULE = [
    # name, task, crontab (minute, hour): the daily run at NOTIFICATIONS_DIGEST_HOUR (6 h).
    ("Daily digests and reminders", "notifications.tasks.send_due_notifications", ("0", "6")),
    (
        "Catch-up of unsent digests and reminders",
        "notifications.tasks.retry_pending_notifications",
        ("*/15", "*"),
    ),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour) in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="America/Port-au-Prince",
        )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab})


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _cron in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]

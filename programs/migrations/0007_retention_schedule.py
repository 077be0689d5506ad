"""Schedule the daily anonymisation of people past the data-retention period."""

from django.db import migrations

NAME = "Daily anonymisation past the data-retention period"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="1",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="America/Port-au-Prince",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": "enterprises.tasks.anonymise_past_retention", "crontab": crontab}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_access_audit")]

    operations = [migrations.RunPython(schedule, unschedule)]

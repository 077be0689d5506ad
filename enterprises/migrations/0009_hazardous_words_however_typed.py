"""The job trigger reads a role and a business's activity as `programs.rules.hazard_text` does
(decomposed, no accents, no invisible characters, lower case) and knows a site worker's usual
names: "Macon", "Ouvrier de chantier" and a decomposed "Maçon" are construction work in the
database as in `clean()`."""

import importlib

from django.db import migrations

from programs.db_rules import trigger

hazardous_work = importlib.import_module("enterprises.migrations.0008_hazardous_work")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0008_hazardous_work"),
        ("programs", "0014_database_rules_today_is_local"),
    ]

    operations = [
        trigger(
            "enterprises_job",
            hazardous_work.JOB_START_CHECKS + hazardous_work.JOB_WORKER_CHECKS,
            columns="start_date, end_date, worker_id, business_id, is_rehab_work, site_id, role",
            declare="\n  dob date;\n  worker_age integer;\n  business_builds boolean;",
        ),
    ]

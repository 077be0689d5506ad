"""PostgreSQL triggers: dates within the partnership, no child labour, no overlapping jobs."""

from django.db import migrations

from programs.db_rules import activity_date_checks, raise_sql, signed_on_of_project, trigger


def project_of_centre(centre_expr: str) -> str:
    return f"SELECT c.project_id FROM enterprises_enterpriseservicecentre c WHERE c.id = {centre_expr}"


JOB_WORKER_CHECKS = f"""
  SELECT b.date_of_birth INTO dob FROM enterprises_beneficiary b
    WHERE b.id = NEW.worker_id FOR NO KEY UPDATE;
  IF dob IS NULL THEN
    {raise_sql("worker", "this person's date of birth is unknown; their age cannot be checked")};
  END IF;
  worker_age := date_part('year', age(NEW.start_date, dob));
  IF NEW.is_rehab_work AND worker_age < 18 THEN
    {raise_sql("worker", "child labour refused: the worker is %s on the start date; rehabilitation / construction work needs 18 or more", "worker_age")};
  END IF;
  IF worker_age < 15 THEN
    {raise_sql("worker", "child labour refused: the worker is %s on the start date; work needs 15 or more", "worker_age")};
  END IF;
  IF EXISTS (
    SELECT 1 FROM enterprises_job j
    WHERE j.worker_id = NEW.worker_id AND j.id IS DISTINCT FROM NEW.id
      AND daterange(j.start_date, j.end_date, '[]') && daterange(NEW.start_date, NEW.end_date, '[]')
  ) THEN
    {raise_sql("start_date", "this person already holds a job over these dates")};
  END IF;"""

BENEFICIARY_BIRTH_CHECK = f"""
  IF NEW.date_of_birth IS NOT NULL AND EXISTS (
    SELECT 1 FROM enterprises_job j WHERE j.worker_id = NEW.id AND (
      date_part('year', age(j.start_date, NEW.date_of_birth)) < 15
      OR (j.is_rehab_work AND date_part('year', age(j.start_date, NEW.date_of_birth)) < 18))
  ) THEN
    {raise_sql("date_of_birth", "with this date of birth a job of this person would be child labour")};
  END IF;"""


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_initial"), ("programs", "0001_initial")]

    operations = [
        trigger(
            "enterprises_enterpriseservicecentre",
            activity_date_checks("opened_on", signed_on_of_project("NEW.project_id")),
            columns="opened_on, project_id",
        ),
        trigger(
            "enterprises_business",
            activity_date_checks(
                "formed_on", signed_on_of_project(f"({project_of_centre('NEW.centre_id')})")
            ),
            columns="formed_on, centre_id",
        ),
        trigger(
            "enterprises_escservice",
            activity_date_checks(
                "delivered_on", signed_on_of_project(f"({project_of_centre('NEW.centre_id')})")
            ),
            columns="delivered_on, centre_id",
        ),
        trigger(
            "enterprises_job",
            activity_date_checks(
                "start_date",
                signed_on_of_project(
                    "(SELECT c.project_id FROM enterprises_business bu "
                    "JOIN enterprises_enterpriseservicecentre c ON c.id = bu.centre_id "
                    "WHERE bu.id = NEW.business_id)"
                ),
            )
            + JOB_WORKER_CHECKS,
            columns="start_date, end_date, worker_id, business_id, is_rehab_work",
            declare="\n  dob date;\n  worker_age integer;",
        ),
        trigger(
            "enterprises_beneficiary",
            BENEFICIARY_BIRTH_CHECK,
            columns="date_of_birth",
        ),
    ]

"""PostgreSQL triggers: work dates within the partnership, completed area within the plan."""

from django.db import migrations

from programs.db_rules import activity_date_checks, raise_sql, signed_on_of_project, trigger

WORK_AREA_CHECK = f"""
  -- Lock the site so that two concurrent records cannot both fit the remaining area.
  SELECT s.planned_area_m2 INTO planned FROM rehab_rehabsite s
    WHERE s.id = NEW.site_id FOR NO KEY UPDATE;
  SELECT COALESCE(SUM(w.completed_area_m2), 0) INTO done FROM rehab_workrecord w
    WHERE w.site_id = NEW.site_id AND w.id IS DISTINCT FROM NEW.id;
  IF done + NEW.completed_area_m2 > planned THEN
    {raise_sql("completed_area_m2", "only %s m² of the planned %s m² remain on this site", "planned - done", "planned")};
  END IF;"""

SITE_PLAN_CHECK = f"""
  SELECT COALESCE(SUM(w.completed_area_m2), 0) INTO done FROM rehab_workrecord w
    WHERE w.site_id = NEW.id;
  IF NEW.planned_area_m2 < done THEN
    {raise_sql("planned_area_m2", "%s m² are already recorded on this site", "done")};
  END IF;"""


class Migration(migrations.Migration):
    dependencies = [("rehab", "0001_initial"), ("programs", "0001_initial")]

    operations = [
        trigger(
            "rehab_workrecord",
            activity_date_checks(
                "date",
                signed_on_of_project("(SELECT s.project_id FROM rehab_rehabsite s WHERE s.id = NEW.site_id)"),
            )
            + WORK_AREA_CHECK,
            columns="date, site_id, completed_area_m2",
            declare="\n  planned numeric;\n  done numeric;",
        ),
        trigger(
            "rehab_rehabsite",
            SITE_PLAN_CHECK,
            columns="planned_area_m2",
            declare="\n  done numeric;",
        ),
    ]

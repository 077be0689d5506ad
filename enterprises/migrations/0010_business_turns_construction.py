"""A business cannot be turned into construction work (its activity, or its box) while one of
its jobs is a minor's: that job would be child labour. The rule of `Business.clean()`, for
writes that skip it (an update of many rows, a script)."""

from django.db import migrations

from programs.db_rules import PostgresOnlySQL, raise_sql
from programs.rules import MIN_AGE_HAZARDOUS_WORK, hazardous_words_sql

FUNCTION = "enterprises_business_young_workers"

SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
DECLARE
  young text;
BEGIN
  IF NEW.is_construction OR {hazardous_words_sql("NEW.activity")} THEN
    SELECT b.code INTO young FROM enterprises_job j
      JOIN enterprises_beneficiary b ON b.id = j.worker_id
      WHERE j.business_id = NEW.id AND NOT j.is_rehab_work
        AND date_part('year', age(j.start_date, b.date_of_birth)) < {MIN_AGE_HAZARDOUS_WORK}
      LIMIT 1;
    IF young IS NOT NULL THEN
      {raise_sql("activity", "child labour refused: %s works in this business under 18, and construction work needs 18 or more", "young")};
    END IF;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {FUNCTION} ON enterprises_business;
CREATE TRIGGER {FUNCTION} BEFORE UPDATE OF activity, is_construction ON enterprises_business
  FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0009_hazardous_words_however_typed"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=SQL,
            reverse_sql=f"DROP TRIGGER IF EXISTS {FUNCTION} ON enterprises_business; DROP FUNCTION IF EXISTS {FUNCTION}();",
        )
    ]

"""A new business cannot be recorded with an owner who withdrew their consent (their personal
data removed): the rule of `Business.clean()`, in PostgreSQL (an owner changed later is checked
by `clean()`; a merge of duplicates still moves businesses as it must)."""

from django.db import migrations

from programs.db_rules import PostgresOnlySQL, raise_sql

FUNCTION = "enterprises_business_owner_consent"

SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
DECLARE
  person text;
BEGIN
  SELECT b.code INTO person FROM enterprises_beneficiary b
    WHERE b.id = NEW.owner_id
      AND (b.consent_withdrawn_on IS NOT NULL OR b.anonymised_at IS NOT NULL);
  IF person IS NOT NULL THEN
    {raise_sql("owner", "%s withdrew their consent: nothing new can be recorded about them", "person")};
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {FUNCTION} ON enterprises_business;
CREATE TRIGGER {FUNCTION} BEFORE INSERT ON enterprises_business
  FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0010_business_turns_construction"),
        ("beneficiaries", "0004_born_after_1900"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=SQL,
            reverse_sql=f"DROP TRIGGER IF EXISTS {FUNCTION} ON enterprises_business; "
            f"DROP FUNCTION IF EXISTS {FUNCTION}();",
        )
    ]

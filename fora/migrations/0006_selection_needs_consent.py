"""A person who withdrew their consent (their personal data removed) cannot be newly selected at
a forum session: the rule of `BeneficiarySelection.clean()`, in PostgreSQL."""

from django.db import migrations

from programs.db_rules import PostgresOnlySQL, raise_sql

FUNCTION = "fora_beneficiaryselection_consent"

SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
DECLARE
  person text;
BEGIN
  SELECT b.code INTO person FROM enterprises_beneficiary b
    WHERE b.id = NEW.beneficiary_id
      AND (b.consent_withdrawn_on IS NOT NULL OR b.anonymised_at IS NOT NULL);
  IF person IS NOT NULL THEN
    {raise_sql("beneficiary", "%s withdrew their consent: nothing new can be recorded about them", "person")};
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {FUNCTION} ON fora_beneficiaryselection;
CREATE TRIGGER {FUNCTION} BEFORE INSERT ON fora_beneficiaryselection
  FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("fora", "0005_beneficiary_moved"),
        ("beneficiaries", "0004_born_after_1900"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=SQL,
            reverse_sql=f"DROP TRIGGER IF EXISTS {FUNCTION} ON fora_beneficiaryselection; "
            f"DROP FUNCTION IF EXISTS {FUNCTION}();",
        )
    ]

"""A person's code, names and phone are one line of visible text (CHECK constraints, after the
control characters already recorded are turned into spaces), and no date of birth or consent date
is in the future (a PostgreSQL trigger: a CHECK cannot read the clock)."""

import re

import django.core.validators
from django.db import migrations, models
from django.db.models import Q

import beneficiaries.models
from programs.db_rules import PostgresOnlySQL, raise_sql

#: `beneficiaries.models.CONTROL_CHARACTERS` and `ONE_LINE_FIELDS` as they were when written.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
ONE_LINE_FIELDS = ("code", "first_name", "last_name", "phone")


def one_line(apps, schema_editor):
    """Text recorded with control characters (a tab between two names, a line feed after a phone)
    before they were refused: each run of them becomes a space (nothing, in a code)."""
    Beneficiary = apps.get_model("beneficiaries", "Beneficiary")
    control = re.compile(CONTROL_CHARACTERS + "+")
    found = Q()
    for field in ONE_LINE_FIELDS:
        found |= Q(**{f"{field}__regex": CONTROL_CHARACTERS})
    for person in Beneficiary.objects.filter(found).iterator():
        for field in ONE_LINE_FIELDS:
            setattr(
                person, field, control.sub("" if field == "code" else " ", getattr(person, field)).strip()
            )
        person.save(update_fields=ONE_LINE_FIELDS)


#: On INSERT, and on an UPDATE that changes the date: a person recorded with an impossible date
#: before this rule can still be anonymised (the date unchanged), never given a new one.
NO_FUTURE_DATES = PostgresOnlySQL(
    sql=f"""
CREATE OR REPLACE FUNCTION enterprises_beneficiary_dates() RETURNS trigger AS $$
BEGIN
  IF NEW.date_of_birth > CURRENT_DATE
     AND (TG_OP = 'INSERT' OR NEW.date_of_birth IS DISTINCT FROM OLD.date_of_birth) THEN
    {raise_sql("date_of_birth", "date %s is in the future", "NEW.date_of_birth")};
  END IF;
  IF NEW.consent_date > CURRENT_DATE
     AND (TG_OP = 'INSERT' OR NEW.consent_date IS DISTINCT FROM OLD.consent_date) THEN
    {raise_sql("consent_date", "date %s is in the future", "NEW.consent_date")};
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS enterprises_beneficiary_dates ON enterprises_beneficiary;
CREATE TRIGGER enterprises_beneficiary_dates
  BEFORE INSERT OR UPDATE OF date_of_birth, consent_date ON enterprises_beneficiary
  FOR EACH ROW EXECUTE FUNCTION enterprises_beneficiary_dates();
""",
    reverse_sql="DROP TRIGGER IF EXISTS enterprises_beneficiary_dates ON enterprises_beneficiary; "
    "DROP FUNCTION IF EXISTS enterprises_beneficiary_dates();",
)


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0002_moved_rows"),
        ("programs", "0011_location_both_or_neither"),
    ]

    operations = [
        migrations.RunPython(one_line, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="beneficiary",
            name="code",
            field=models.CharField(
                error_messages={"unique": "A beneficiary with this code already exists."},
                max_length=30,
                unique=True,
                validators=[
                    beneficiaries.models.OneLineValidator(),
                    django.core.validators.RegexValidator(
                        "^[A-Z0-9-]+$", "Use capital letters, digits and dashes."
                    ),
                ],
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="first_name",
            field=models.CharField(
                max_length=100,
                validators=[beneficiaries.models.OneLineValidator()],
                verbose_name="first name",
            ),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="last_name",
            field=models.CharField(
                max_length=100, validators=[beneficiaries.models.OneLineValidator()], verbose_name="last name"
            ),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=20,
                validators=[
                    beneficiaries.models.OneLineValidator(),
                    django.core.validators.RegexValidator(
                        "^\\+?[0-9 ]{8,20}$",
                        "Enter a phone number of 8 to 20 digits, optionally starting with +, e.g. +509 3712 3456.",
                    ),
                ],
                verbose_name="phone",
            ),
        ),
        migrations.AlterField(
            model_name="historicalbeneficiary",
            name="code",
            field=models.CharField(
                db_index=True,
                error_messages={"unique": "A beneficiary with this code already exists."},
                max_length=30,
                validators=[
                    beneficiaries.models.OneLineValidator(),
                    django.core.validators.RegexValidator(
                        "^[A-Z0-9-]+$", "Use capital letters, digits and dashes."
                    ),
                ],
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="historicalbeneficiary",
            name="first_name",
            field=models.CharField(
                max_length=100,
                validators=[beneficiaries.models.OneLineValidator()],
                verbose_name="first name",
            ),
        ),
        migrations.AlterField(
            model_name="historicalbeneficiary",
            name="last_name",
            field=models.CharField(
                max_length=100, validators=[beneficiaries.models.OneLineValidator()], verbose_name="last name"
            ),
        ),
        migrations.AlterField(
            model_name="historicalbeneficiary",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=20,
                validators=[
                    beneficiaries.models.OneLineValidator(),
                    django.core.validators.RegexValidator(
                        "^\\+?[0-9 ]{8,20}$",
                        "Enter a phone number of 8 to 20 digits, optionally starting with +, e.g. +509 3712 3456.",
                    ),
                ],
                verbose_name="phone",
            ),
        ),
        migrations.AddConstraint(
            model_name="beneficiary",
            constraint=models.CheckConstraint(
                condition=models.Q(("code__regex", "[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"), _negated=True),
                name="beneficiary_code_one_line",
                violation_error_message="Control characters (a tab, a line break, NUL…) cannot be recorded.",
            ),
        ),
        migrations.AddConstraint(
            model_name="beneficiary",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("first_name__regex", "[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"), _negated=True
                ),
                name="beneficiary_first_name_one_line",
                violation_error_message="Control characters (a tab, a line break, NUL…) cannot be recorded.",
            ),
        ),
        migrations.AddConstraint(
            model_name="beneficiary",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("last_name__regex", "[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"), _negated=True
                ),
                name="beneficiary_last_name_one_line",
                violation_error_message="Control characters (a tab, a line break, NUL…) cannot be recorded.",
            ),
        ),
        migrations.AddConstraint(
            model_name="beneficiary",
            constraint=models.CheckConstraint(
                condition=models.Q(("phone__regex", "[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"), _negated=True),
                name="beneficiary_phone_one_line",
                violation_error_message="Control characters (a tab, a line break, NUL…) cannot be recorded.",
            ),
        ),
        NO_FUTURE_DATES,
    ]

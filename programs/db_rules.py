"""Database-side enforcement of rules that span tables (PostgreSQL triggers).

A CHECK constraint cannot read another table, so the rules "not before the
partnership's signing", "not in the future", "no child labour", "no overlapping jobs"
and "completed area within the plan" are PL/pgSQL triggers. Each raises SQLSTATE 23514
(check_violation, an IntegrityError in Django) with a message that starts with the
column's name. The embedded SQLite default relies on `full_clean()` alone.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, migrations
from django.utils.translation import gettext as _


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that is a no-op on databases other than PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def raise_sql(column: str, message: str, *args: str) -> str:
    """PL/pgSQL that raises a check_violation naming `column`."""
    params = "".join(f", {arg}" for arg in args)
    message = message.replace("'", "''")
    return (
        f"RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = format('{column}: {message}'{params})"
    )


def local_today_sql(zone: str) -> str:
    """SQL for today's date in the programme's time zone (`TIME_ZONE`), as `timezone.localdate()`
    gives it: CURRENT_DATE is the date of the connection's zone, UTC under Django."""
    return "(now() AT TIME ZONE '" + zone.replace("'", "''") + "')::date"


def activity_date_checks(column: str, signed_on_query: str) -> str:
    """PL/pgSQL body lines refusing NEW.<column> before signing or in the future (the programme's
    date: migration programs 0014 put it in place of CURRENT_DATE in the triggers written before)."""
    return f"""
  SELECT ({signed_on_query}) INTO signed;
  IF NEW.{column} < signed THEN
    {raise_sql(column, "date %s is before the partnership was signed (%s)", f"NEW.{column}", "signed")};
  END IF;
  IF NEW.{column} > {local_today_sql(settings.TIME_ZONE)} THEN
    {raise_sql(column, "date %s is in the future", f"NEW.{column}")};
  END IF;"""


def trigger(table: str, body: str, *, columns: str | None = None, declare: str = "") -> PostgresOnlySQL:
    """A BEFORE INSERT OR UPDATE row trigger on `table` running `body`."""
    function = f"{table}_rules"
    update_of = f"UPDATE OF {columns}" if columns else "UPDATE"
    return PostgresOnlySQL(
        sql=f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
DECLARE
  signed date;{declare}
BEGIN{body}
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {function} ON {table};
CREATE TRIGGER {function} BEFORE INSERT OR {update_of} ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}();
""",
        reverse_sql=f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();",
    )


def consent_needed(table: str, column: str, *, function: str) -> PostgresOnlySQL:
    """A BEFORE INSERT trigger on `table`: NEW.<column>_id may not be a person who withdrew their
    consent or was anonymised (`Beneficiary.consent_withdrawn_error`, in PostgreSQL); rows made
    before stay, and an update is left to `clean()`."""
    return PostgresOnlySQL(
        sql=f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
DECLARE
  person text;
BEGIN
  SELECT b.code INTO person FROM enterprises_beneficiary b
    WHERE b.id = NEW.{column}_id
      AND (b.consent_withdrawn_on IS NOT NULL OR b.anonymised_at IS NOT NULL);
  IF person IS NOT NULL THEN
    {raise_sql(column, "%s withdrew their consent: nothing new can be recorded about them", "person")};
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {function} ON {table};
CREATE TRIGGER {function} BEFORE INSERT ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}();
""",
        reverse_sql=f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();",
    )


#: SQL giving the signing date of the partnership of project NEW.<project_column>.
def signed_on_of_project(project_expr: str) -> str:
    return (
        "SELECT pa.signed_on FROM programs_project pr "
        "JOIN programs_partnership pa ON pa.id = pr.partnership_id "
        f"WHERE pr.id = {project_expr}"
    )


_FIELD_MESSAGE = re.compile(r"^(?P<field>[a-z_0-9]+): (?P<message>.+)$")
_CONSTRAINT = re.compile(r'constraint "(?P<name>[^"]+)"')


def database_rule_error(error: IntegrityError) -> ValidationError:
    """Turn a refusal by the database (a trigger's "field: message", or a named constraint)
    into a ValidationError, so that a race the form could not see is a message, not a 500."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    match = _FIELD_MESSAGE.match(text)
    if match:
        return ValidationError({match["field"]: match["message"]})
    constraint = _CONSTRAINT.search(text)
    if constraint:
        return ValidationError(
            _("The database refused this record (rule %(rule)s).") % {"rule": constraint["name"]}
        )
    return ValidationError(_("The database refused this record."))

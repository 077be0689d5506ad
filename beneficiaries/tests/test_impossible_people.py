"""Impossible people (issue 14): no date of birth or consent date in the future, no control
character in a code, a name or a phone; on the model (a message on the field), in PostgreSQL (a
trigger, CHECK constraints) and in the import, whose report names the row and the column."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from beneficiaries.import_report import row_problems
from beneficiaries.models import Beneficiary
from beneficiaries.services import beneficiaries_import, beneficiary_anonymise
from beneficiaries.tests.factories import BeneficiaryFactory
from programs.tests.factories import NeighbourhoodFactory

from .sheets import csv_file, good_rows, sheet
from .test_import import CSV, upload

pytestmark = pytest.mark.django_db

CONTROL_CHARACTERS = ["\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\u2028"]


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def refusal(person: Beneficiary) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    return refused.value.message_dict


def test_a_date_of_birth_in_the_future_is_refused_with_a_message_on_the_field(hoods):
    person = BeneficiaryFactory.build(neighbourhood=hoods[0], date_of_birth=datetime.date(2030, 1, 1))
    person.consent_date = datetime.date(2031, 1, 1)

    errors = refusal(person)

    assert errors["date_of_birth"] == ["The date of birth cannot be in the future."]
    assert errors["consent_date"] == ["The consent date cannot be in the future."]


def test_a_consent_date_in_the_future_is_refused_and_today_is_not(hoods):
    person = BeneficiaryFactory.build(neighbourhood=hoods[0], consent_date=tomorrow())
    assert refusal(person) == {"consent_date": ["The consent date cannot be in the future."]}

    person.consent_date = timezone.localdate()
    person.full_clean()


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", ["first_name", "last_name", "code", "phone"])
def test_a_control_character_in_text_is_refused_naming_it(hoods, field, character):
    person = BeneficiaryFactory.build(neighbourhood=hoods[0])
    value = getattr(person, field)
    setattr(person, field, value[:2] + character + value[2:])

    errors = refusal(person)

    assert f"U+{ord(character):04X}" in errors[field][0] and "one line" in errors[field][0]


def test_accents_apostrophes_hyphens_and_spaces_are_welcome(hoods):
    person = BeneficiaryFactory.build(
        neighbourhood=hoods[0], first_name="Jean-Évens", last_name="D'Haïti Saint-Fleur"
    )
    assert person.full_clean() is None  # accepted: no ValidationError


def refused_by_the_database(**values) -> str:
    person = BeneficiaryFactory()
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Beneficiary.objects.filter(pk=person.pk).update(**values)
    return str(refused.value)


def test_the_database_refuses_a_date_in_the_future_naming_the_column():
    assert refused_by_the_database(date_of_birth=tomorrow()).startswith("date_of_birth: ")
    assert refused_by_the_database(consent_date=tomorrow()).startswith("consent_date: ")
    with pytest.raises(IntegrityError, match="^date_of_birth: "), transaction.atomic():
        Beneficiary.objects.bulk_create(
            [
                BeneficiaryFactory.build(
                    neighbourhood=NeighbourhoodFactory(), date_of_birth=datetime.date(2030, 1, 1)
                )
            ]
        )


@pytest.mark.parametrize("field", ["first_name", "last_name", "code", "phone"])
def test_the_database_refuses_control_characters_in_text(field):
    assert f"beneficiary_{field}_one_line" in refused_by_the_database(**{field: "AB\tCD"})


def test_a_person_recorded_with_a_future_date_before_the_rule_can_still_be_anonymised(administrator):
    person = BeneficiaryFactory()
    table = Beneficiary._meta.db_table
    with connection.cursor() as cursor:  # as the import let them in: the trigger did not exist
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending check: the table may be altered
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER enterprises_beneficiary_dates")
        cursor.execute(f"UPDATE {table} SET consent_date = %s WHERE id = %s", [tomorrow(), person.pk])
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER enterprises_beneficiary_dates")

    beneficiary_anonymise(beneficiary=person, by=administrator)

    person.refresh_from_db()
    assert person.anonymised_at is not None and person.consent_date == tomorrow()
    with pytest.raises(IntegrityError, match="^consent_date: "), transaction.atomic():
        Beneficiary.objects.filter(pk=person.pk).update(consent_date=tomorrow() + datetime.timedelta(days=1))


IMPOSSIBLE = {
    2: {"date_of_birth": "2030-01-01", "consent_date": "2031-01-01"},
    3: {"consent_date": "2099-12-31"},
    4: {"first_name": "Ma\x00rie"},
    5: {"last_name": "Jo\tseph"},
    6: {"phone": "+509 3712\n3456"},
    7: {"code": "BA-\x0007"},
}
REPORTED = {
    (2, "date_of_birth"),
    (2, "consent_date"),
    (3, "consent_date"),
    (4, "first_name"),
    (5, "last_name"),
    (6, "phone"),
    (7, "code"),
}


def test_the_import_refuses_impossible_people_naming_row_and_column(hoods, administrator):
    result = beneficiaries_import(dataset=sheet(good_rows(8, bad=IMPOSSIBLE)), by=administrator)

    problems = {(p.row, p.column): p.reason for p in row_problems(result)}
    assert set(problems) == REPORTED
    assert problems[(2, "date_of_birth")] == "The date of birth cannot be in the future."
    assert problems[(3, "consent_date")] == "The consent date cannot be in the future."
    assert "U+0000" in problems[(4, "first_name")] and "U+0009" in problems[(5, "last_name")]
    assert Beneficiary.objects.count() == 0


def test_the_admin_preview_refuses_them_and_offers_no_confirmation(hoods, administrator_client):
    response = upload(administrator_client, csv_file(good_rows(8, bad=IMPOSSIBLE)), "fora.csv", CSV)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert {(p.row, p.column) for p in response.context["problems"]} == REPORTED
    assert "The date of birth cannot be in the future." in response.content.decode()
    assert Beneficiary.objects.count() == 0


def test_a_person_already_recorded_cannot_be_given_a_future_date_by_a_file(hoods, administrator):
    beneficiaries_import(dataset=sheet(good_rows(3)), by=administrator)

    result = beneficiaries_import(
        dataset=sheet(good_rows(3, bad={2: {"date_of_birth": "2030-01-01"}})), by=administrator
    )

    assert [(p.row, p.column) for p in row_problems(result)] == [(2, "date_of_birth")]
    assert Beneficiary.objects.get(code="BA-00002").date_of_birth.year < 2000


def test_the_migration_turns_control_characters_recorded_before_into_spaces():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("beneficiaries.migrations.0003_one_line_text_no_future_dates")
    person, other = BeneficiaryFactory(), BeneficiaryFactory(first_name="Anne  Marie")
    table = Beneficiary._meta.db_table
    with connection.cursor() as cursor:  # as it was before the constraints (rolled back after)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for field in ("code", "first_name", "last_name", "phone"):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT beneficiary_{field}_one_line")
        cursor.execute(
            f"UPDATE {table} SET code = %s, first_name = %s, last_name = %s, phone = %s WHERE id = %s",
            ["BA-\t77\n", "Marie\tJosé", "Joseph\r\n", "+509 3712\u20283456", person.pk],
        )

    migration.one_line(apps, None)

    person.refresh_from_db()
    assert (person.code, person.first_name, person.last_name, person.phone) == (
        "BA-77",
        "Marie José",
        "Joseph",
        "+509 3712 3456",
    )
    other.refresh_from_db()
    assert other.first_name == "Anne  Marie"  # a row without control characters is left as it is

"""A date of birth in a year no one living was born in (0001-01-01, 1492) is a typing slip, not a
person: refused with a message on the field, by the database, and in the import's preview."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from beneficiaries.import_report import row_problems
from beneficiaries.models import EARLIEST_BIRTH, Beneficiary
from beneficiaries.services import beneficiaries_import
from beneficiaries.tests.factories import BeneficiaryFactory

from .sheets import good_rows, sheet

pytestmark = pytest.mark.django_db

MESSAGE = "A date of birth before 1900 cannot be right: check the year."


@pytest.mark.parametrize(
    "born", [datetime.date(1, 1, 1), datetime.date(1492, 10, 12), datetime.date(1899, 12, 31)]
)
def test_a_date_of_birth_before_1900_is_refused_on_the_field(hoods, born):
    person = BeneficiaryFactory.build(neighbourhood=hoods[0], date_of_birth=born)
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert refused.value.message_dict == {"date_of_birth": [MESSAGE]}


def test_the_first_day_of_1900_is_accepted(hoods):
    assert EARLIEST_BIRTH == datetime.date(1900, 1, 1)
    BeneficiaryFactory.build(neighbourhood=hoods[0], date_of_birth=EARLIEST_BIRTH).full_clean()


def test_the_database_refuses_a_date_of_birth_before_1900():
    person = BeneficiaryFactory()
    with pytest.raises(IntegrityError, match="beneficiary_born_after_1900"), transaction.atomic():
        Beneficiary.objects.filter(pk=person.pk).update(date_of_birth=datetime.date(1, 1, 1))


def test_the_import_refuses_a_person_born_in_the_year_1(hoods, administrator):
    bad = {2: {"date_of_birth": "0001-01-01"}}
    result = beneficiaries_import(dataset=sheet(good_rows(3, bad=bad)), by=administrator)

    problems = {(p.row, p.column): p.reason for p in row_problems(result)}
    assert problems == {(2, "date_of_birth"): MESSAGE}
    assert Beneficiary.objects.count() == 0

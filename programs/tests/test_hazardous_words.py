"""Construction work named in a role or an activity is recognised however it is typed: without its
accents (a phone's keyboard), decomposed, in full-width letters, with an invisible character, or
by a site worker's usual names; the database's trigger reads the text the same way."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.db import IntegrityError, transaction

from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory
from programs.rules import hazardous_words_in

TYPED = [
    "Macon",  # no cedilla
    unicodedata.normalize("NFD", "Maçon"),  # c + combining cedilla
    "Ma\u200bçon",  # a zero-width space inside
    "Ｍａｓｏｎ",  # full-width letters
    "MACONNERIE",
    "Mur de soutenement",
    "Demolition",
    "Ouvrier / ouvrière de chantier",  # the demo's own role for a site worker
    "Ouvriye chantye",
    "Bricklayer",
    "Ferrailleur",
    "Terrassier",
    "Peintre en bâtiment",
    "Travay batiman",
    "Charpentier",
    "Carpentry",
]


@pytest.mark.parametrize("text", TYPED)
def test_construction_work_is_recognised_however_it_is_typed(text):
    assert hazardous_words_in(text)


@pytest.mark.parametrize("text", ["Aide", "Cashier", "Couturière", "Vendeuse", "Tailoring", ""])
def test_other_work_is_not_taken_for_construction(text):
    assert not hazardous_words_in(text)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Macon", unicodedata.normalize("NFD", "Maçon"), "Ouvrier de chantier"])
def test_the_database_refuses_a_16_year_old_whose_role_is_construction_however_typed(role):
    business = BusinessFactory(activity="Landscaping")
    teen = BeneficiaryFactory(neighbourhood=business.neighbourhood, date_of_birth=datetime.date(1998, 1, 1))
    with pytest.raises(IntegrityError, match="child labour"), transaction.atomic():
        Job.objects.create(
            business=business,
            worker=teen,
            role=role,
            start_date=datetime.date(2014, 10, 1),
            is_rehab_work=False,
        )

"""How a work record names itself in lists and select boxes: in the reader's number notation."""

from decimal import Decimal

import pytest
from django.utils import translation

from rehab.tests.factories import WorkRecordFactory

pytestmark = pytest.mark.django_db


def test_a_work_records_area_is_written_as_its_reader_writes_numbers():
    record = WorkRecordFactory(completed_area_m2=Decimal("12.50"))
    with translation.override("fr"):
        assert str(record).endswith(": 12,50 m²")
    with translation.override("en"):
        assert str(record).endswith(": 12.50 m²")

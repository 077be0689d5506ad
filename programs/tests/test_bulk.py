"""Rows written with COPY read back as they were given: NULLs, empty strings, JSON, decimals."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.bulk import copy_columns, rows_copy
from programs.tests.factories import TargetFactory
from progress.models import ProgressSnapshot

pytestmark = pytest.mark.django_db

COLUMNS = list(copy_columns(ProgressSnapshot))


def snapshot(target, **values) -> tuple:
    """A snapshot's row, in the order of `COLUMNS`."""
    fields = {
        "target_id": target.pk,
        "as_of": timezone.now(),
        "actual": Decimal("12.50"),
        "target_value": target.value,
        "remaining": Decimal("3.25"),
        "status": "on_track",
        "breakdown": {"sex": {"F": "2", "M": "1"}, "neighbourhood": {'Bel Air, "haut"': "3"}},
        "reason": "",
        "percent": None,
        "expected_by_now": None,
        "forecast_date": None,
    }
    row = fields | values
    return tuple(row[column] for column in COLUMNS)


def test_copied_rows_read_back_as_given():
    target = TargetFactory()
    moment = timezone.now().replace(microsecond=123456)
    rows_copy(
        ProgressSnapshot,
        COLUMNS,
        [
            snapshot(target, as_of=moment, forecast_date=datetime.date(2015, 3, 31), reason="bench"),
            snapshot(target, as_of=moment, percent=Decimal("80.00"), breakdown={}),
        ],
    )
    first, second = ProgressSnapshot.objects.filter(target=target).order_by("pk")
    assert (first.as_of, first.actual, first.remaining) == (moment, Decimal("12.50"), Decimal("3.25"))
    assert first.forecast_date == datetime.date(2015, 3, 31) and first.reason == "bench"
    assert first.breakdown["neighbourhood"] == {'Bel Air, "haut"': "3"}
    assert first.percent is None and second.percent == Decimal("80.00") and second.forecast_date is None
    assert second.reason == "" and second.breakdown == {}


def test_the_databases_constraints_still_refuse_a_copied_row():
    target = TargetFactory()
    with pytest.raises(IntegrityError, match="snapshot_actual_not_negative"), transaction.atomic():
        rows_copy(ProgressSnapshot, COLUMNS, [snapshot(target, actual=Decimal("-1"))])
    assert not ProgressSnapshot.objects.filter(target=target).exists()


def test_a_copy_without_every_column_is_refused_before_it_reaches_the_database():
    """A column left out would take the database's default, not the model's."""
    target = TargetFactory()
    left_out = COLUMNS.index("breakdown")
    row = snapshot(target)
    with pytest.raises(ValueError, match="without breakdown"):
        rows_copy(
            ProgressSnapshot,
            COLUMNS[:left_out] + COLUMNS[left_out + 1 :],
            [row[:left_out] + row[left_out + 1 :]],
        )
    assert not ProgressSnapshot.objects.filter(target=target).exists()


def test_a_text_that_is_the_copys_null_marker_is_kept_as_text():
    target = TargetFactory()
    rows_copy(ProgressSnapshot, COLUMNS, [snapshot(target, reason="\\N")])
    assert ProgressSnapshot.objects.get(target=target).reason == "\\N"

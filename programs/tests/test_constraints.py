"""CHECK constraints decided in Python agree with PostgreSQL, and a field record's validation
asks the database only what Python cannot decide."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.constraints import FieldLeftOut, NotInPython, condition_holds, field_values
from rehab.tests.factories import WorkRecordFactory

pytestmark = pytest.mark.django_db

CHECKS = sorted(
    (
        (model, constraint)
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if type(constraint) is models.CheckConstraint
    ),
    key=lambda pair: pair[1].name,
)

TEXTS = ["", "x", "draft", "submitted", "verified", "returned", "signer", "witness", "micro", "daily"]
#: The conditions Python leaves to the database: a regular expression each, and a sum.
LEFT_TO_THE_DATABASE = [
    "beneficiary_code_one_line",
    "beneficiary_first_name_one_line",
    "beneficiary_last_name_one_line",
    "beneficiary_phone_one_line",
    "forumsession_youth_within_participants",
]
NUMBERS = [-1, 0, 1, 2, 14, 15, 17, 18, 35, 114]


def _values_of(field: models.Field):
    """Values worth trying for one field: its edges, its choices, NULL where it is allowed."""
    if isinstance(field, models.ForeignKey):
        values = [1, 2]
    elif isinstance(field, models.BooleanField):
        values = [True, False]
    elif isinstance(field, models.DecimalField):
        values = [Decimal(n) for n in NUMBERS] + [Decimal("0.01"), Decimal("-0.01")]
    elif isinstance(field, models.IntegerField):
        values = NUMBERS
    elif isinstance(field, models.DateTimeField):
        values = [timezone.make_aware(datetime.datetime(2014, 4, 1, 9))]
    elif isinstance(field, models.DateField):
        values = [datetime.date(2014, 3, 27), datetime.date(2014, 4, 1), datetime.date(2015, 1, 1)]
    elif isinstance(field, models.CharField | models.TextField):
        values = TEXTS + [value for value, _label in field.flatchoices or []]
    else:
        return None
    return st.sampled_from(values + [None] if field.null else values)


def _instances(model: type[models.Model]):
    fields = {
        field.attname: strategy
        for field in model._meta.concrete_fields
        if not field.primary_key and (strategy := _values_of(field)) is not None
    }
    return st.builds(
        lambda pk, values: model(pk=pk, **values), st.sampled_from([1, 2]), st.fixed_dictionaries(fields)
    )


@pytest.mark.parametrize(("model", "constraint"), CHECKS, ids=[c.name for _m, c in CHECKS])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_python_decides_each_check_constraint_as_postgresql_does(model, constraint, data):
    instance = data.draw(_instances(model))
    try:
        holds = condition_holds(Q(constraint.condition), field_values(instance, model, None))
    except (NotInPython, FieldLeftOut):
        return  # the database decides it (the expressions, the regular expressions)
    against = instance._get_field_expression_map(meta=model._meta)
    assert (holds is not False) == Q(constraint.condition).check(against), (
        constraint.name,
        instance.__dict__,
    )


def test_the_projects_simple_conditions_are_all_decided_in_python():
    """Only conditions with expressions or regular expressions are left to the database."""
    left = []
    for model, constraint in CHECKS:
        instance = model()
        try:
            condition_holds(Q(constraint.condition), field_values(instance, model, None))
        except NotInPython:
            left.append(constraint.name)
    assert sorted(left) == LEFT_TO_THE_DATABASE, left


def test_a_work_records_validation_asks_the_database_no_check_and_still_names_the_broken_rule():
    record = WorkRecordFactory.build(site=WorkRecordFactory().site)
    with CaptureQueriesContext(connection) as queries:
        record.full_clean(exclude={"created_by", "review_changed_by"})
        record.completed_area_m2 = Decimal("0")
        with pytest.raises(ValidationError) as refused:
            record.validate_constraints()
    assert refused.value.message_dict == {"__all__": ["The completed area must be positive."]}
    assert queries.captured_queries  # the site's plan and the partnership were read
    assert not [q for q in queries.captured_queries if '"_check"' in q["sql"]]


def test_a_condition_on_a_field_left_out_is_skipped_as_django_skips_it():
    record = WorkRecordFactory.build(site=WorkRecordFactory().site, completed_area_m2=Decimal("0"))
    record.validate_constraints(exclude={"completed_area_m2"})  # no error: the field was left out
    record.completed_area_m2 = "0"  # as a door may hand it over: read as the field reads it
    with pytest.raises(ValidationError, match="The completed area must be positive"):
        record.validate_constraints()

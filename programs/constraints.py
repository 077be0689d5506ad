"""CHECK constraints validated in Python before a save, where their condition allows it.

Django validates each CHECK constraint of a model by a query (`SELECT 1 WHERE …` inside a
savepoint: three statements), and a field form's save validates them twice (the form, then the
one core save): 18 statements of the 40 of a work record's submission, on the field's busiest
request. Most of the project's conditions are comparisons of the record's own fields with
constants or other fields (`area > 0`, `state IN (…)`, `end >= start`, `x IS NULL OR y`), which
Python decides as SQL would, NULL included. Any other condition (an expression, a regex, a
transform) is checked by the database as before, and the database's own CHECK stays the last word.
"""

from __future__ import annotations

import operator

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import F, Q

#: The lookups decided in Python (SQL's comparison, with NULL unknown); others go to the database.
COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class NotInPython(Exception):
    """The condition uses something Python does not decide here: the database checks it."""


class FieldLeftOut(Exception):
    """The condition reads a field left out of the validation: the constraint is skipped, as
    Django skips it."""


def condition_holds(condition: Q, values: dict) -> bool | None:
    """Whether `condition` holds for `values` (`field_values`: each field's name, and "pk", to
    its field and value), in SQL's three-valued logic: True, False, or None when unknown (a NULL
    compared), which a CHECK accepts."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(condition_holds(child, values))
        elif isinstance(child, tuple):
            results.append(_lookup_holds(*child, values))
        else:
            raise NotInPython
    if condition.connector == Q.AND:
        combined = False if False in results else None if None in results else True
    elif condition.connector == Q.OR:
        combined = True if True in results else None if None in results else False
    else:  # XOR
        raise NotInPython
    if condition.negated and combined is not None:
        return not combined
    return combined


def _lookup_holds(lookup: str, wanted, values: dict) -> bool | None:
    name, _sep, kind = lookup.rpartition("__")
    if kind not in (*COMPARISONS, "in", "isnull"):
        name, kind = lookup, "exact"
    if "__" in name:  # a transform or a related field's field
        raise NotInPython
    field, value = _value(name, values)
    if kind == "isnull":
        if not isinstance(wanted, bool):
            raise NotInPython
        return (value is None) == wanted
    if isinstance(wanted, F):
        if "__" in wanted.name:
            raise NotInPython
        _other, wanted = _value(wanted.name, values)
    elif hasattr(wanted, "resolve_expression"):
        raise NotInPython
    elif kind == "in":  # constants read as the column reads them, as the database does
        wanted = [_as(field, item) for item in wanted]
    else:
        wanted = _as(field, wanted)
    if kind == "exact" and wanted is None:  # Django reads `field=None` as IS NULL
        return value is None
    if value is None:
        return None
    try:
        if kind == "in":
            if value in wanted:
                return True
            return None if None in wanted else False
        if wanted is None:
            return None
        return bool(COMPARISONS[kind](value, wanted))
    except TypeError as error:  # values Python cannot compare: the database decides
        raise NotInPython from error


def _as(field: models.Field, value):
    try:
        return field.to_python(value)
    except ValidationError as error:
        raise NotInPython from error


def _value(name: str, values: dict) -> tuple:
    if name not in values:
        raise FieldLeftOut
    return values[name]


def field_values(instance: models.Model, model: type[models.Model], exclude) -> dict:
    """What a constraint of `model` is checked against (as Django's `_get_field_expression_map`):
    each field's name to its field and value, the value as the field reads it (`to_python`: a "12"
    given for a decimal compares as 12)."""
    exclude = exclude or set()
    values = {}
    for field in model._meta.local_concrete_fields:
        if field.name in exclude or field.generated:
            continue
        value = getattr(instance, field.attname)
        if hasattr(value, "resolve_expression"):
            raise NotInPython
        values[field.name] = (field, _as(field, value))
    if "pk" not in exclude:
        values["pk"] = (model._meta.pk, instance.pk)
    return values


class CheckedInPython(models.Model):
    """A model whose simple CHECK constraints `full_clean()` validates without a query."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        """Django's `Model.validate_constraints`, with each CHECK constraint decided in Python
        when `condition_holds` can (the others, and the unique constraints, by the database)."""
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict = {}
        values_of: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    if not self._checked_in_python(constraint, model_class, exclude, values_of):
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _checked_in_python(self, constraint, model_class, exclude, values_of: dict) -> bool:
        """True when Python decided `constraint` (raising its error if it is broken)."""
        if type(constraint) is not models.CheckConstraint:
            return False
        try:
            if model_class not in values_of:
                values_of[model_class] = field_values(self, model_class, exclude)
            holds = condition_holds(Q(constraint.condition), values_of[model_class])
        except FieldLeftOut:
            return True  # skipped, as Django skips a constraint on a field left out
        except NotInPython:
            return False
        if holds is False:
            message, code = constraint.get_violation_error_message(), constraint.violation_error_code
            raise ValidationError(message, code=code)
        return True

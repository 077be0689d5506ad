"""Errors as JSON with the right status: rules broken are 400 with field messages, never 500."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, views
from rest_framework.serializers import as_serializer_error

from accounts.throttling import refused_anonymous_wait
from programs.db_rules import database_rule_error
from programs.review import FieldAccessDenied, FormTokenReused


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, after turning the domain's exceptions into DRF's.

    - Django `ValidationError` (from `full_clean()` or a service) → 400, messages by field,
      with `non_field_errors` for the others, as a serializer's own errors.
    - `IntegrityError` (a trigger or a constraint refused the row) → 400 through
      `database_rule_error`, the same translation the forms use.
    - `FieldAccessDenied` → 403.
    - `FormTokenReused` (a one-time token of another user or kind of record) → 409.
    - 401 (no credentials, a wrong token) is counted by the anonymous rate, which DRF runs only
      after the permissions: over it, 429 with `Retry-After`.
    - `Http404` → DRF's own "Not found.", translated: Django's "No WorkRecord matches the given
      query." named the model, in English whatever the person's language.
    """
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        wait = refused_anonymous_wait(context["request"])
        if wait is not None:
            exc = exceptions.Throttled(wait)
    if isinstance(exc, IntegrityError):
        exc = database_rule_error(exc)
    if isinstance(exc, FormTokenReused):
        exc = Conflict(as_serializer_error(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, FieldAccessDenied):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return views.exception_handler(exc, context)

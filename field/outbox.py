"""The phone's outbox sends each entry as the form it was (multipart POST to the form's own URL)
and reads JSON back: the same form, service and rules as a page's submit, answered so that a
script can tell created, replayed, refused, conflict and logged out apart."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

#: Sent by the outbox's fetch with every entry.
OUTBOX_HEADER = "outbox"


def is_outbox(request) -> bool:
    return request.headers.get("X-Requested-With") == OUTBOX_HEADER


def login_required_or_401(view=None, *, json_only: bool = False):
    """`login_required` for pages; a JSON 401 for the outbox (which keeps its entries) and for
    views that only answer JSON (`json_only`)."""
    if view is None:
        return lambda view: login_required_or_401(view, json_only=json_only)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if json_only or is_outbox(request):
            return JsonResponse(
                {
                    "detail": _("You are logged out. Log in again to send what waits."),
                    "login_url": reverse("login"),
                },
                status=401,
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


def saved(record, kind) -> JsonResponse:
    """201 for a record made now, 200 for the record an earlier send of the same key made."""
    body = {
        "id": record.pk,
        "url": reverse("field:detail", args=[kind.slug, record.pk]),
        "label": str(record),
        "state": record.review_state,
    }
    return JsonResponse(body, status=200 if getattr(record, "replayed", False) else 201)


def refused(form, formset=None, *, status: int = 400) -> JsonResponse:
    """The form's messages by field ("__all__" for the others), as the page would show them."""
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    if formset is not None:
        for index, form_errors in enumerate(formset.errors):
            for field, messages in form_errors.items():
                errors[f"{formset.prefix}-{index}-{field}"] = [str(m) for m in messages]
        if formset.non_form_errors():
            errors.setdefault("__all__", []).extend(str(m) for m in formset.non_form_errors())
    return JsonResponse({"errors": errors}, status=status)


def conflict(error: ValidationError) -> JsonResponse:
    return JsonResponse({"errors": {"token": error.messages}}, status=409)


def forbidden(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=403)

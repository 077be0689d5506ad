"""Field data entry and review: views parse the request, call a service or selector, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from beneficiaries.models import Beneficiary
from programs import access
from programs.idempotency import content_fingerprint
from programs.ids import parse_id
from programs.models import ReviewEvent, ReviewState
from programs.review import (
    FieldAccessDenied,
    FormTokenReused,
    record_saved_with,
    records_verify,
    review_set_state,
)

from . import outbox, selectors
from .kinds import KINDS, FieldKind
from .outbox import login_required_or_401

PAGE_SIZE = 25


def _kind(slug: str) -> FieldKind:
    try:
        return KINDS[slug]
    except KeyError as missing:
        raise Http404 from missing


def _visible_record(request, kind: FieldKind, pk: int):
    """The record if the user may see it; 404 otherwise (other neighbourhoods included)."""
    queryset = access.visible(kind.model.objects.select_related(*kind.related), request.user)
    return get_object_or_404(queryset, pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
    else:
        form.add_error(None, error)


@login_required
def home(request):
    """The staff member's neighbourhoods, recent entries, returned records; one tap to each form."""
    context = {
        "kinds": KINDS.values(),
        "role": access.role_of(request.user),
        "neighbourhoods": selectors.assigned_neighbourhoods(request.user),
        "recent": selectors.recent_entries(request.user),
        "returned": selectors.returned_to(request.user),
        "may_review": access.may_review(request.user),
        "may_add": access.may_enter_field_data(request.user),
    }
    return render(request, "field/home.html", context)


@login_required
def record_list(request, kind_slug: str):
    kind = _kind(kind_slug)
    records = access.visible(kind.model.objects.select_related(*kind.related), request.user)
    state = request.GET.get("state")
    if state in ReviewState.values:
        records = records.filter(review_state=state)
    page = Paginator(records.order_by(f"-{kind.date_field}", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "field/list.html",
        {
            "kind": kind,
            "page": page,
            "state": state,
            "states": ReviewState.choices,
            "may_add": access.may_enter_field_data(request.user),
        },
    )


@login_required_or_401
def record_form(request, kind_slug: str, pk: int | None = None):
    """Create (pk None) or change a field record: save as draft, or submit for review. The phone's
    outbox posts the same form and is answered in JSON (`field.outbox`)."""
    kind = _kind(kind_slug)
    outbox_send = request.method == "POST" and outbox.is_outbox(request)
    record = _visible_record(request, kind, pk) if pk is not None else kind.model()
    if not access.may_enter_field_data(request.user):
        message = _("Only field staff record field data; managers act through review.")
        if outbox_send:
            return outbox.forbidden(message)
        raise PermissionDenied(message)
    if record.pk and record.review_state == ReviewState.VERIFIED:
        message = _("This record is verified and can no longer be changed.")
        if outbox_send:
            return outbox.forbidden(message)
        messages.warning(request, message)
        return redirect("field:detail", kind.slug, record.pk)
    if request.method == "POST" and (token := _posted_token(request)):
        # A resend of an entry already saved answers with that record, before the form's rules.
        try:
            earlier = record_saved_with(
                token,
                by=request.user,
                model=kind.model,
                fingerprint=content_fingerprint(request.POST, request.FILES),
            )
        except FormTokenReused as error:
            earlier = None
            if outbox_send:
                return outbox.conflict(error)
        if earlier is not None:
            if outbox_send:
                return outbox.saved(earlier, kind)
            return redirect("field:detail", kind.slug, earlier.pk)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = kind.form_class(data, files, instance=record, user=request.user)
    formset = kind.formset_class(data, instance=record, prefix="priorities") if kind.formset_class else None
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            saved = kind.service(
                record=form.save(commit=False),
                by=request.user,
                submit="submit" in request.POST,
                token=form.cleaned_data.get("token") or uuid.uuid4(),
                version=form.cleaned_data.get("version"),
                fingerprint=content_fingerprint(request.POST, request.FILES),
                **kind.related_of(form, formset),
            )
        except FormTokenReused as error:
            if outbox_send:
                return outbox.conflict(error)
            _add_errors(form, error)
        except ValidationError as error:
            _add_errors(form, error)
        except FieldAccessDenied as denied:
            if outbox_send:
                return outbox.forbidden(str(denied))
            raise PermissionDenied(str(denied)) from denied
        else:
            if outbox_send:
                return outbox.saved(saved, kind)
            if saved.review_state == ReviewState.SUBMITTED:
                messages.success(request, _("Submitted for review: %(record)s") % {"record": saved})
            else:
                messages.success(request, _("Draft saved: %(record)s") % {"record": saved})
            return redirect("field:detail", kind.slug, saved.pk)
    if outbox_send:
        return outbox.refused(form, formset)
    return render(
        request, "field/form.html", {"kind": kind, "form": form, "formset": formset, "record": record}
    )


@login_required
def record_detail(request, kind_slug: str, pk: int):
    kind = _kind(kind_slug)
    record = _visible_record(request, kind, pk)
    events = ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(kind.model), object_id=record.pk
    ).select_related("by")
    fields = [(record._meta.get_field(name).verbose_name, _display(record, name)) for name in kind.columns]
    return render(
        request,
        "field/detail.html",
        {
            "kind": kind,
            "record": record,
            "fields": fields,
            "events": events,
            "may_change": access.may_change(request.user, record),
            "may_review": access.may_review(request.user) and record.review_state == ReviewState.SUBMITTED,
        },
    )


def _display(record, name: str):
    value = getattr(record, f"get_{name}_display", None)
    if value is not None:
        return value()
    value = getattr(record, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, models.fields.files.FieldFile):
        return value if value else "—"
    return "—" if value in (None, "") else value


@login_required
@require_POST
def record_submit(request, kind_slug: str, pk: int):
    """Submit a draft or a returned record, as it is."""
    kind = _kind(kind_slug)
    record = _visible_record(request, kind, pk)
    try:
        kind.service(record=record, by=request.user, submit=True)
    except FieldAccessDenied as denied:
        raise PermissionDenied(str(denied)) from denied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Submitted for review: %(record)s") % {"record": record})
    return redirect("field:detail", kind.slug, record.pk)


@login_required
def review_queue(request):
    """Submitted records, oldest first, with counts per neighbourhood; verify many at once."""
    if not access.may_review(request.user):
        raise PermissionDenied(_("Only ILO managers review field records."))
    if request.method == "POST":
        return _verify_many(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    queue = selectors.review_queue(request.user, neighbourhood=request.GET.get("neighbourhood"))
    return render(request, "field/review_queue.html", queue)


def _verify_many(request):
    records = []
    for item in request.POST.getlist("record"):
        kind_slug, _sep, pk = item.partition(":")
        if kind_slug not in KINDS or (pk := parse_id(pk)) is None:
            continue
        record = access.visible(KINDS[kind_slug].model.objects.all(), request.user).filter(pk=pk).first()
        if record is not None:
            records.append(record)
    result = records_verify(records=records, by=request.user)
    verified, refused = result.verified, result.refused
    messages.success(
        request, ngettext("%(n)d record verified.", "%(n)d records verified.", verified) % {"n": verified}
    )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(n)d record could not be verified (no longer submitted).",
                "%(n)d records could not be verified (no longer submitted).",
                refused,
            )
            % {"n": refused},
        )
    return redirect("field:review")


@login_required
@require_POST
def review_decide(request, kind_slug: str, pk: int):
    """Verify, or return with a comment (required and kept)."""
    if not access.may_review(request.user):
        raise PermissionDenied(_("Only ILO managers review field records."))
    kind = _kind(kind_slug)
    record = _visible_record(request, kind, pk)
    decision = request.POST.get("decision")
    to_state = {"verify": ReviewState.VERIFIED, "return": ReviewState.RETURNED}.get(decision)
    if to_state is None:
        messages.error(request, _("Choose to verify or to return the record."))
        return redirect("field:detail", kind.slug, record.pk)
    try:
        review_set_state(
            record=record, to_state=to_state, by=request.user, comment=request.POST.get("comment", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("field:detail", kind.slug, record.pk)
    messages.success(
        request, _("%(record)s: %(state)s.") % {"record": record, "state": ReviewState(to_state).label}
    )
    return redirect(_local_next(request) or reverse("field:review"))


def _posted_token(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return None


def _local_next(request) -> str | None:
    """`next` when it is a path of this site; never another site (an open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_GET
def beneficiary_search(request):
    """Beneficiaries of the user's neighbourhoods matching a code or name: code and name only."""
    query = request.GET.get("q", "").strip()
    if len(query) < 2:
        return JsonResponse({"results": []})
    people = (
        access.visible(Beneficiary.objects.all(), request.user)
        .filter(
            models.Q(code__istartswith=query)
            | models.Q(last_name__istartswith=query)
            | models.Q(first_name__istartswith=query)
        )
        .order_by("code")[:10]
    )
    return JsonResponse(
        {"results": [{"code": p.code, "name": f"{p.first_name} {p.last_name}"} for p in people]}
    )


@require_GET
def work_photo(request, pk: int):
    """A work record's photo, for those who may see the record (photos may show people).

    Signed in, or with an API token (`Authorization: Token …`): the API gives this URL as a work
    record's `photo`. Without either, the login page; with a wrong token, 401.
    """
    if not request.user.is_authenticated:
        try:
            found = TokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            return HttpResponse(status=401, headers={"WWW-Authenticate": "Token"})
        if found is None:
            return redirect_to_login(request.get_full_path())
        request.user = found[0]
    record = _visible_record(request, KINDS["work"], pk)
    if not record.photo:
        raise Http404
    response = FileResponse(record.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

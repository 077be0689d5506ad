"""The notifications pages: the list, opening one (marked read, then its record), preferences,
and the one-click unsubscribe of every mail. Views parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import PreferenceForm
from .models import Delivery, Notification
from .tokens import read_unsubscribe_token


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Mark the notification read, then go to what it is about."""
    try:
        notification = services.notification_open(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404(_("No such notification.")) from None
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "notifications:list"
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notification(s) marked as read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    preference = selectors.preference_of(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification preferences were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# A mail client's one-click unsubscribe posts without a CSRF token (RFC 8058): the signed link
# is the proof, and it can only turn mails off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """One click, no login: the signed link turns off the kind of mail it came in."""
    try:
        link = read_unsubscribe_token(token)
        user = get_user_model().objects.get(pk=link.user_id, is_active=True)
        label = Delivery.Kind(link.kind).label
        services.preference_unsubscribe(user=user, kind=link.kind)
    except (signing.BadSignature, ValueError, KeyError, get_user_model().DoesNotExist):
        return render(
            request,
            "notifications/unsubscribe.html",
            {"refused": True, "message": _("This unsubscribe link is not valid: it may have been altered.")},
            status=400,
        )
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "refused": False,
            "message": _("You will no longer receive this e-mail: %(kind)s.") % {"kind": label},
        },
    )

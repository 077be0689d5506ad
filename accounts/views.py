"""The accounts pages: language switcher, login and password forms (throttled), the second
factor's enrolment and verification, the administrators' access review."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import CodeForm, DeactivateForm, LoginForm
from .language import SESSION_KEY, language_choose
from .second_factor import (
    is_enrolled,
    is_verified,
    normalise,
    qr_svg,
    recovery_codes,
    requires_second_factor,
    secret_text,
    session_verify,
)
from .selectors import access_review_rows, recent_access_changes
from .throttling import LoginRateThrottle, PasswordRateThrottle, throttle_posts

REVIEW_PERMISSION = "accounts.review_access"


def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language:
        language_choose(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return response


@method_decorator(throttle_posts(LoginRateThrottle), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login, its posts limited per address (axes locks an account after failures)."""

    authentication_form = LoginForm


@method_decorator(throttle_posts(PasswordRateThrottle), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, its posts limited per user."""


def is_recovery(request) -> bool:
    """A recovery code is checked by its own device, whatever the app's device waits for."""
    return not re.fullmatch(r"[0-9]{6}", normalise(request.POST.get("code", "")))


def next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("home")


def waiting(user) -> bool:
    """After a wrong code, each device waits longer before it checks another (django-otp)."""
    return any(not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user))


WAIT = _lazy("Too many wrong codes: wait a moment, then type the code the app shows.")


@login_required
def second_factor(request):
    """Enrol an authenticator app: the QR code and the secret as text, then a code to confirm;
    ten recovery codes are shown once at the end. Once enrolled: new recovery codes."""
    if is_enrolled(request.user):
        if not is_verified(request):
            return redirect(f"{reverse('accounts:second-factor-verify')}?{request.GET.urlencode()}")
        if request.method == "POST":
            codes = services.recovery_codes_renew(user=request.user)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url(request)}
            )
        context = {"enrolled": True, "remaining": len(recovery_codes(request.user))}
        return render(request, "accounts/second_factor.html", context)
    device = services.second_factor_enrolment_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and waiting(request.user):
        form.add_error("code", str(WAIT))
    elif request.method == "POST" and form.is_valid():
        done = services.second_factor_enrolment_finish(user=request.user, code=form.cleaned_data["code"])
        if done is not None:
            device, codes = done
            session_verify(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url(request)}
            )
        form.add_error("code", _("This code is not the one the app shows now."))
    context = {
        "form": form,
        "required": requires_second_factor(request.user),
        "qr": qr_svg(device.config_url),
        "secret": secret_text(device),
        "uri": device.config_url,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/second_factor.html", context)


@login_required
def second_factor_verify(request):
    """The second step of signing in: a code from the app, or a recovery code (used up)."""
    if not is_enrolled(request.user):
        return redirect(f"{reverse('accounts:second-factor')}?{request.GET.urlencode()}")
    if is_verified(request):
        return redirect(next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and waiting(request.user) and not is_recovery(request):
        form.add_error("code", str(WAIT))
    elif request.method == "POST" and form.is_valid():
        device = services.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            session_verify(request, device)
            return redirect(next_url(request))
        form.add_error("code", _("This code is wrong, or was already used."))
    next_value = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": next_value})


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
def access_review(request):
    """Every account: role, neighbourhoods, personal data, second factor, last login; accounts
    unused for ACCOUNT_INACTIVE_DAYS flagged and deactivatable at once; the latest changes."""
    rows = access_review_rows()
    if request.method == "POST":
        form = DeactivateForm(request.POST, user_ids=[row.user.pk for row in rows if row.unused])
        if form.is_valid():
            count = services.accounts_deactivate(user_ids=form.cleaned_data["users"], by=request.user)
            messages.success(request, _("%(count)d account(s) deactivated.") % {"count": count})
            return redirect("accounts:access-review")
        messages.error(request, _("Choose unused accounts to deactivate."))
    context = {
        "rows": rows,
        "changes": recent_access_changes(),
        "inactive_days": settings.ACCOUNT_INACTIVE_DAYS,
    }
    return render(request, "accounts/access_review.html", context)


@require_POST
@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
def second_factor_reset(request, user_id: int):
    """An administrator removes someone's authenticator and recovery codes (logged); their
    sessions end and they enrol again at the next sign-in."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    services.second_factor_reset(user=user, by=request.user)
    messages.success(request, _("The second factor of %(user)s was reset.") % {"user": user.get_username()})
    return redirect("accounts:access-review")

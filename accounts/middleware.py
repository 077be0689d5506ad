"""Until a required second factor is enrolled and verified in the session, a signed-in person
reaches only the enrolment, verification and logout pages (and the language switcher); the API
answers a JSON 403 to such a session. The Django admin asks every staff member for it."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .second_factor import is_enrolled, is_verified, requires_second_factor

#: URL names open to a session still waiting for its second factor.
OPEN_URL_NAMES = (
    "accounts:second-factor",
    "accounts:second-factor-verify",
    "logout",
    "admin:logout",
    "login",
    "set_language",
    "javascript-catalog",
)


@cache
def open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in OPEN_URL_NAMES)


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware, which sets `request.user.is_verified()`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and request.path not in open_paths()
            and not is_verified(request)
            and self.needs_second_factor(request, user)
        ):
            return self.refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def needs_second_factor(request, user) -> bool:
        return (
            (user.is_staff and request.path.startswith(reverse("admin:index")))
            or requires_second_factor(user)
            or is_enrolled(user)
        )

    @staticmethod
    def refuse(request, user):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Sign in with your second factor first (%(url)s).")
                    % {"url": reverse("accounts:second-factor-verify")}
                },
                status=403,
            )
        name = "accounts:second-factor-verify" if is_enrolled(user) else "accounts:second-factor"
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")

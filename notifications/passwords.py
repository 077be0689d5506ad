"""Password reset by e-mail with Django's own views: the mail in the recipient's language, the
same answer whether the address exists or not, and limits in the last hour per address asked for
and per client address (429 with Retry-After)."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.language import language_of
from accounts.throttling import PasswordResetRateThrottle, client_address

from .mailing import recipient_language


class LocalisedPasswordResetForm(PasswordResetForm):
    """Django's form; each mail is written in its recipient's language: the one they chose, else
    the language of the page they asked from (their browser's, before login: issue 15)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with translation.override(
            language_of(user) or translation.get_language() or recipient_language(user)
        ):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalisedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        address = request.POST.get("email", "").strip().lower()
        # Per address asked for, and per client address as the throttles see it (behind
        # THROTTLE_NUM_PROXIES proxies, the one the outermost saw); a cache outage lets it through.
        throttles = [
            PasswordResetRateThrottle(
                kind="ip", value=client_address(request) or "", limit=settings.PASSWORD_RESET_LIMIT_PER_IP
            )
        ]
        if address:
            throttles.append(
                PasswordResetRateThrottle(
                    kind="address", value=address, limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
                )
            )
        refused = [throttle for throttle in throttles if not throttle.allow_request(request, None)]
        if refused:
            form = self.get_form()
            response = self.render_to_response(
                self.get_context_data(
                    form=form,
                    limited=_("Too many requests to reset a password. Try again in an hour."),
                ),
                status=429,
            )
            wait = max(throttle.wait() or throttle.duration for throttle in refused)
            response["Retry-After"] = str(max(1, math.ceil(wait)))
            return response
        return super().post(request, *args, **kwargs)

"""Password reset by e-mail with Django's own views: the mail in the recipient's language, the
same answer whether the address exists or not, and a cache-based limit per address and per IP."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.language import language_of

from .mailing import recipient_language

WINDOW_SECONDS = 60 * 60


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


def _over_limit(kind: str, value: str, limit: int) -> bool:
    """Count one more request for `value` in this hour; True past `limit`. The cache being down
    lets the request through (Django's token still expires; axes still guards logins)."""
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    try:
        cache.add(key, 0, WINDOW_SECONDS)
        return cache.incr(key) > limit
    except Exception:  # noqa: BLE001 - a cache outage must not stop a reset
        return False


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalisedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        address = request.POST.get("email", "").strip().lower()
        by_address = (
            _over_limit("address", address, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS) if address else False
        )
        by_ip = _over_limit("ip", request.META.get("REMOTE_ADDR", ""), settings.PASSWORD_RESET_LIMIT_PER_IP)
        if by_address or by_ip:
            form = self.get_form()
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    limited=_("Too many requests to reset a password. Try again in an hour."),
                ),
                status=429,
            )
        return super().post(request, *args, **kwargs)

"""Deployment checks of signing in (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_required(app_configs=None, **kwargs):
    """OTP_REQUIRED off opens managers' and administrators' accounts to a password alone."""
    if settings.OTP_REQUIRED:
        return []
    return [
        Warning(
            "OTP_REQUIRED is off: ILO managers, administrators and whoever sees personal data "
            "sign in with a password alone.",
            hint="Unset OTP_REQUIRED (on by default) in production.",
            id="accounts.W001",
        )
    ]

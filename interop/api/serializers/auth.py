"""The token request: DRF's user name and password, and the second factor's code when needed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer


class TokenRequestSerializer(AuthTokenSerializer):
    # Bounded as the user model's name is: a longer one names nobody, and reached the lockout's
    # log (axes) as a value too long for its column.
    username = serializers.CharField(label=_("Username"), max_length=150, write_only=True)
    password = serializers.CharField(
        label=_("Password"),
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    otp = serializers.CharField(
        label=_("Code"),
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text=_(
            "For accounts that sign in with a second factor: the code of the authenticator app, "
            "or a recovery code."
        ),
    )

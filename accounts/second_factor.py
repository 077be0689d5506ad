"""The second factor: who must sign in with one, their devices, the QR code, checking a code.

TOTP (any authenticator app) and ten single-use recovery codes, on django-otp's devices. A session
is verified once `django_otp.login` put the device that accepted a code in it
(`django_otp.middleware.OTPMiddleware` reads it back on each request).
"""

from __future__ import annotations

import re

import segno
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

#: The permission the roles table gives ILO managers and administrators (`programs/roles.py`).
REQUIRED_PERMISSION = "accounts.require_second_factor"
#: Who sees personal data signs in with a second factor, whatever their role.
PERSONAL_DATA_PERMISSION = "beneficiaries.view_personal_data"
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
RECOVERY_CODES = 10


def requires_second_factor(user) -> bool:
    """ILO managers, administrators, anyone who sees personal data (and superusers)."""
    if not settings.OTP_REQUIRED or not user.is_authenticated:
        return False
    return user.has_perm(REQUIRED_PERMISSION) or user.has_perm(PERSONAL_DATA_PERMISSION)


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def is_enrolled(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def signs_in_with_second_factor(user) -> bool:
    """Required for the user, or chosen by them (field staff who enrolled)."""
    return requires_second_factor(user) or is_enrolled(user)


def is_verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def recovery_codes(user) -> list[str]:
    """The user's recovery codes not used yet."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()
    return list(device.token_set.order_by("pk").values_list("token", flat=True)) if device else []


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def code_check(user, code: str):
    """The device that accepts `code` (a TOTP code or a recovery code, which is then used up),
    or None. Each device counts its failures and waits longer after each (django-otp)."""
    code = normalise(code)
    if not code:
        return None
    # A code of six digits is the app's, anything else a recovery code: each device is tried
    # only with its own kind, so that a recovery code does not count as a failure of the app.
    model = TOTPDevice if re.fullmatch(r"[0-9]{6}", code) else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(code):
                return locked
    return None


def session_verify(request, device) -> None:
    """The session is verified by `device` from now on (django-otp's own login)."""
    otp_login(request, device)


def session_is_verified_by(session, device) -> bool:
    return session.get(DEVICE_ID_SESSION_KEY) == device.persistent_id


def qr_svg(uri: str) -> str:
    """The QR code of `uri` drawn here as inline SVG markup (nothing is asked of another host)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, to type into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

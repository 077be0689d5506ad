"""For the test suite and the benchmarks: an enrolled authenticator, its current code, and a test
client's session marked verified by it (what the verification page does after a right code)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .second_factor import TOTP_NAME, signs_in_with_second_factor


def second_factor_device(user) -> TOTPDevice:
    """The user's confirmed authenticator, enrolled now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the authenticator app shows now (or `offset_steps` steps later), from the key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def client_verify_second_factor(client, user) -> None:
    """Mark `client`'s session (after a login) verified by the user's authenticator, when the user
    signs in with one or may enter the admin, which asks every staff member for it (a fresh
    instance is read: `has_perm` caches on the one given)."""
    user = get_user_model().objects.get(pk=user.pk)
    if not (signs_in_with_second_factor(user) or user.is_staff):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = second_factor_device(user).persistent_id
    session.save()

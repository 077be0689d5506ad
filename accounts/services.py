"""Writes on accounts: enrolling and resetting the second factor, ending sessions, deactivating."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from .audit import LOGGED
from .models import AccessChange
from .second_factor import RECOVERY_CODES, RECOVERY_NAME, TOTP_NAME, code_check


def second_factor_enrolment_start(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator (a new secret the first time; the same one while the
    enrolment is not finished, so that a reload does not change the QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def second_factor_enrolment_finish(*, user, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the unconfirmed authenticator with a code it shows; returns it and ten new
    recovery codes, or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(code.split())):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Ten new single-use recovery codes; the earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_verify(*, user, code: str):
    """The device that accepts `code` (see `second_factor.code_check`), or None."""
    return code_check(user, code)


def user_sessions_end(*, user) -> int:
    """End every session of `user` on the server (database sessions); returns how many."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def api_tokens_end(*, user) -> int:
    """Delete the user's API token (they ask for a new one); returns how many were deleted."""
    return Token.objects.filter(user=user).delete()[0]


@transaction.atomic
def second_factor_reset(*, user, by) -> None:
    """Remove the user's authenticator and recovery codes, end their sessions and their API token
    (issued on the strength of that factor); logged. They enrol again at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    AccessChange.objects.create(user=user, by=by, kind=AccessChange.Kind.SECOND_FACTOR_RESET)
    user_sessions_end(user=user)
    api_tokens_end(user=user)


def inactive_since() -> datetime.datetime:
    """Accounts not used since this moment are flagged on the access review."""
    return timezone.now() - datetime.timedelta(days=settings.ACCOUNT_INACTIVE_DAYS)


@transaction.atomic
def accounts_deactivate(*, user_ids, by) -> int:
    """Deactivate the unused accounts among `user_ids` (never `by` itself), end their sessions,
    log each; returns how many were deactivated."""
    from .selectors import unused_accounts

    users = list(unused_accounts().filter(pk__in=user_ids, is_active=True).exclude(pk=by.pk))
    for user in users:
        user.is_active = False
        setattr(user, LOGGED, True)  # logged here, with `by`, not by the audit's signal
        user.save(update_fields=["is_active"])
        AccessChange.objects.create(user=user, by=by, kind=AccessChange.Kind.DEACTIVATED)
        user_sessions_end(user=user)
    return len(users)


@transaction.atomic
def second_factor_ensure(*, user) -> tuple[TOTPDevice, list[str]]:
    """The user's confirmed authenticator and unused recovery codes, enrolled now if missing (for
    demo accounts: loading twice keeps the same secret and codes; new codes once all are used)."""
    from .second_factor import recovery_codes, totp_device

    device = totp_device(user) or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)
    codes = recovery_codes(user) or recovery_codes_renew(user=user)
    return device, codes

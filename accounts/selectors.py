"""Reads for the access review: every account with what it may reach."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from programs.models import NeighbourhoodAssignment
from programs.roles import role_label

from .models import AccessChange
from .second_factor import PERSONAL_DATA_PERMISSION

User = get_user_model()


def unused_accounts() -> QuerySet:
    """Accounts not signed in since `ACCOUNT_INACTIVE_DAYS` (or never, and made before then)."""
    from .services import inactive_since

    since = inactive_since()
    return User.objects.filter(Q(last_login__lt=since) | Q(last_login__isnull=True, date_joined__lt=since))


@dataclass
class AccountRow:
    user: object
    roles: list[str]
    neighbourhoods: list[str]
    personal_data: bool
    enrolled: bool
    unused: bool


def access_review_rows() -> list[AccountRow]:
    """One row per account, a fixed number of queries whatever their number."""
    app_label, codename = PERSONAL_DATA_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    personal = set(
        User.objects.filter(
            Q(is_superuser=True) | Q(user_permissions=permission) | Q(groups__permissions=permission)
        ).values_list("pk", flat=True)
    )
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    unused = set(unused_accounts().values_list("pk", flat=True))
    hoods: dict[int, list[str]] = {}
    for user_id, name in NeighbourhoodAssignment.objects.order_by("neighbourhood__name").values_list(
        "user_id", "neighbourhood__name"
    ):
        hoods.setdefault(user_id, []).append(name)
    users = User.objects.prefetch_related("groups").order_by("username")
    return [
        AccountRow(
            user=user,
            roles=sorted(role_label(group.name) for group in user.groups.all()),
            neighbourhoods=hoods.get(user.pk, []),
            personal_data=user.pk in personal,
            enrolled=user.pk in enrolled,
            unused=user.pk in unused,
        )
        for user in users
    ]


def recent_access_changes(limit: int = 100) -> QuerySet:
    return AccessChange.objects.select_related("user", "by")[:limit]

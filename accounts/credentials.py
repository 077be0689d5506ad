"""A new password ends the person's API token, as it ends their other sessions (Django's session
hash): a token taken with a leaked password stops working once the password is changed or reset.
The same password set again (a hash upgraded at login) changes nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db.models.signals import post_save, pre_save

User = get_user_model()
#: Set on a user whose save gives them a new password.
NEW_PASSWORD = "_new_password"


def password_before_save(sender, instance, raw=False, **kwargs):
    """`set_password` keeps the raw password on the instance until the save (Django's own)."""
    password = getattr(instance, "_password", None)
    if raw or password is None or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if not (old and check_password(password, old)):
        setattr(instance, NEW_PASSWORD, True)


def password_saved(sender, instance, raw=False, **kwargs):
    if instance.__dict__.pop(NEW_PASSWORD, False):
        from .services import api_tokens_end

        api_tokens_end(user=instance)


def connect() -> None:
    pre_save.connect(password_before_save, sender=User, dispatch_uid="accounts.credentials.before")
    post_save.connect(password_saved, sender=User, dispatch_uid="accounts.credentials.saved")

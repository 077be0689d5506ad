"""Every change of role, permission or neighbourhood is kept as an `AccessChange`, with the person
who made it: the signed-in user of the request (simple_history's HistoryRequestMiddleware keeps
the request at hand), nobody for a shell or a migration. A user's superuser and staff statuses are
permissions too (`is_superuser` gives every one), and deactivating or reactivating an account is
a change of access."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from simple_history.models import HistoricalRecords

from programs.models import NeighbourhoodAssignment

from .models import AccessChange

User = get_user_model()
ADDED = {"post_add": True, "post_remove": False, "pre_clear": False}


def acting_user():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _changes(instance, action, reverse, model, pk_set, *, forward: str):
    """(owner, related) pairs an m2m change touched, from whichever side it was made; `forward`
    is the owner's manager ("groups", "user_permissions", "permissions")."""
    if action == "pre_clear":
        if reverse:  # e.g. group.user_set.clear(): the owners are `model`'s rows
            return [(owner, instance) for owner in model.objects.filter(**{forward: instance})]
        return [(instance, related) for related in getattr(instance, forward).all()]
    related = list(model.objects.filter(pk__in=pk_set or []))
    return [(other, instance) for other in related] if reverse else [(instance, r) for r in related]


def user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ADDED:
        return
    kind = AccessChange.Kind.ROLE_ADDED if ADDED[action] else AccessChange.Kind.ROLE_REMOVED
    by = acting_user()
    AccessChange.objects.bulk_create(
        [
            AccessChange(user=user, by=by, kind=kind, role=group.name)
            for user, group in _changes(instance, action, reverse, model, pk_set, forward="groups")
        ]
    )


def _permission_name(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ADDED:
        return
    kind = AccessChange.Kind.PERMISSION_ADDED if ADDED[action] else AccessChange.Kind.PERMISSION_REMOVED
    by = acting_user()
    AccessChange.objects.bulk_create(
        [
            AccessChange(user=user, by=by, kind=kind, detail=_permission_name(permission))
            for user, permission in _changes(
                instance, action, reverse, model, pk_set, forward="user_permissions"
            )
        ]
    )


def group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ADDED:
        return
    kind = AccessChange.Kind.PERMISSION_ADDED if ADDED[action] else AccessChange.Kind.PERMISSION_REMOVED
    by = acting_user()
    AccessChange.objects.bulk_create(
        [
            AccessChange(by=by, kind=kind, role=group.name, detail=_permission_name(permission))
            for group, permission in _changes(instance, action, reverse, model, pk_set, forward="permissions")
        ]
    )


#: A user's flags that change what they may reach, kept as a permission given or taken away.
FLAGS = ("is_staff", "is_superuser")
#: Set on a user by a service that writes its own AccessChange for the save (`accounts_deactivate`).
LOGGED = "_access_change_logged"


def user_flags_before(sender, instance, raw=False, update_fields=None, **kwargs):
    """Read the flags the save may change (not for a save of other fields: a login's last_login)."""
    watched = {*FLAGS, "is_active"}
    if raw or (update_fields is not None and not watched & set(update_fields)):
        return
    before = User.objects.filter(pk=instance.pk).values(*watched).first() if instance.pk else None
    instance._access_flags_before = before or {"is_staff": False, "is_superuser": False, "is_active": True}


def user_flags_saved(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_access_flags_before", None)
    if raw or before is None or instance.__dict__.pop(LOGGED, False):
        return
    by = acting_user()
    changes = [
        AccessChange(
            user=instance,
            by=by,
            kind=AccessChange.Kind.PERMISSION_ADDED
            if getattr(instance, flag)
            else AccessChange.Kind.PERMISSION_REMOVED,
            detail=flag,
        )
        for flag in FLAGS
        if getattr(instance, flag) != before[flag]
    ]
    if instance.is_active != before["is_active"]:
        kind = AccessChange.Kind.REACTIVATED if instance.is_active else AccessChange.Kind.DEACTIVATED
        changes.append(AccessChange(user=instance, by=by, kind=kind))
    AccessChange.objects.bulk_create(changes)


def group_deleted(sender, instance, **kwargs):
    """Deleting a role takes it from its members without a signal of the membership."""
    by = acting_user()
    AccessChange.objects.bulk_create(
        [
            AccessChange(user=user, by=by, kind=AccessChange.Kind.ROLE_REMOVED, role=instance.name)
            for user in instance.user_set.all()
        ]
    )


def assignment_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        AccessChange.objects.create(
            user_id=instance.user_id,
            by=acting_user(),
            kind=AccessChange.Kind.NEIGHBOURHOOD_ADDED,
            detail=instance.neighbourhood.name,
        )


def assignment_deleted(sender, instance, origin=None, **kwargs):
    # Not when the user goes with it: the row would point to a user being deleted.
    if not isinstance(origin, User) and getattr(origin, "model", None) is not User:
        AccessChange.objects.create(
            user_id=instance.user_id,
            by=acting_user(),
            kind=AccessChange.Kind.NEIGHBOURHOOD_REMOVED,
            detail=instance.neighbourhood.name,
        )


def connect() -> None:
    m2m_changed.connect(user_groups_changed, sender=User.groups.through, dispatch_uid="accounts.audit.groups")
    m2m_changed.connect(
        user_permissions_changed, sender=User.user_permissions.through, dispatch_uid="accounts.audit.perms"
    )
    m2m_changed.connect(
        group_permissions_changed, sender=Group.permissions.through, dispatch_uid="accounts.audit.role_perms"
    )
    pre_save.connect(user_flags_before, sender=User, dispatch_uid="accounts.audit.flags-before")
    post_save.connect(user_flags_saved, sender=User, dispatch_uid="accounts.audit.flags")
    pre_delete.connect(group_deleted, sender=Group, dispatch_uid="accounts.audit.role-deleted")
    post_save.connect(assignment_saved, sender=NeighbourhoodAssignment, dispatch_uid="accounts.audit.hood+")
    post_delete.connect(
        assignment_deleted, sender=NeighbourhoodAssignment, dispatch_uid="accounts.audit.hood-"
    )

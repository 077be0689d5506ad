"""The one permission layer: what a user may see and change.

Views, admin, API, exports, search and autocomplete all scope their query sets here, so the
rule "field staff see and change only their assigned neighbourhoods" is written once.
"""

from __future__ import annotations

import enum

from django.db.models import Model, QuerySet

from . import roles


class Role(enum.StrEnum):
    ANONYMOUS = "anonymous"
    FIELD_STAFF = "field_staff"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"
    NONE = "none"


def neighbourhood_path(model: type[Model]) -> str:
    """How a scoped model reaches its neighbourhood: declared once, on the model, as
    `neighbourhood_path` ("site__neighbourhood"; "pk" for the neighbourhood itself). The scoping
    here, the API filters and the dashboard filters all read it."""
    try:
        return model.neighbourhood_path
    except AttributeError:
        raise TypeError(f"{model._meta.label} declares no neighbourhood_path") from None


def neighbourhood_id_of(obj: Model) -> int | None:
    """The neighbourhood a record belongs to, following its model's `neighbourhood_path`."""
    path = neighbourhood_path(type(obj))
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        if getattr(obj, f"{hop}_id", None) is None:
            return None
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id", None)


def role_of(user) -> Role:
    """The user's role; the broadest one wins when a user holds several."""
    if not user or not user.is_authenticated:
        return Role.ANONYMOUS
    if user.is_superuser:
        return Role.ADMINISTRATOR
    names = _group_names(user)
    if roles.ADMINISTRATORS in names:
        return Role.ADMINISTRATOR
    if roles.ILO_MANAGERS in names:
        return Role.MANAGER
    if roles.FIELD_STAFF in names:
        return Role.FIELD_STAFF
    return Role.NONE


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_haiti_esc_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._haiti_esc_groups = cached
    return cached


def assigned_neighbourhood_ids(user) -> frozenset[int]:
    cached = getattr(user, "_haiti_esc_neighbourhoods", None)
    if cached is None:
        cached = frozenset(user.neighbourhood_assignments.values_list("neighbourhood_id", flat=True))
        user._haiti_esc_neighbourhoods = cached
    return cached


def _may(user, codename: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(f"programs.{codename}"))


def may_use_programme(user) -> bool:
    """Pages, exports and API are for the programme's roles (their rows scoped by `visible`)."""
    return _may(user, "use_programme")


def sees_everything(user) -> bool:
    return _may(user, "see_all_neighbourhoods")


def visible(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` the user may see: all with the permission to see every
    neighbourhood, their assigned neighbourhoods' for other users of the programme (field
    staff), none for anyone else."""
    if sees_everything(user):
        return queryset
    if not may_use_programme(user):
        return queryset.none()
    path = neighbourhood_path(queryset.model)
    return queryset.filter(**{f"{path}__in": assigned_neighbourhood_ids(user)})


def may_enter_field_data(user) -> bool:
    """Field staff create and change field records (managers act through review)."""
    return _may(user, "enter_field_data")


def may_change(user, obj: Model) -> bool:
    """Field staff change records of their neighbourhoods that are not verified."""
    if not may_enter_field_data(user):
        return False
    if getattr(obj, "review_state", None) == "verified":
        return False
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def may_review(user) -> bool:
    return _may(user, "review_field_records")


def may_view_personal_data(user) -> bool:
    """Phone numbers and dates of birth: only with the dedicated permission."""
    return bool(user and user.is_authenticated and user.has_perm("beneficiaries.view_personal_data"))


def neighbourhood_allowed(user, neighbourhood_id: int | None) -> bool:
    """Whether the user may record something in that neighbourhood."""
    if neighbourhood_id is None:
        return False
    if sees_everything(user):
        return True
    return may_enter_field_data(user) and neighbourhood_id in assigned_neighbourhood_ids(user)

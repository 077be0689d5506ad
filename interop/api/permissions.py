"""Who may use the API: the same roles as the pages, through `programs.access`."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from programs import access


class HasRole(BasePermission):
    """Any signed-in user with one of the programme's roles; what they see is scoped per row."""

    message = "You need one of the programme's roles (field staff, manager, administrator)."

    def has_permission(self, request, view) -> bool:
        return access.may_use_programme(request.user)


class EntersFieldData(HasRole):
    """Reading for every role; creating and changing field records only for field staff."""

    message = "Only field staff record field data; managers act through review."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        return access.may_enter_field_data(request.user)


class Reviews(HasRole):
    """ILO managers and administrators verify or return field records."""

    message = "Only ILO managers review field records."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and access.may_review(request.user)

"""What a person chose for themselves: the language they read the programme in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.roles import role_label


class Profile(models.Model):
    """One per user, made on first need; the language is used at login on any device."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages and e-mails; empty: the browser's, else French."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(language="") | Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="profile_language_known",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class AccessChange(models.Model):
    """Who changed whose access, and how: roles, permissions, neighbourhoods, the second factor,
    deactivation. Written by the signals of `accounts.audit` and by `accounts.services`."""

    class Kind(models.TextChoices):
        ROLE_ADDED = "role_added", _("role given")
        ROLE_REMOVED = "role_removed", _("role taken away")
        PERMISSION_ADDED = "permission_added", _("permission given")
        PERMISSION_REMOVED = "permission_removed", _("permission taken away")
        NEIGHBOURHOOD_ADDED = "neighbourhood_added", _("neighbourhood assigned")
        NEIGHBOURHOOD_REMOVED = "neighbourhood_removed", _("neighbourhood unassigned")
        SECOND_FACTOR_RESET = "second_factor_reset", _("second factor reset")
        DEACTIVATED = "deactivated", _("account deactivated")
        REACTIVATED = "reactivated", _("account reactivated")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Whose access changed; empty when a role's own permissions changed (`role` says which).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_changes",
    )
    role = models.CharField(_("role"), max_length=150, blank=True)
    kind = models.CharField(_("change"), max_length=32, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        ordering = ["-at", "-pk"]
        permissions = [
            ("review_access", _("Can review every account's access and deactivate unused ones")),
            ("require_second_factor", _("Signs in with a second factor (required)")),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.user or self.role}"

    @property
    def role_label(self) -> str:
        """The role in the reader's language (`programs.roles.LABELS`)."""
        return role_label(self.role) if self.role else ""

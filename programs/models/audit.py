"""Who saw or exported whose data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessAudit(models.Model):
    """Who saw or exported personal data, and when: written by `audit_access`, read by admins."""

    class Action(models.TextChoices):
        VIEW_PERSONAL_DATA = "view_personal", _("Viewed personal data")
        EXPORT = "export", _("Exported data")
        REFUSED = "refused", _("Access refused")
        ANONYMISE = "anonymise", _("Anonymised a person")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    what = models.CharField(_("what"), max_length=200, help_text=_("The record or export concerned."))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    path = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access audit entry")
        verbose_name_plural = _("access audit")
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"], name="audit_user_latest")]

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.what} ({self.at:%Y-%m-%d %H:%M})"

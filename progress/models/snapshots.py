"""What the engine stores: a target's progress at one moment, which every page reads."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Target


class ProgressSnapshot(models.Model):
    """A target's progress at one moment: kept one per change and one per day at least."""

    class Status(models.TextChoices):
        REACHED = "reached", _("Reached")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")
        NOT_STARTED = "not_started", _("Not started")
        NOT_REACHED = "not_reached", _("Not reached")

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="snapshots"
    )
    as_of = models.DateTimeField(_("as of"), db_index=True)
    actual = models.DecimalField(_("actual value"), max_digits=12, decimal_places=2)
    target_value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    percent = models.DecimalField(
        _("percent of target"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    remaining = models.DecimalField(_("remaining"), max_digits=12, decimal_places=2)
    expected_by_now = models.DecimalField(
        _("expected by now"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    forecast_date = models.DateField(_("forecast date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)

    class Meta:
        # The table kept its name when the engine moved out of `programs`: no row moved.
        db_table = "programs_progresssnapshot"
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["target", "-as_of"]
        get_latest_by = "as_of"
        indexes = [models.Index(fields=["target", "-as_of"], name="snapshot_target_latest")]
        constraints = [
            models.CheckConstraint(condition=Q(actual__gte=0), name="snapshot_actual_not_negative"),
            models.CheckConstraint(condition=Q(remaining__gte=0), name="snapshot_remaining_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.actual:g} ({self.as_of:%Y-%m-%d %H:%M})"

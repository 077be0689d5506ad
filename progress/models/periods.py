"""The reporting cycle: a project's reporting periods, a milestone per target and period, the
managers' narratives, the figures approved for each period and the history of its review."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.models import Project, Target


class PeriodState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")


class ReportingPeriod(models.Model):
    """One reporting period of a project: a calendar quarter by default, or set by an administrator.

    A record belongs to the first period of its project whose end is on or after the record's own
    date (so the periods share out everything dated up to the project's end); later records are
    "after the end" and belong to none.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="reporting_periods"
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("For example 2015-Q1."))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    state = models.CharField(_("state"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    #: The report's PDF as it was approved: served as the approved report until re-opened.
    approved_pdf = models.BinaryField(_("approved PDF"), null=True, blank=True, editable=False)
    approved_pdf_language = models.CharField(_("language of the approved PDF"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["project", "start"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="period_code_unique_in_project"),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="period_end_after_start",
                violation_error_message=_("The end must be on or after the start."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in PeriodState]), name="period_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["project", "end"], name="period_project_end")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.code}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end must be on or after the start.")})

    @property
    def frozen(self) -> bool:
        """Approved or locked: its figures are the approved ones."""
        return self.state in (PeriodState.APPROVED, PeriodState.LOCKED)


class Milestone(models.Model):
    """The cumulative value a target expects by the end of one period."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="milestones"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    value = models.DecimalField(_("cumulative value expected"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["target", "period"], name="milestone_one_per_target_period"),
            models.CheckConstraint(condition=Q(value__gte=0), name="milestone_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.period.code}: {self.value:g}"


class PeriodNarrative(models.Model):
    """A manager's plain-text account of one target in one period."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="narratives",
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="narratives"
    )
    text = models.TextField(_("narrative"), blank=True, validators=[ProhibitNullCharactersValidator()])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        constraints = [
            models.UniqueConstraint(fields=["period", "target"], name="narrative_one_per_target_period")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.target.indicator}"


class PeriodFigure(models.Model):
    """A target's figures for a period as they were approved: kept while the period is approved
    or locked, whatever changes afterwards."""

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("reporting period"), on_delete=models.CASCADE, related_name="figures"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="period_figures"
    )
    actual_in_period = models.DecimalField(_("actual in the period"), max_digits=12, decimal_places=2)
    actual_cumulative = models.DecimalField(
        _("cumulative actual at the period's end"), max_digits=12, decimal_places=2
    )
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("approved figure")
        verbose_name_plural = _("approved figures")
        constraints = [
            models.UniqueConstraint(fields=["period", "target"], name="figure_one_per_target_period")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.target.indicator}: {self.actual_in_period:g}"


class PeriodEvent(models.Model):
    """One transition of a period's review, with who made it, when, and why."""

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("reporting period"), on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(_("from"), max_length=10, choices=PeriodState.choices)
    to_state = models.CharField(_("to"), max_length=10, choices=PeriodState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True, validators=[ProhibitNullCharactersValidator()])

    class Meta:
        verbose_name = _("period review event")
        verbose_name_plural = _("period review events")
        ordering = ["period", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.period}: {self.get_from_state_display()} → {self.get_to_state_display()}"

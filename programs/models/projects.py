"""What the partnership does and aims for: projects and their targets."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..rules import MIN_AGE_WORK
from .organisations import Organisation, Partnership
from .places import Neighbourhood


class Project(models.Model):
    """An initiative under a partnership, such as the Enterprise Service Centres project."""

    class Status(models.TextChoices):
        # Values follow the IATI ActivityStatus codelist.
        PIPELINE = "1", _("Pipeline / identification")
        IMPLEMENTATION = "2", _("Implementation")
        FINALISATION = "3", _("Finalisation")
        CLOSED = "4", _("Closed")
        CANCELLED = "5", _("Cancelled")
        SUSPENDED = "6", _("Suspended")

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short identifier, used in the IATI activity identifier."),
    )
    title = models.CharField(_("title"), max_length=250)
    title_fr = models.CharField(_("title in French"), max_length=250, blank=True)
    title_ht = models.CharField(_("title in Haitian Creole"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    description_ht = models.TextField(_("description in Haitian Creole"), blank=True)
    launched_on = models.DateField(_("launched on"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=1, choices=Status.choices, default=Status.IMPLEMENTATION
    )
    implementing_units = models.ManyToManyField(
        Organisation, verbose_name=_("implementing units"), related_name="implemented_projects"
    )
    neighbourhoods = models.ManyToManyField(
        Neighbourhood, verbose_name=_("neighbourhoods"), related_name="projects"
    )
    progress_stale_since = models.DateTimeField(
        _("progress stale since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when a counted record changed and progress awaits its recompute."),
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="project_end_date_after_start_date",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["1", "2", "3", "4", "5", "6"]),
                name="project_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.localized_title

    @property
    def localized_title(self) -> str:
        """The title in the reader's language where one was written (French, Kreyòl), else the
        title of record (English, as in the programme documents)."""
        return getattr(self, f"title_{translation.get_language()}", "") or self.title

    @property
    def localized_description(self) -> str:
        return getattr(self, f"description_{translation.get_language()}", "") or self.description

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must be on or after the start date.")
        if self.partnership_id and self.launched_on:
            if self.launched_on < self.partnership.signed_on:
                errors["launched_on"] = _("A project cannot be launched before its partnership was signed.")
        if errors:
            raise ValidationError(errors)


class Target(models.Model):
    """What a project aims to achieve on one indicator by a due date."""

    class Indicator(models.TextChoices):
        BUSINESSES = "businesses", _("Businesses created")
        YOUTH_JOBS = "youth_jobs", _("Youth jobs")
        REHABILITATED_AREA = "rehabilitated_m2", _("Rehabilitated area")

    UNITS = {
        Indicator.BUSINESSES: "businesses",
        Indicator.YOUTH_JOBS: "jobs",
        Indicator.REHABILITATED_AREA: "m2",
    }

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    value = models.DecimalField(
        _("target value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("A count for businesses and jobs, square metres (m²) for area."),
    )
    due_date = models.DateField(_("due date"))
    youth_min_age = models.PositiveSmallIntegerField(
        _("youth band: minimum age (years)"),
        default=15,
        validators=[MinValueValidator(MIN_AGE_WORK)],
    )
    youth_max_age = models.PositiveSmallIntegerField(
        _("youth band: maximum age (years)"),
        default=24,
        validators=[MaxValueValidator(35)],
        help_text=_("UN/ILO statistical definition of youth: 15–24."),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["project", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator"],
                name="target_one_per_indicator",
                violation_error_message=_("This project already has a target for this indicator."),
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="target_value_positive",
                violation_error_message=_("The target value must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(indicator__in=["businesses", "youth_jobs", "rehabilitated_m2"]),
                name="target_indicator_valid",
            ),
            models.CheckConstraint(
                condition=Q(youth_min_age__gte=MIN_AGE_WORK) & Q(youth_max_age__gte=F("youth_min_age")),
                name="target_youth_band_valid",
                violation_error_message=_("The youth band must start at 15 or more and not be empty."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_indicator_display()} {self.value:g} {self.unit}"

    @property
    def unit(self) -> str:
        return self.UNITS[self.indicator]

    def clean(self):
        errors = {}
        if self.youth_max_age is not None and self.youth_min_age is not None:
            if self.youth_max_age < self.youth_min_age:
                errors["youth_max_age"] = _("The maximum age must not be below the minimum age.")
        if self.indicator in (self.Indicator.BUSINESSES, self.Indicator.YOUTH_JOBS):
            if self.value is not None and self.value != self.value.to_integral_value():
                errors["value"] = _("A count of businesses or jobs must be a whole number.")
        if errors:
            raise ValidationError(errors)


class TargetSplit(models.Model):
    """The share of a target assigned to one neighbourhood."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="splits"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, verbose_name=_("neighbourhood"), on_delete=models.PROTECT
    )
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("target split by neighbourhood")
        verbose_name_plural = _("target splits by neighbourhood")
        constraints = [
            models.UniqueConstraint(fields=["target", "neighbourhood"], name="target_split_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_split_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.target} — {self.neighbourhood}: {self.value:g}"

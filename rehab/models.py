"""Infrastructure rehabilitation: sites chosen by the community and the work done on them."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Q, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fora.models import StructureKind
from programs.models import Located, Neighbourhood, Project, ReviewedRecord
from programs.rules import activity_date_errors

AREA = {"max_digits": 10, "decimal_places": 2}


class RehabSite(Located):
    """A structure to rehabilitate (retaining wall, pedestrian corridor, public space)."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "neighbourhood"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="sites"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, verbose_name=_("neighbourhood"), on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=StructureKind.choices)
    planned_area_m2 = models.DecimalField(
        _("planned area (m²)"), **AREA, validators=[MinValueValidator(Decimal("0.01"))]
    )
    priority = models.OneToOneField(
        "fora.StructurePriority",
        verbose_name=_("prioritised at"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="site",
        help_text=_("The forum priority this site comes from."),
    )
    contractor = models.ForeignKey(
        "enterprises.Business",
        verbose_name=_("contractor business"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracted_sites",
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("rehabilitation site")
        verbose_name_plural = _("rehabilitation sites")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="site_name_unique_in_project"),
            models.CheckConstraint(
                condition=Q(planned_area_m2__gt=0),
                name="site_planned_area_m2_positive",
                violation_error_message=_("The planned area must be positive."),
            ),
            Located.location_constraint("site_location_valid"),
            models.CheckConstraint(condition=Q(kind__in=StructureKind.values), name="site_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "completed"]),
                name="site_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def completed_area_m2(self, *, exclude_record=None) -> Decimal:
        """The area of all work recorded on this site (every review state)."""
        records = self.work_records.all()
        if exclude_record is not None and exclude_record.pk:
            records = records.exclude(pk=exclude_record.pk)
        return records.aggregate(total=Sum("completed_area_m2"))["total"] or Decimal("0")

    def clean(self):
        errors = {}
        if self.project_id and self.neighbourhood_id:
            if not self.project.neighbourhoods.filter(pk=self.neighbourhood_id).exists():
                errors["neighbourhood"] = _("This neighbourhood is not one of the project's.")
        errors |= self.location_errors()
        if self.pk and self.planned_area_m2 is not None:
            done = self.completed_area_m2()
            if self.planned_area_m2 < done:
                errors["planned_area_m2"] = _(
                    "%(done)s m² are already recorded on this site; the plan cannot be smaller."
                ) % {"done": done}
        if errors:
            raise ValidationError(errors)


def work_photo_path(instance: WorkRecord, filename: str) -> str:
    return f"work-records/{instance.site_id}/{filename}"


class WorkRecord(ReviewedRecord, Located):
    """Work done on a site on one day, with the area completed and optional photo evidence."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "site__neighbourhood"

    site = models.ForeignKey(
        RehabSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="work_records"
    )
    date = models.DateField(_("date"))
    completed_area_m2 = models.DecimalField(
        _("completed area (m²)"), **AREA, validators=[MinValueValidator(Decimal("0.01"))]
    )
    photo = models.ImageField(
        _("photo evidence"),
        upload_to=work_photo_path,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta(ReviewedRecord.Meta):
        verbose_name = _("work record")
        verbose_name_plural = _("work records")
        ordering = ["-date"]
        indexes = ReviewedRecord.review_indexes("workrecord", "date")
        constraints = [
            *ReviewedRecord.review_constraints("workrecord"),
            models.CheckConstraint(
                condition=Q(completed_area_m2__gt=0),
                name="workrecord_completed_area_m2_positive",
                violation_error_message=_("The completed area must be positive."),
            ),
            Located.location_constraint("workrecord_location_valid"),
        ]

    def __str__(self) -> str:
        # The area in the active language's notation (12,5 m² in French).
        return f"{self.site} — {self.date:%Y-%m-%d}: {number_format(self.completed_area_m2)} m²"

    @property
    def progress_project_id(self) -> int:
        return self.site.project_id

    @property
    def verified_by(self):
        return self.review_changed_by if self.review_state == "verified" else None

    def clean(self):
        errors = {}
        if self.site_id:
            errors |= activity_date_errors("date", self.date, self.site.project.partnership.signed_on)
            if self.completed_area_m2 is not None:
                done = self.site.completed_area_m2(exclude_record=self)
                left = self.site.planned_area_m2 - done
                if self.completed_area_m2 > left:
                    errors["completed_area_m2"] = _(
                        "Only %(left)s m² of the site's planned %(planned)s m² remain to be completed."
                    ) % {"left": left, "planned": self.site.planned_area_m2}
        errors |= self.location_errors()
        if errors:
            raise ValidationError(errors)

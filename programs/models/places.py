"""Where the programme works: neighbourhoods, positions on the map, who is assigned where."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Located(models.Model):
    """A position on the map in decimal degrees (WGS 84): both coordinates or neither, in range,
    with a message on the field in the form and the same rule in the database."""

    latitude = models.DecimalField(
        _("latitude (°)"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude (°)"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )

    class Meta:
        abstract = True

    @classmethod
    def location_constraint(cls, name: str) -> models.CheckConstraint:
        """Both coordinates or neither, within range (a NULL beside a value fails too)."""
        return models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(
                latitude__isnull=False,
                longitude__isnull=False,
                latitude__gte=-90,
                latitude__lte=90,
                longitude__gte=-180,
                longitude__lte=180,
            ),
            name=name,
            violation_error_message=_("Give both latitude and longitude, within range."),
        )

    def location_errors(self) -> dict[str, str]:
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            return {missing: _("Give both latitude and longitude, or neither.")}
        return {}


class Neighbourhood(Located):
    """A neighbourhood where projects work (Bel Air, Fort National)."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "pk"

    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(
        _("country"), max_length=2, default="HT", help_text=_("ISO 3166-1 alpha-2 code.")
    )

    class Meta:
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="neighbourhood_unique_in_city"),
            Located.location_constraint("neighbourhood_centroid_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    def clean(self):
        if errors := self.location_errors():
            raise ValidationError(errors)


class NeighbourhoodAssignment(models.Model):
    """A field staff member's assignment to a neighbourhood: what they may see and change."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="neighbourhood_assignments",
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )

    class Meta:
        verbose_name = _("neighbourhood assignment")
        verbose_name_plural = _("neighbourhood assignments")
        # The gates of the permission layer (`programs.access`), given to roles in `programs.roles`.
        permissions = [
            ("use_programme", _("Can use the programme's pages, exports and API")),
            ("enter_field_data", _("Can record field data in assigned neighbourhoods")),
            ("review_field_records", _("Can verify or return field records")),
            ("see_all_neighbourhoods", _("Can see the records of every neighbourhood")),
        ]
        constraints = [models.UniqueConstraint(fields=["user", "neighbourhood"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.neighbourhood}"

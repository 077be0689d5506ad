"""Who works together: organisations and their units, the partnership, its signatories."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """An organisation or one of its units (ILO Haiti is a unit of ILO)."""

    class Kind(models.TextChoices):
        UN_AGENCY = "un_agency", _("UN agency")
        PEACEKEEPING_MISSION = "mission", _("Peacekeeping mission")
        UNIT = "unit", _("Unit or section")
        GOVERNMENT = "government", _("Government")
        NGO = "ngo", _("Non-governmental organisation")
        COMMUNITY = "community", _("Community organisation")
        PRIVATE = "private", _("Private sector")

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=60,
        blank=True,
        help_text=_("For example XM-DAC-41302 for the ILO."),
    )
    iati_type = models.PositiveSmallIntegerField(
        _("IATI organisation type"),
        null=True,
        blank=True,
        help_text=_("Code from the IATI OrganisationType codelist, e.g. 40 (multilateral)."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~Q(iati_identifier=""),
                name="organisation_iati_identifier_unique",
                violation_error_message=_("Another organisation has this IATI identifier."),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="organisation_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self):
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})


class FocusArea(models.Model):
    """A theme the partnership works on (employment, social protection, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A cooperation framework between organisations, such as the ILO–MINUSTAH Letter of Intent."""

    class Instrument(models.TextChoices):
        LETTER_OF_INTENT = "letter_of_intent", _("Letter of Intent")
        MEMORANDUM = "memorandum", _("Memorandum of Understanding")
        AGREEMENT = "agreement", _("Agreement")

    title = models.CharField(_("title"), max_length=250, unique=True)
    instrument = models.CharField(
        _("instrument"),
        max_length=30,
        choices=Instrument.choices,
        default=Instrument.LETTER_OF_INTENT,
    )
    signed_on = models.DateField(_("signed on"))
    place = models.CharField(_("place of signing"), max_length=120, blank=True)
    parties = models.ManyToManyField(Organisation, verbose_name=_("parties"), related_name="partnerships")
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), related_name="partnerships", blank=True
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.signed_on and self.signed_on > timezone.localdate():
            raise ValidationError({"signed_on": _("A partnership cannot be signed in the future.")})


class Signatory(models.Model):
    """A person who signed, or witnessed the signing of, a partnership."""

    class Role(models.TextChoices):
        SIGNER = "signer", _("Signer")
        WITNESS = "witness", _("Witness")

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="signatories",
    )
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=250)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["partnership", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="signatory_unique_per_partnership"),
            models.CheckConstraint(condition=Q(role__in=["signer", "witness"]), name="signatory_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"

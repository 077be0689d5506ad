"""The partnership, its projects, where they work and what they aim for."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import MIN_AGE_WORK


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


class Neighbourhood(models.Model):
    """A neighbourhood where projects work (Bel Air, Fort National)."""

    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(
        _("country"), max_length=2, default="HT", help_text=_("ISO 3166-1 alpha-2 code.")
    )
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
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="neighbourhood_unique_in_city"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="neighbourhood_centroid_valid",
                violation_error_message=_("Give both latitude and longitude, within range."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})


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
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
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
        return self.title

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
        constraints = [models.UniqueConstraint(fields=["user", "neighbourhood"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.neighbourhood}"


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    RETURNED = "returned", _("Returned")


class ReviewedRecord(models.Model):
    """A field record that goes through review; only verified records count towards progress."""

    review_state = models.CharField(
        _("review state"),
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        db_index=True,
    )
    review_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("review state changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_changed_at = models.DateTimeField(_("review state changed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        permissions = [("review", _("Can verify or return field records"))]

    @property
    def progress_project_id(self) -> int:
        """The project whose progress this record counts towards."""
        raise NotImplementedError

    @classmethod
    def review_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """Constraints every reviewed record carries, named after its table."""
        return [
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values),
                name=f"{prefix}_review_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_state=ReviewState.DRAFT) | Q(review_changed_at__isnull=False),
                name=f"{prefix}_review_change_dated",
                violation_error_message=_("A review state other than draft needs its date."),
            ),
        ]


class ProgressSnapshot(models.Model):
    """A target's progress at one moment: kept one per change and one per day at least."""

    class Status(models.TextChoices):
        REACHED = "reached", _("Reached")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")
        NOT_STARTED = "not_started", _("Not started")

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


class ReviewEvent(models.Model):
    """One change of a field record's review state: who, when, why."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField(_("from"), max_length=10, choices=ReviewState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=10, choices=ReviewState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["content_type", "object_id", "at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="review_event_record")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_state="returned") | ~Q(comment=""),
                name="review_event_return_has_comment",
                violation_error_message=_("Say why the record is returned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state} ({self.by}, {self.at:%Y-%m-%d %H:%M})"


class FormSubmission(models.Model):
    """A form's one-time token, kept with the record it saved, so a double submit saves once."""

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return str(self.token)


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
